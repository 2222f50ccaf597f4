/**
 * Unit tests of src/ (jest + ts-jest in jsdom): `jlpm test`. The tests live in src/__tests__ and are type
 * checked with tsconfig.test.json; the build (tsconfig.json) leaves them out.
 */
module.exports = {
  testEnvironment: '<rootDir>/testutils/jsdom-environment.js',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }]
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  clearMocks: true
};
