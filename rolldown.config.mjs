/**
 * The `openinsights` command as one ES module bundle (dist/cli/), built from tsc's output: Node
 * then resolves and compiles a handful of files instead of ~900 modules at every start, which
 * halves the CLI's fixed cost (docs/loading.md, "CLI start"). Lazy `import()`s stay lazy chunks.
 *
 * Kept external: native addons, and packages that find files beside themselves at run time
 * (wasm, worker scripts, static assets) or load only for `serve` or on PostgreSQL/S3.
 */
import { defineConfig } from "rolldown";

export default defineConfig({
  input: "dist/src/cli/main.js",
  platform: "node",
  external: [
    /^node:/,
    // DuckDB's whole client: bundled, @duckdb/node-api would resolve its native bindings from here,
    // which only npm's hoisting makes right.
    /^@duckdb\//,
    "better-sqlite3",
    "pg",
    "pg-copy-streams",
    /^@aws-sdk\//,
    "@bokuweb/zstd-wasm",
    "fastify",
    /^@fastify\//,
    "pino",
    "prom-client",
  ],
  logLevel: "warn",
  output: { dir: "dist/cli", format: "esm", sourcemap: true, cleanDir: true },
});
