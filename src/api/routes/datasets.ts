/** The dataset operations (reference §1.4): the catalog of a program. */
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { envelope } from "../envelope.js";
import { QueryParams } from "../params.js";
import { SCHEMAS } from "../schemas.js";
import { wireDataset } from "../wire.js";
import type { ProgramRoutes } from "./program.js";

export function registerDatasetRoutes({ app, context, base, catalog, tags, scopeOf }: ProgramRoutes): void {
  app.get(`${base}/ScheduledDataset`, { schema: { ...SCHEMAS.datasets, tags } }, async (request, reply) => {
    const { scope } = await scopeOf(request);
    // A public client checks this header of the real service's answer (docs/compatibility.md); a
    // local stand-in has no multi-factor sign-in to report, so it says what such a client expects.
    if (context.config.compat === "observed") reply.header("isMfaCompliant", "true");
    const name = new QueryParams(request.query).string("datasetName");
    const dataset = name === undefined ? undefined : context.catalogs.findDataset(catalog.program, name);
    if (name !== undefined && !dataset)
      throw new AppError(ERROR_CODES.INVALID_ARGUMENT, `Invalid table name: no dataset named '${name}'`);
    const refreshed = await context.services.loads.lastRefreshed(scope);
    const datasets = dataset ? [dataset] : catalog.datasets;
    return envelope(
      datasets.map((d) => wireDataset(d, refreshed.get(d.name) ?? null)),
      { message: "Dataset fetched successfully" },
    );
  });
}
