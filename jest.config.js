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
};
