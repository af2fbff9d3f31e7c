/** The dataset operations (reference §1.4): the catalog of a program. */
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { catalogs, findDataset } from "../../datasets/catalog.js";
import { envelope } from "../envelope.js";
import { QueryParams } from "../params.js";
import { SCHEMAS } from "../schemas.js";
import { wireDataset } from "../wire.js";
import type { ProgramRoutes } from "./program.js";

export function registerDatasetRoutes({ app, base, program, tags, scopeOf }: ProgramRoutes): void {
  app.get(`${base}/ScheduledDataset`, { schema: { ...SCHEMAS.datasets, tags } }, async (request) => {
    await scopeOf(request);
    const name = new QueryParams(request.query).string("datasetName");
    if (name === undefined) {
      return envelope(catalogs[program].datasets.map(wireDataset), {
        message: "Dataset fetched successfully",
      });
    }
    const dataset = findDataset(program, name);
    if (!dataset)
      throw new AppError(ERROR_CODES.INVALID_ARGUMENT, `Invalid table name: no dataset named '${name}'`);
    return envelope([wireDataset(dataset)], { message: "Dataset fetched successfully" });
  });
}
