import { defineConfig } from 'vitest/config';

// Service-backed suites share one Kafka, InfluxDB and PostgreSQL: run files one at a time
// where they contend for the brokers, but keep pure unit files parallel.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.services/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    globalSetup: ['test/support/web-build.ts'],
    // verbose: CI's log names every test, so it shows which adapter (embedded, Kafka, InfluxDB...) each suite ran against
    reporters: ['verbose'],
  },
});
