import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The end-to-end suites run twice: on the embedded default (SQLite) and on PostgreSQL.
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["test/api/**/*.test.ts", "test/executions/**/*.test.ts"],
          exclude: ["test/executions/s3-files.test.ts"],
          env: { OPENINSIGHTS_TEST_BACKEND: "postgres" },
        },
      },
      // And a third time with the analytics data on PostgreSQL too (docs/analytics-postgres.md) and
      // the report files on S3: one local S3 server for the project, a bucket per test app.
      {
        extends: true,
        test: {
          name: "pganalytics",
          include: ["test/api/**/*.test.ts", "test/executions/**/*.test.ts"],
          exclude: ["test/executions/s3-files.test.ts"],
          globalSetup: ["test/support/s3-setup.ts"],
          env: {
            OPENINSIGHTS_TEST_BACKEND: "postgres",
            OPENINSIGHTS_TEST_ANALYTICS: "postgres",
            OPENINSIGHTS_TEST_FILES: "s3",
          },
        },
      },
    ],
    // Starts or installs what the tests need (PostgreSQL, the local S3 server) before any test runs.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report lets .ci/run print the plain "N passed, N failed" line CI counts.
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-report.json" },
  },
});
