import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import os from "node:os";
import { openAnalytics, openCatalogs, openMetadata, openServingAnalytics } from "../app.js";
import type { AuditEntry, AuditOutcome } from "../audit/model.js";
import { recordLoad } from "../loads/record.js";
import type { DuckDbEngine } from "../storage/duckdb/engine.js";
import { inferFormat, type LoadFormat, loadFile } from "../storage/duckdb/load.js";
import type { MetadataStore } from "../storage/ports.js";
import {
  CATALOG_OPTION,
  type CliIo,
  type Command,
  configFrom,
  DATA_DIR_OPTION,
  programOption,
  progressTo,
  requiredOption,
  stringOption,
  tenantOption,
  UsageError,
} from "./shared.js";

const FORMATS: readonly LoadFormat[] = ["csv", "tsv", "parquet"];

export const loadCommand: Command = {
  name: "load",
  usage:
    "load --program <program> --dataset <name> --tenant <tid> [--format csv|tsv|parquet] [--replace] [--data-dir D] [--catalog FILE]… FILE",
  summary:
    "Loads a CSV, TSV or Parquet file into a dataset for one tenant. Columns are checked against the catalog; the load is all or nothing; --replace first removes the tenant's rows of that dataset.",
  options: {
    ...DATA_DIR_OPTION,
    ...CATALOG_OPTION,
    program: { type: "string" },
    dataset: { type: "string" },
    tenant: { type: "string" },
    format: { type: "string" },
    replace: { type: "boolean" },
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
    const format = stringOption(context, "format")?.toLowerCase();
    if (format !== undefined && !FORMATS.includes(format as LoadFormat)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not '${format}'`);
    }
    if (context.positionals.length !== 1) throw new UsageError("give exactly one FILE to load");
    const file = context.positionals[0]!;
    const replace = context.values.replace === true;
    // OPENINSIGHTS_ANALYTICS_URL: into PostgreSQL, through the engine's load (docs/analytics-postgres.md).
    const postgres = config.analytics.url ? await openServingAnalytics(config, catalogs) : null;
    const engine = postgres ?? (await openAnalytics(config, catalogs));
    const store = await openMetadata(config);
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
        async () => {
          if (postgres) {
            if (/\.gz$/i.test(file)) {
              throw new UsageError(
                "the PostgreSQL analytics engine loads uncompressed files: gunzip it first",
              );
            }
            const { rowCount } = await postgres.load({
              program,
              dataset,
              tenant: tenantId,
              mode: replace ? "replace" : "append",
              file: { path: file, format: (format as LoadFormat | undefined) ?? inferFormat(file) },
            });
            return { rowCount, bytes: (await stat(file)).size };
          }
          const { rowCount } = await loadFile(engine as DuckDbEngine, {
            program,
            dataset,
            tenantId,
            file,
            ...(format ? { format: format as LoadFormat } : {}),
            replace,
            onProgress: progressTo(context.io),
          });
          return { rowCount, bytes: (await stat(file)).size };
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
      await store.close();
      await engine.close();
    }
  },
};

/** Records a load in the audit log of the data directory's metadata store (docs/operations.md). */
async function auditLoad(store: MetadataStore, io: CliIo, entry: AuditEntry): Promise<void> {
  try {
    await store.recordAudit(entry);
  } catch (cause) {
    io.stderr.write(`warning: the load's audit entry was not recorded (${String(cause)})\n`);
  }
}
