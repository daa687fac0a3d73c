/** Unit tests: swc strips types (tsc --noEmit checks them separately in CI). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  snapshotSerializers: ['<rootDir>/test/support/mask-asset-hashes.js'],
  // The nag and real-bundling suites synthesize whole environments; give them room.
  testTimeout: 120000,
  // Jest's default is one worker per core minus one: a single worker on the 2-core CI machine.
  // The suites are CPU-bound syntheses, so both cores halve the wall time.
  maxWorkers: 2,
};
