/** Polls `probe` until it returns a value, or fails naming what it waited for. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What `untilExecutionsComplete` reads: a client of the metadata database (PostgreSQL). */
interface MetadataQueries {
  query<R extends Record<string, unknown>>(text: string): Promise<{ rows: R[] }>;
}

/**
 * Waits until at least `total` executions are Completed and none already due is anything else
 * (processes of a scale test run them); answers the Completed count. On timeout the error carries
 * the rows of `diagnosis`, which say where it stopped.
 */
export async function untilExecutionsComplete(
  sql: MetadataQueries,
  total: number,
  options: { readonly timeoutMs: number; readonly everyMs: number; readonly diagnosis: string },
): Promise<number> {
  return until(
    "every execution to complete",
    async () => {
      const { rows } = await sql.query<{ completed: string; other: string }>(
        "SELECT count(*) FILTER (WHERE status = 'Completed') AS completed, " +
          "count(*) FILTER (WHERE status <> 'Completed' AND scheduled_time <= now()) AS other FROM executions",
      );
      const completed = Number(rows[0]!.completed);
      return completed >= total && Number(rows[0]!.other) === 0 ? completed : undefined;
    },
    options.timeoutMs,
    options.everyMs,
  ).catch(async (error: unknown) => {
    const { rows } = await sql.query(options.diagnosis);
    throw new Error(`${(error as Error).message}: ${JSON.stringify(rows)}`);
  });
}
