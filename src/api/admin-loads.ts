/**
 * `POST /admin/v1/{program}/datasets/{dataset}/loads`: an operator sends a tenant's rows of a
 * dataset as the body (CSV, TSV, NDJSON or Parquet, optionally gzip), streamed to the data
 * directory's staging area and loaded all or nothing, as it arrives where the engine can read it
 * so (DuckDB, CSV/TSV), else once it is whole (docs/loading.md, docs/api.md).
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError, ERROR_CODES, isAppError } from "../core/errors.js";
import { assertLoadable } from "../datasets/lookup.js";
import { LOAD_MODES, type LoadMode } from "../loads/model.js";
import type { LoadInputFormat } from "../storage/ports.js";
import { newStagingPath } from "../storage/staging.js";
import type { ApiContext } from "./context.js";
import { envelope } from "./envelope.js";
import { HTTP_STATUS } from "./errors.js";
import { LoadBody } from "./load-body.js";
import { QueryParams } from "./params.js";
import { wireLoad } from "./wire.js";

/** The body's content type names its format. */
export const LOAD_CONTENT_TYPES: Readonly<Record<string, LoadInputFormat>> = {
  "text/csv": "csv",
  "text/tab-separated-values": "tsv",
  "application/x-ndjson": "ndjson",
  "application/vnd.apache.parquet": "parquet",
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function registerLoadRoute(app: FastifyInstance, context: ApiContext): void {
  const dataDir = context.config.dataDir;
  // The body stays a stream: the route writes it to disk itself, within its own size limit.
  app.addContentTypeParser(Object.keys(LOAD_CONTENT_TYPES), (_request, payload, done) => done(null, payload));

  app.post(
    "/admin/v1/:program/datasets/:dataset/loads",
    {
      // Fastify's body limit is for parsed bodies; this one has OPENINSIGHTS_LOAD_MAX_BYTES.
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: {
        tags: ["admin"],
        summary: "Load a file into a dataset for one tenant (operators)",
        params: {
          type: "object",
          properties: { program: { type: "string" }, dataset: { type: "string" } },
        },
        querystring: {
          type: "object",
          properties: {
            tenantId: { type: "string" },
            mode: { type: "string", enum: [...LOAD_MODES] },
            from: { type: "string", description: "mode=replace: first day replaced (YYYY-MM-DD)" },
            to: { type: "string", description: "mode=replace: day after the last one replaced (YYYY-MM-DD)" },
          },
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const principal = await context.authenticateAdmin(request.headers);
      const { program, dataset } = request.params as { program: string; dataset: string };
      const catalog = context.catalogs.find(program);
      if (!catalog) {
        throw new AppError(
          ERROR_CODES.NOT_FOUND,
          `No program '${program}'; the programs are ${context.catalogs.programs.join(", ")}`,
        );
      }
      const def = context.catalogs.findDataset(catalog.program, dataset);
      if (!def) {
        throw new AppError(
          ERROR_CODES.NOT_FOUND,
          `No dataset '${dataset}' in ${catalog.program}; its datasets are ${catalog.datasets.map((d) => d.name).join(", ")}`,
        );
      }
      // Before the body is received: a dataset that reads a table of the user's own takes no load.
      assertLoadable(catalog.program, def);
      const params = new QueryParams(request.query);
      const tenant = params.string("tenantId")?.trim();
      if (!tenant) throw invalid("tenantId is required: the tenant whose rows the body holds");
      if (!GUID.test(tenant)) {
        throw invalid(
          `tenantId must be a tenant id (a GUID such as 8f3c2a91-5b7e-4d2a-9c41-6e0b3f7d2a58), not '${tenant}'`,
        );
      }
      const modeName = params.string("mode");
      if (modeName === undefined) throw invalid("mode is required: append or replace");
      const mode = LOAD_MODES.find((m) => m === modeName.toLowerCase()) as LoadMode | undefined;
      if (!mode) throw invalid(`mode must be one of ${LOAD_MODES.join(", ")}, not '${modeName}'`);
      const window = loadWindow(params, mode, def.timeColumn);
      const format = bodyFormat(request);
      const gzip = bodyEncoding(request);

      const actor = { tenant, user: principal.user, requestId: request.id };
      const file = await newStagingPath(dataDir, `.${format}`);
      try {
        const stream = request.body as NodeJS.ReadableStream | undefined;
        if (!stream) throw new AppError(ERROR_CODES.INVALID_DATA, "The body is empty: send the file to load");
        const body = new LoadBody(stream, { gzip, maxBytes: context.config.loadMaxBytes });
        const load = await context.services.loads.run({
          program: catalog.program,
          dataset: def,
          tenant,
          mode,
          ...(window ? { window } : {}),
          file: { path: file, format, arriving: body },
          bytes: () => body.receivedBytes,
          startedAt: started,
        });
        await auditLoad(
          context,
          actor,
          catalog.program,
          def.name,
          "success",
          200,
          `${load.rowCount} rows, ${mode}${window ? ` [${params.string("from")}, ${params.string("to")})` : ""}`,
        );
        return envelope([wireLoad(load)]);
      } catch (error) {
        const status = isAppError(error) ? HTTP_STATUS[error.code] : 500;
        await auditLoad(
          context,
          actor,
          catalog.program,
          def.name,
          "failure",
          status,
          error instanceof Error ? error.message : String(error),
        );
        throw error;
      } finally {
        await rm(file, { force: true });
      }
    },
  );
}

async function auditLoad(
  context: ApiContext,
  actor: { tenant: string; user: string; requestId: string },
  program: string,
  dataset: string,
  outcome: "success" | "failure",
  statusCode: number,
  detail: string,
): Promise<void> {
  await context.services.audit.record({
    id: randomUUID(),
    createdTime: context.now(),
    tenant: actor.tenant,
    actor: actor.user,
    requestId: actor.requestId,
    action: "load",
    program,
    target: dataset,
    outcome,
    statusCode,
    detail,
  });
}

function bodyFormat(request: FastifyRequest): LoadInputFormat {
  const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const format = LOAD_CONTENT_TYPES[type];
  if (!format) {
    throw new AppError(
      ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
      `Content-Type ${type === "" ? "is missing" : `'${type}' is not one a load takes`}: send ${Object.keys(LOAD_CONTENT_TYPES).join(", ")}`,
    );
  }
  return format;
}

function bodyEncoding(request: FastifyRequest): boolean {
  const encoding = (request.headers["content-encoding"] ?? "identity").toString().trim().toLowerCase();
  if (encoding === "gzip") return true;
  if (encoding === "identity" || encoding === "") return false;
  throw new AppError(
    ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
    `Content-Encoding '${encoding}' is not one a load takes: send gzip or none`,
  );
}

/** `from`/`to` of a windowed replace: both dates, from before to, only with mode=replace. */
function loadWindow(
  params: QueryParams,
  mode: LoadMode,
  timeColumn: string | null,
): { from: Date; to: Date } | undefined {
  const from = params.string("from");
  const to = params.string("to");
  if (from === undefined && to === undefined) return undefined;
  if (mode !== "replace") throw invalid("from and to apply to mode=replace only");
  if (from === undefined || to === undefined)
    throw invalid("from and to go together: give both (YYYY-MM-DD)");
  const parse = (name: string, value: string) => {
    const date = new Date(`${value}T00:00:00Z`);
    if (!DATE.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      throw invalid(`${name} must be a date (YYYY-MM-DD), not '${value}'`);
    }
    return date;
  };
  const window = { from: parse("from", from), to: parse("to", to) };
  if (window.from >= window.to) throw invalid(`from (${from}) must be before to (${to})`);
  if (!timeColumn)
    throw invalid("This dataset has no time column: from/to cannot pick rows; replace all of them");
  return window;
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
