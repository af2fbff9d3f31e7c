/** Trying a query (E5): the first rows of a query for the caller's tenant, with a row cap and a timeout. */
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { DatasetDef, Program } from "../datasets/types.js";
import type { Row } from "../query/compiled.js";
import { prepareQuery } from "../query/prepare.js";
import type { AnalyticsEngine } from "../storage/ports.js";

export interface TestQueryOptions {
  readonly program: Program;
  readonly tenant: string;
  readonly now: Date;
  readonly override?: { readonly start?: Date; readonly end?: Date };
  readonly maxRows: number;
  readonly timeoutSeconds: number;
}

export async function runTestQuery(
  engine: AnalyticsEngine,
  datasets: readonly DatasetDef[],
  text: string,
  options: TestQueryOptions,
): Promise<Row[]> {
  const prepared = prepareQuery(text, datasets, {
    ...options,
    maxRows: options.maxRows,
    dialect: engine.dialect,
  });
  const signal = AbortSignal.timeout(options.timeoutSeconds * 1000);
  const rows: Row[] = [];
  try {
    for await (const batch of engine.stream(prepared.sql, { signal })) {
      rows.push(...batch.slice(0, options.maxRows - rows.length));
      if (rows.length >= options.maxRows) break;
    }
  } catch (error) {
    if (signal.aborted) {
      throw new AppError(
        ERROR_CODES.TIMEOUT,
        `The query did not finish within the test timeout of ${options.timeoutSeconds} seconds; narrow it (TIMESPAN, WHERE, LIMIT) or create a report, which has no such limit`,
        undefined,
        { cause: error },
      );
    }
    throw error;
  }
  return rows;
}
