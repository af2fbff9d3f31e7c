import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { HTTP_STATUS } from "../api/errors.js";
import type { AuditEntry, AuditOutcome } from "../audit/model.js";
import { issueLocalToken } from "../auth/local-key.js";
import { ADMIN_ROLE } from "../auth/roles.js";
import type { Config } from "../config/config.js";
import { AppError, ERROR_CODES, type ErrorCode } from "../core/errors.js";
import { assertLoadable } from "../datasets/lookup.js";
import { recordLoad } from "../loads/record.js";
import { inferFormat, type LoadFormat } from "../storage/duckdb/load.js";
import type { MetadataStore } from "../storage/ports.js";
import { openCatalogs, openMetadata, openServingAnalytics } from "../stores.js";
import { liveServices } from "./serving.js";
import {
  CATALOG_OPTION,
  type CliIo,
  type Command,
  type CommandContext,
  configFrom,
  DATA_DIR_OPTION,
  programOption,
  progressTo,
  requiredOption,
  stringOption,
  tenantOption,
  UsageError,
} from "./shared.js";
import { ADMIN_TOKEN_TENANT } from "./token.js";

const FORMATS: readonly LoadFormat[] = ["csv", "tsv", "ndjson", "parquet"];

export const loadCommand: Command = {
  name: "load",
  usage:
    "load --program <program> --dataset <name> --tenant <tid> [--format csv|tsv|ndjson|parquet] [--replace [--from YYYY-MM-DD --to YYYY-MM-DD]] [--url URL] [--data-dir D] [--catalog FILE]… FILE",
  summary:
    "Loads a CSV, TSV, NDJSON or Parquet file into a dataset for one tenant. Columns are checked against the catalog; the load is all or nothing; --replace swaps the tenant's rows of that dataset (with --from/--to, only those in [from, to)). When a service runs on the data directory (or --url is given), the file goes to its load API.",
  options: {
    ...DATA_DIR_OPTION,
    ...CATALOG_OPTION,
    program: { type: "string" },
    dataset: { type: "string" },
    tenant: { type: "string" },
    format: { type: "string" },
    replace: { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
    url: { type: "string" },
  },
  async run(context) {
    const config = configFrom(context);
    const catalogs = await openCatalogs(config);
    const { program, datasets } = programOption(context, catalogs);
    const datasetName = requiredOption(context, "dataset");
    const tenantId = tenantOption(context);
    const dataset = catalogs.findDataset(program, datasetName);
    if (!dataset) {
      throw new UsageError(
        `--dataset '${datasetName}' is not a ${program} dataset; one of: ${datasets.map((d) => d.name).join(", ")}`,
      );
    }
    assertLoadable(program, dataset);
    const format = stringOption(context, "format")?.toLowerCase();
    if (format !== undefined && !FORMATS.includes(format as LoadFormat)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not '${format}'`);
    }
    if (context.positionals.length !== 1) throw new UsageError("give exactly one FILE to load");
    const file = context.positionals[0]!;
    const replace = context.values.replace === true;
    const from = stringOption(context, "from");
    const to = stringOption(context, "to");
    if ((from !== undefined || to !== undefined) && !replace) {
      throw new UsageError("--from and --to pick the rows --replace replaces: add --replace");
    }
    if ((from === undefined) !== (to === undefined)) throw new UsageError("--from and --to go together");
    const window =
      from !== undefined && to !== undefined
        ? { from: dateOption("from", from), to: dateOption("to", to) }
        : undefined;
    const inputFormat = (format as LoadFormat | undefined) ?? inferFormat(file);
    const mode = replace ? "replace" : "append";

    // A running service (or --url) takes the file: its records, audit and metrics see the load.
    const url = stringOption(context, "url") ?? (await liveServices(config.dataDir))[0]?.url;
    if (url) {
      const answer = await sendToService(context, config, url, {
        program,
        dataset: dataset.name,
        tenant: tenantId,
        mode,
        window: from !== undefined ? { from, to: to! } : undefined,
        file,
        format: inputFormat,
      });
      context.io.stdout.write(
        `Loaded ${answer.rowCount.toLocaleString("en-US")} rows into ${program} ${dataset.name} for tenant ${tenantId} (load ${answer.loadId}, through ${url})\n`,
      );
      return 0;
    }

    const store = await openMetadata(config);
    // DuckDB over the data directory's dataset files, or PostgreSQL (OPENINSIGHTS_ANALYTICS_URL).
    const engine = await openServingAnalytics(config, catalogs, store);
    const audit = (outcome: AuditOutcome, detail: string) =>
      auditLoad(store, context.io, {
        id: randomUUID(),
        createdTime: new Date(),
        tenant: tenantId,
        actor: `cli:${os.userInfo().username}`,
        requestId: null,
        action: "load",
        program,
        target: dataset.name,
        outcome,
        statusCode: null,
        detail,
      });
    try {
      // A record like the load API's, so operators see every load (GET /admin/v1/loads) and E1 its time.
      const load = await recordLoad(
        { store, now: () => new Date(), newId: randomUUID },
        { program, dataset: dataset.name, tenant: tenantId, mode: replace ? "replace" : "append" },
        async (record) => {
          const bytes = (await stat(file)).size;
          const { rowCount, committedAt } = await engine.load({
            program,
            dataset,
            tenant: tenantId,
            mode,
            ...(window ? { window } : {}),
            file: { path: file, format: inputFormat },
            onProgress: progressTo(context.io),
            record: { loadId: record.id, bytes },
          });
          return { rowCount, bytes, ...(committedAt ? { at: committedAt } : {}) };
        },
      );
      await audit("success", `${load.rowCount} rows${replace ? " (replace)" : ""}`);
      context.io.stdout.write(
        `Loaded ${load.rowCount!.toLocaleString("en-US")} rows into ${program} ${dataset.name} for tenant ${tenantId} (load ${load.id})\n`,
      );
      return 0;
    } catch (error) {
      await audit("failure", error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      await engine.close();
      await store.close();
    }
  },
};

function dateOption(name: string, value: string): Date {
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be a date (YYYY-MM-DD), not '${value}'`);
  }
  return date;
}

const CONTENT_TYPES: Record<LoadFormat, string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  ndjson: "application/x-ndjson",
  parquet: "application/vnd.apache.parquet",
};

/**
 * Streams the file to the service's load API with an operator token of the data directory's local
 * key; a `.gz` file goes as it is, with `Content-Encoding: gzip`. The service's refusal becomes
 * this command's error (same message, same exit code as a direct load).
 */
async function sendToService(
  context: CommandContext,
  config: Config,
  url: string,
  load: {
    program: string;
    dataset: string;
    tenant: string;
    mode: string;
    window: { from: string; to: string } | undefined;
    file: string;
    format: LoadFormat;
  },
): Promise<{ loadId: string; rowCount: number }> {
  const progress = progressTo(context.io);
  const size = (await stat(load.file)).size;
  progress(
    `Sending ${path.basename(load.file)} (${load.format}, ${size.toLocaleString("en-US")} bytes) to the service at ${url}, ${load.program}.${load.dataset} for tenant ${load.tenant}${load.mode === "replace" ? ", replacing its rows" : ""}`,
  );
  const token = await issueLocalToken({
    dataDir: config.dataDir,
    tenant: ADMIN_TOKEN_TENANT,
    user: `cli:${os.userInfo().username}`,
    ttlSeconds: 86_400,
    audience: config.auth.audiences[0]!,
    roles: [ADMIN_ROLE],
  });
  const query = new URLSearchParams({ tenantId: load.tenant, mode: load.mode, ...(load.window ?? {}) });
  const target = `${url.replace(/\/$/, "")}/admin/v1/${encodeURIComponent(load.program)}/datasets/${encodeURIComponent(load.dataset)}/loads?${query}`;
  let response: { status: number; text: string };
  try {
    response = await postFile(new URL(target), load.file, size, {
      authorization: `Bearer ${token}`,
      "content-type": CONTENT_TYPES[load.format],
      ...(/\.gz$/i.test(load.file) ? { "content-encoding": "gzip" } : {}),
    });
  } catch (error) {
    throw new AppError(ERROR_CODES.UNAVAILABLE, `The service at ${url} cannot be reached: ${String(error)}`);
  }
  const answer = parseAnswer(response.text);
  const loaded = answer?.value?.[0];
  if (response.status !== 200 || !loaded) {
    const code = Object.entries(HTTP_STATUS).find(([, status]) => status === response.status)?.[0];
    throw new AppError(
      (code as ErrorCode | undefined) ?? ERROR_CODES.UNAVAILABLE,
      answer?.message ?? `The service at ${url} answered ${response.status}`,
    );
  }
  return loaded;
}

interface LoadAnswer {
  readonly value?: { loadId: string; rowCount: number }[];
  readonly message?: string;
}

/** The service's envelope, or null for an answer that is not one (named by its status instead). */
function parseAnswer(text: string): LoadAnswer | null {
  try {
    return JSON.parse(text) as LoadAnswer;
  } catch {
    return null;
  }
}

/**
 * POSTs the file as the body with its Content-Length, piped by node:http(s) in 1 MiB reads (fetch's
 * web streams cost the sender about twice the CPU, on the machine the service may share); the
 * answer's status and text.
 */
function postFile(
  target: URL,
  file: string,
  size: number,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      { method: "POST", headers: { ...headers, "content-length": String(size) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
          // An answer before the whole body went (a 4xx) ends the upload: the rest is not wanted.
          request.destroy();
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    // A write error after the answer (the upload ended above) is not this command's error.
    pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), request).catch(() => undefined);
  });
}

/** Records a load in the audit log of the data directory's metadata store (docs/operations.md). */
async function auditLoad(store: MetadataStore, io: CliIo, entry: AuditEntry): Promise<void> {
  try {
    await store.recordAudit(entry);
  } catch (cause) {
    io.stderr.write(`warning: the load's audit entry was not recorded (${String(cause)})\n`);
  }
}
