/** The twelve operations (reference §1.4), one module per resource, registered once per program base path. */
import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.js";
import { registerCallbackSecretRoutes } from "./callback-secret.js";
import { registerDatasetRoutes } from "./datasets.js";
import { registerDeliveryRoutes } from "./deliveries.js";
import { registerExecutionRoutes } from "./executions.js";
import { type ProgramRoutes, programBases, programRoutes } from "./program.js";
import { registerProgramListing } from "./programs.js";
import { registerQueryRoutes } from "./queries.js";
import { registerReportRoutes } from "./reports.js";
import { registerTestClockRoutes } from "./test-clocks.js";

/** In the order the reference lists them (the OpenAPI document follows it). */
const RESOURCES: readonly ((routes: ProgramRoutes) => void)[] = [
  registerDatasetRoutes,
  registerCallbackSecretRoutes,
  registerQueryRoutes,
  registerReportRoutes,
  registerExecutionRoutes,
  registerDeliveryRoutes,
  registerTestClockRoutes,
];

/**
 * Under the `observed` profile, the official commercial marketplace samples' base path too
 * (`/analytics/cmp/…`, the API gateway's; docs/compatibility.md).
 */
function observedBases(context: ApiContext, program: string): readonly string[] {
  return context.config.compat === "observed" && program === "cmp" ? ["/analytics/cmp"] : [];
}

export function registerProgramRoutes(app: FastifyInstance, context: ApiContext): void {
  registerProgramListing(app, context);
  for (const catalog of context.catalogs.all) {
    for (const base of [...programBases(catalog), ...observedBases(context, catalog.program)]) {
      const routes = programRoutes(app, context, base, catalog);
      for (const register of RESOURCES) register(routes);
    }
  }
}
