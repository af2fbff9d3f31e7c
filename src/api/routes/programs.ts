/**
 * `GET /insights/v1/programs` (extension): the programs this service serves — the built-in mpn and
 * cmp and those of catalog files — with their base paths and dataset names, so that a client (the
 * console's program selector, an operator's load form) need not know them in advance. Public like
 * `/openapi.json`, which lists the same paths: it tells nothing a token would guard.
 */
import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.js";
import { envelope } from "../envelope.js";
import { programBases } from "./program.js";

export const PROGRAMS_PATH = "/insights/v1/programs";

export function registerProgramListing(app: FastifyInstance, context: ApiContext): void {
  const programs = context.catalogs.all.map((catalog) => ({
    program: catalog.program,
    basePaths: [...programBases(catalog)],
    datasets: catalog.datasets.map((dataset) => dataset.name),
  }));
  app.get(
    PROGRAMS_PATH,
    {
      schema: {
        tags: ["programs"],
        summary: "List the programs served, their base paths and dataset names (extension; no token)",
        security: [],
      },
    },
    async () => envelope(programs),
  );
}
