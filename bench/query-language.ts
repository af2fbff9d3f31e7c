/**
 * Benchmark 1: the query language (lexer → parser → validator → compiler) through `compileQuery`,
 * in queries per second on one core, for a typical query and for the longest system query.
 */
import { builtInCatalogs } from "../src/datasets/catalog.js";
import type { Program } from "../src/datasets/types.js";
import { compileQuery } from "../src/query/index.js";
import { type Benchmark, fmtInt, progress } from "./common.js";
import { BENCH_TENANT } from "./data.js";

export const TYPICAL_QUERY =
  "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants WHERE CustomerMarket = 'France' ORDER BY BilledRevenueUSD LIMIT 10 TIMESPAN LAST_MONTH";

function longestSystemQuery(): { program: Program; name: string; query: string } {
  let best: { program: Program; name: string; query: string } | undefined;
  for (const { program, systemQueries } of builtInCatalogs.all) {
    for (const q of systemQueries) {
      if (!best || q.query.length > best.query.length) best = { program, name: q.name, query: q.query };
    }
  }
  if (!best) throw new Error("No system queries");
  return best;
}

interface Measured {
  readonly label: string;
  readonly chars: number;
  readonly iterations: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly microsPerQuery: number;
}

function measure(label: string, program: Program, text: string, seconds: number): Measured {
  const datasets = builtInCatalogs.get(program).datasets;
  const options = { program, tenant: BENCH_TENANT, now: new Date("2024-07-15T10:00:00Z") };
  const check = compileQuery(text, datasets, options);
  if (!check.ok) throw new Error(`${label} does not compile: ${JSON.stringify(check.diagnostics)}`);
  // Warm-up (JIT), then batches until the time is up.
  const warmUntil = performance.now() + Math.min(1000, seconds * 300);
  while (performance.now() < warmUntil) compileQuery(text, datasets, options);
  let iterations = 0;
  let sink = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let now = started;
  while (now < until) {
    for (let i = 0; i < 200; i++) {
      const result = compileQuery(text, datasets, options);
      if (result.ok) sink += result.sql.sql.length;
    }
    iterations += 200;
    now = performance.now();
  }
  if (sink === 0) throw new Error("unreachable");
  const ms = now - started;
  return {
    label,
    chars: text.length,
    iterations,
    ms,
    perSecond: (iterations * 1000) / ms,
    microsPerQuery: (ms * 1000) / iterations,
  };
}

export const queryLanguageBenchmark: Benchmark = {
  id: "query-language",
  title: "Query language: parse + validate + compile",
  async run({ settings }) {
    const long = longestSystemQuery();
    progress(`query language: typical query, ${settings.compileSeconds} s`);
    const typical = measure("Typical query", "mpn", TYPICAL_QUERY, settings.compileSeconds);
    progress(
      `query language: longest system query (${long.program} "${long.name}"), ${settings.compileSeconds} s`,
    );
    const system = measure(
      `Longest system query (${long.program} "${long.name}")`,
      long.program,
      long.query,
      settings.compileSeconds,
    );
    const results = [typical, system];
    return {
      method:
        "`compileQuery` (src/query) against the program's catalog, one tenant, a fixed instant; one thread, after a JIT warm-up, for a fixed time.",
      tables: [
        {
          columns: ["Query", "Characters", "Queries/s", "µs/query"],
          rows: results.map((r) => [
            r.label,
            fmtInt(r.chars),
            fmtInt(r.perSecond),
            r.microsPerQuery.toFixed(1),
          ]),
        },
      ],
      targets: [],
      notes: [`Typical query: \`${TYPICAL_QUERY}\`.`],
      data: { results },
    };
  },
};
