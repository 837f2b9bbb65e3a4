/** Tests run on the TypeScript sources through swc, as ES modules. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/channels', '<rootDir>/solver', '<rootDir>/environments', '<rootDir>/cli', '<rootDir>/build', '<rootDir>/recipes'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testTimeout: 60000,
  // Most tests wait on child processes, servers and disks, not on the CPU: two files at a time
  // on a 2-core machine (jest's default there is one) nearly halves the suite's time.
  maxWorkers: 2,
};
