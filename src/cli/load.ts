import { randomUUID } from "node:crypto";
import os from "node:os";
import { openAnalytics, openMetadata } from "../app.js";
import type { AuditEntry, AuditOutcome } from "../audit/model.js";
import type { Config } from "../config/config.js";
import { catalogs, findDataset } from "../datasets/catalog.js";
import { type LoadFormat, loadFile } from "../storage/duckdb/load.js";
import {
  type CliIo,
  type Command,
  configFrom,
  DATA_DIR_OPTION,
  programOption,
  progressTo,
  requiredOption,
  stringOption,
  UsageError,
} from "./shared.js";

const FORMATS: readonly LoadFormat[] = ["csv", "tsv", "parquet"];

export const loadCommand: Command = {
  name: "load",
  usage:
    "load --program mpn|cmp --dataset <name> --tenant <tid> [--format csv|tsv|parquet] [--replace] [--data-dir D] FILE",
  summary:
    "Loads a CSV, TSV or Parquet file into a dataset for one tenant. Columns are checked against the catalog; the load is all or nothing; --replace first removes the tenant's rows of that dataset.",
  options: {
    ...DATA_DIR_OPTION,
    program: { type: "string" },
    dataset: { type: "string" },
    tenant: { type: "string" },
    format: { type: "string" },
    replace: { type: "boolean" },
  },
  async run(context) {
    const program = programOption(context);
    const datasetName = requiredOption(context, "dataset");
    const tenantId = requiredOption(context, "tenant");
    const dataset = findDataset(program, datasetName);
    if (!dataset) {
      throw new UsageError(
        `--dataset '${datasetName}' is not a ${program} dataset; one of: ${catalogs[program].datasets.map((d) => d.name).join(", ")}`,
      );
    }
    const format = stringOption(context, "format")?.toLowerCase();
    if (format !== undefined && !FORMATS.includes(format as LoadFormat)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not '${format}'`);
    }
    if (context.positionals.length !== 1) throw new UsageError("give exactly one FILE to load");
    const config = configFrom(context);
    const engine = await openAnalytics(config);
    const audit = (outcome: AuditOutcome, detail: string) =>
      recordLoad(config, context.io, {
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
      const result = await loadFile(engine, {
        program,
        dataset,
        tenantId,
        file: context.positionals[0]!,
        ...(format ? { format: format as LoadFormat } : {}),
        replace: context.values.replace === true,
        onProgress: progressTo(context.io),
      });
      await audit("success", `${result.rowCount} rows${context.values.replace === true ? " (replace)" : ""}`);
      context.io.stdout.write(
        `Loaded ${result.rowCount.toLocaleString("en-US")} rows into ${program} ${dataset.name} for tenant ${tenantId}\n`,
      );
      return 0;
    } catch (error) {
      await audit("failure", error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      await engine.close();
    }
  },
};

/** Records a load in the audit log of the data directory's metadata store (docs/operations.md). */
async function recordLoad(config: Config, io: CliIo, entry: AuditEntry): Promise<void> {
  try {
    const store = await openMetadata(config);
    try {
      await store.recordAudit(entry);
    } finally {
      await store.close();
    }
  } catch (cause) {
    io.stderr.write(`warning: the load's audit entry was not recorded (${String(cause)})\n`);
  }
}
