/** Jest runs TypeScript through SWC; Agenda 6 is ESM-only, so it (and its ESM deps) is transformed too. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(agenda|@agendajs|cron-parser|human-interval|date\\.js)/)'],
  testTimeout: 30000,
  // The default output, then a list of skipped tests (see the reporter for why).
  reporters: ['default', '<rootDir>/test/helpers/skipped-reporter.js'],
  // Agenda 6.2.6 leaves a lock-check timer (lockLifetime / 2, minutes long) running after stop(),
  // which would keep Jest alive for minutes after the last test. Every suite closes its own
  // servers and pools; this only stops Jest from waiting for that timer.
  forceExit: true,
};
