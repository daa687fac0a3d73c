/** Unit tests: swc strips types (tsc --noEmit checks them separately in CI). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // A temporary directory per run, removed at the end (test/support/global-setup.js).
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // Longest files first in a fresh clone too (test/support/sequencer.js).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  snapshotSerializers: ['<rootDir>/test/support/mask-asset-hashes.js'],
  // The compliance suite synthesizes whole environments under every check; give it room.
  testTimeout: 120000,
  // Jest's default is one worker per core minus one: a single worker on the 2-core CI machine.
  // The suites are CPU-bound syntheses; both cores cut the wall time by about a third.
  maxWorkers: 2,
  // A worker that has run CDK syntheses needs more than Jest's default 500 ms to exit: V8 finishes
  // the background TurboFan compilations in flight before the process ends (measured with perf and
  // strace: 1.8-2.1 s after Jest's end message for test/lib/cache-member.test.ts on a loaded 2-core
  // machine, no handle open, `--detectOpenHandles` clean). Past 500 ms Jest kills it and prints "A
  // worker process has failed to exit gracefully". A real leaked handle still trips this after 5 s.
  workerGracefulExitTimeout: 5000,
};
