import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { isAppError } from "../core/errors.js";
import { prepareScratchDir } from "../executions/scratch.js";
import type { Diagnostic } from "../query/index.js";
import { formatDiagnostics } from "../query/index.js";
import { prepareQuery } from "../query/prepare.js";
import {
  DEFAULT_REPORT_FORMAT,
  isReportFormat,
  REPORT_FORMAT_NAMES,
  type ReportFormat,
  reportFileExtension,
} from "../reports/formats.js";
import { openCatalogs, openServingAnalytics } from "../stores.js";
import {
  CATALOG_OPTION,
  type Command,
  configFrom,
  DATA_DIR_OPTION,
  programOption,
  stringOption,
  tenantOption,
  UsageError,
} from "./shared.js";

export const queryCommand: Command = {
  name: "query",
  usage: `query --program <program> --tenant <tid> [--data-dir D] [--catalog FILE]… [--format ${REPORT_FORMAT_NAMES.join("|")}] [--now <ISO time>] "<query>"`,
  summary:
    "Runs a report query for one tenant and prints the result, header row first (exit code 2 and the diagnostics for a bad query).",
  options: {
    ...DATA_DIR_OPTION,
    ...CATALOG_OPTION,
    program: { type: "string" },
    tenant: { type: "string" },
    format: { type: "string" },
    now: { type: "string" },
  },
  async run(context) {
    const config = configFrom(context);
    const catalogs = await openCatalogs(config);
    const catalog = programOption(context, catalogs);
    const tenant = tenantOption(context);
    const format = formatOption(stringOption(context, "format") ?? DEFAULT_REPORT_FORMAT);
    const now = parseNow(stringOption(context, "now"));
    const text = context.positionals.join(" ").trim();
    if (!text) throw new UsageError("the query text is missing");

    let prepared: ReturnType<typeof prepareQuery>;
    try {
      prepared = prepareQuery(text, catalog.datasets, {
        program: catalog.program,
        tenant,
        now,
        dialect: config.analytics.url ? "postgres" : "duckdb",
      });
    } catch (error) {
      if (isAppError(error) && error.code === "invalid_query") {
        context.io.stderr.write(`${formatDiagnostics(error.details as Diagnostic[])}\n`);
        return 2;
      }
      throw error;
    }

    const engine = await openServingAnalytics(config, catalogs);
    try {
      // The engine's own writer, so the output is byte for byte what a report file holds.
      const scratch = await prepareScratchDir(path.join(config.dataDir, "tmp"));
      const file = path.join(scratch, `query${reportFileExtension(format, "none")}`);
      try {
        await engine.exportTo(prepared.sql, file, { format });
        await pipeline(createReadStream(file), context.io.stdout, { end: false });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      return 0;
    } finally {
      await engine.close();
    }
  },
};

function parseNow(raw: string | undefined): Date {
  if (raw === undefined) return new Date();
  const value = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value.getTime())) {
    throw new UsageError(`--now must be an ISO time such as 2024-06-30T00:00:00Z, not '${raw}'`);
  }
  return value;
}

function formatOption(value: string): ReportFormat {
  const format = value.toLowerCase();
  if (isReportFormat(format)) return format;
  throw new UsageError(`--format must be one of ${REPORT_FORMAT_NAMES.join(", ")}, not '${format}'`);
}
