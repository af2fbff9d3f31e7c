/**
 * Loading a CSV, TSV, NDJSON or Parquet file into one dataset for one tenant.
 *
 * - All or nothing: one DuckDB COPY reads, checks and writes the tenant's new Parquet file in one
 *   pass; nothing is visible before the engine commits the new file set (`writeTenantRows`).
 * - Columns are matched by header name, case-insensitively, against the dataset's physical columns
 *   (columns and measures). An unknown or repeated column is refused; a missing one is stored as NULL.
 * - CSV/TSV are parsed by DuckDB with an explicit dialect (no sniffing): the header is read here, the
 *   delimiter is ',' for .csv (or ';'/'|'/TAB when the header clearly uses one) and TAB for .tsv,
 *   quotes are '"' doubled, `""` is an empty string and an empty field is NULL; `.gz` is decompressed.
 *   DuckDB's CSV reader converts each column to its type and names the line of a bad value.
 * - Integers must be whole numbers ('1.0' is accepted, '1.5' is refused instead of rounded);
 *   datetimes with an offset are converted to UTC, without one they are taken as UTC.
 * - Files outside the engine's allowed directories are hard-linked (or, across file systems,
 *   copied) into `<dataDir>/.staging/` first (the sandbox forbids DuckDB to read them in place);
 *   the link or copy is removed afterwards.
 */
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { createGunzip } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { AppError, isAppError } from "../../core/errors.js";
import { type DatasetDef, describeColumnType, type Program } from "../../datasets/types.js";
import { firstJsonLine, isJsonObject } from "../ndjson-lines.js";
import type { LoadCompletion, LoadInputFormat, LoadRequest, LoadResult } from "../ports.js";
import type { WriteMode } from "./file-sets.js";
import { BodySegments, concatenated } from "./segments.js";
import { firstLine, toAppError } from "./session.js";
import { type PhysicalColumn, physicalColumns, quoteIdent, quoteString } from "./sql.js";

/** What loading needs of the engine (the DuckDB engine provides it; the loader does not import it). */
export interface LoadTarget {
  /** Whether the engine's sandbox lets it read `file` in place. */
  isAllowedPath(file: string): boolean;
  /** A fresh path the engine may read, for a copy of a file it may not. */
  stagingPath(extension: string): Promise<string>;
  /** Size of the segments a body that arrives is loaded in. */
  readonly loadSegmentBytes: number;
  /** Writes the rows of each SELECT as a new file of the tenant's and commits its new file set. */
  writeTenantRows(
    target: { readonly program: Program; readonly dataset: DatasetDef; readonly tenant: string },
    rowsSql: string | AsyncIterable<string>,
    mode: WriteMode,
    options?: {
      readonly signal?: AbortSignal;
      readonly onProgress?: (message: string) => void;
      readonly progressIntervalMs?: number;
      readonly record?: LoadCompletion;
    },
  ): Promise<LoadResult>;
  /** A connection (reading a file's schema), returned with `release`. */
  connect(): Promise<DuckDBConnection>;
  release(con: DuckDBConnection): void;
}

export type LoadFormat = LoadInputFormat;

/** Prefix of the message `error()` raises for a value that is not a valid value of its column. */
const INVALID_MARK = "OI_INVALID_VALUE:";
const HEADER_LIMIT = 1 << 20;

interface Mapping {
  /** Position of the column in the file. */
  readonly index: number;
  /** Name as the file spells it. */
  readonly source: string;
  readonly target: PhysicalColumn;
}

/**
 * Loads `request.file` into the tenant's rows of the dataset: the file is read and checked against
 * the catalog in the same pass that writes the new Parquet file, then the new file set is committed.
 */
export async function loadFile(
  engine: LoadTarget,
  request: LoadRequest & { readonly progressIntervalMs?: number },
): Promise<LoadResult> {
  const { program, dataset, tenant, mode } = request;
  const progress = request.onProgress ?? (() => undefined);
  if (typeof tenant !== "string" || tenant.trim() === "") {
    throw new AppError("invalid_argument", "A tenant id is required to load data");
  }
  if (request.window && mode !== "replace") {
    throw new AppError("invalid_argument", "A window (from, to) only applies to mode=replace");
  }
  const format = request.file.format;
  if ("arriving" in request.file) {
    return loadArriving(engine, { ...request, arriving: request.file.arriving[Symbol.asyncIterator]() });
  }
  const file = path.resolve(request.file.path);
  const gzip = /\.gz$/i.test(file);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new AppError("invalid_argument", `File not found: ${file}`);
  if ((format === "parquet" || format === "ndjson") && gzip) {
    throw new AppError(
      "invalid_argument",
      `A ${format} file to load must not be gzipped here: decompress it first`,
    );
  }
  if (stat.size === 0) throw new AppError("invalid_data", "The file is empty: nothing to load");

  let plan: Plan | undefined;
  let staged: string | null = null;
  try {
    let source = file;
    const real = await fs.realpath(file);
    if (!engine.isAllowedPath(real)) {
      staged = await engine.stagingPath(gzip ? `.${format}.gz` : `.${format}`);
      await stage(real, staged, file, progress);
      source = staged;
    }
    plan =
      format === "parquet"
        ? await parquetPlan(engine, source, dataset)
        : format === "ndjson"
          ? await ndjsonPlan(engine, source, dataset)
          : csvPlan(await readHead(source, gzip), dataset, format, gzip);
    progress(
      `Loading ${path.basename(file)} (${format}) into ${program}.${dataset.name} for tenant ${tenant}${replacing(request)}`,
    );
    // No "Loaded N rows" progress line: the caller has the result and reports it once.
    return await engine.writeTenantRows(
      { program, dataset, tenant },
      selectFrom(plan, source, true),
      { mode, ...(request.window ? { window: request.window } : {}) },
      writeOptions(request),
    );
  } catch (error) {
    const refused = loadError(error, format, plan?.mappings ?? []);
    if (format !== "parquet") await addLine(refused, [file], gzip, plan, format);
    throw refused;
  } finally {
    if (staged) await fs.rm(staged, { force: true }).catch(() => undefined);
  }
}

/**
 * A CSV/TSV body that is still arriving: written to disk in segments (`segments.ts`), each loaded
 * into a new dataset file while the next arrives; the new files are committed together once the
 * body ended whole. A body that fails commits nothing; a bad value stops the upload.
 */
async function loadArriving(
  engine: LoadTarget,
  request: LoadRequest & { readonly arriving: AsyncIterator<Buffer>; readonly progressIntervalMs?: number },
): Promise<LoadResult> {
  const { program, dataset, tenant, mode, arriving } = request;
  const format = request.file.format;
  if (format !== "csv" && format !== "tsv") {
    throw new Error(`A ${format} body is loaded once it is whole (readsArrivingFiles)`);
  }
  let plan: Plan | undefined;
  let segments: BodySegments | undefined;
  let loading = 0;
  try {
    // The header first: the plan needs it before the first segment is loaded.
    const head = await takeHead(arriving);
    const read = csvPlan(headText(head), dataset, format, false);
    plan = read;
    const body = new BodySegments(
      chunksAfter(head, arriving),
      () => engine.stagingPath(`.${format}`),
      engine.loadSegmentBytes,
    );
    segments = body;
    request.onProgress?.(
      `Loading the body (${format}) into ${program}.${dataset.name} for tenant ${tenant}${replacing(request)}`,
    );
    async function* selects(): AsyncGenerator<string> {
      for await (const { file, index } of body.completed()) {
        loading = index;
        yield selectFrom(read, file, index === 0);
      }
    }
    return await engine.writeTenantRows(
      { program, dataset, tenant },
      selects(),
      { mode, ...(request.window ? { window: request.window } : {}) },
      writeOptions(request),
    );
  } catch (error) {
    const refused = loadError(error, format, plan?.mappings ?? []);
    if (segments) {
      await segments.stop().catch(() => undefined);
      await lineInBody(refused, segments.files, loading);
      await addLine(refused, segments.files, false, plan, format);
    }
    throw refused;
  } finally {
    // Not awaited: a read of the body in flight (a stalled client) would hold the answer back.
    void Promise.resolve(arriving.return?.(undefined)).catch(() => undefined);
    await segments?.remove();
  }
}

function replacing(request: LoadRequest): string {
  if (request.mode === "append") return "";
  return request.window ? ", replacing its rows in the window" : ", replacing its rows";
}

function writeOptions(request: LoadRequest & { readonly progressIntervalMs?: number }) {
  return {
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.progressIntervalMs ? { progressIntervalMs: request.progressIntervalMs } : {}),
    ...(request.record ? { record: request.record } : {}),
  };
}

/**
 * DuckDB names the line of a bad record within the segment it read: the line in the body is that
 * plus the lines of the segments before it (which hold no quoted line ends: `segments.ts`).
 */
async function lineInBody(refused: AppError, files: readonly string[], segment: number): Promise<void> {
  const details = refused.details as { line?: number } | undefined;
  if (segment === 0 || details?.line === undefined) return;
  let before = 0;
  for await (const chunk of concatenated(files.slice(0, segment))) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) before++;
  }
  refused.message = refused.message.replace(`at line ${details.line}`, `at line ${before + details.line}`);
  details.line += before;
}

/** The body's first chunks, up to the end of its first line (the header), taken from `body`. */
async function takeHead(body: AsyncIterator<Buffer>): Promise<Buffer[]> {
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await body.next();
    if (next.done) return head;
    head.push(next.value);
    size += next.value.length;
    if (size >= HEADER_LIMIT || next.value.includes(10)) return head;
  }
}

/** `head`, then the rest of `body` (which is closed when this is). */
async function* chunksAfter(head: readonly Buffer[], body: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let next = await body.next(); !next.done; next = await body.next()) yield next.value;
  } finally {
    await body.return?.(undefined);
  }
}

function headText(head: readonly Buffer[]): string {
  return Buffer.concat(head)
    .subarray(0, HEADER_LIMIT)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
}

/**
 * Puts `real` where the engine's sandbox lets DuckDB read it: a hard link when the staging area is
 * on the same file system (no bytes copied: a 20M-row file costs nothing), else a copy.
 */
async function stage(
  real: string,
  staged: string,
  shown: string,
  progress: (message: string) => void,
): Promise<void> {
  try {
    await fs.link(real, staged);
    progress(`Linking ${shown} into the staging area`);
  } catch {
    progress(`Copying ${shown} into the staging area`);
    await fs.copyFile(real, staged);
  }
}

/**
 * A bad value found by a check after the reader (CSV integers and datetimes, every NDJSON value)
 * comes without its line: the file is scanned here (a refusal only, so its cost never slows a good
 * load) for the first record holding that value in that column, and the message gains "at line N".
 */
async function addLine(
  refused: AppError,
  files: readonly string[],
  gzip: boolean,
  plan: Plan | undefined,
  format: "csv" | "tsv" | "ndjson",
): Promise<void> {
  const details = refused.details as
    | { column?: string; value?: string; line?: number; row?: number }
    | undefined;
  if (format === "ndjson" && details && refused.message.startsWith(MALFORMED_NDJSON)) {
    // DuckDB names the line where its JSON parser stopped (for a record left open, the next one)
    // or, for a line that is JSON but no object, none: the first line that is not a JSON object
    // on its own is the one to fix.
    const line = await firstJsonLine(files[0]!, (record) => !isJsonObject(record));
    if (line === undefined || (details.line !== undefined && line >= details.line)) return;
    refused.message =
      details.line === undefined
        ? `${MALFORMED_NDJSON} at line ${line}: not a JSON object`
        : refused.message.replace(`at line ${details.line}:`, `at line ${line}:`);
    details.line = line;
    return;
  }
  if (
    !details?.column ||
    details.value === undefined ||
    details.line !== undefined ||
    details.row !== undefined
  )
    return;
  const mapping = plan?.mappings.find((m) => m.target.name === details.column);
  if (!mapping) return;
  let line: number | undefined;
  if (format === "ndjson")
    line = await firstJsonLine(files[0]!, (record) => holds(record, mapping.source, details.value!));
  else if (plan?.delimiter !== undefined) {
    line = await findRecordLine(files, gzip, plan.delimiter, mapping.index, details.value);
  }
  if (line === undefined) return;
  details.line = line;
  refused.message = refused.message.replace(
    `for column ${details.column}:`,
    `for column ${details.column} at line ${line}:`,
  );
}

/** The line where the first data record whose field `index` is `value` starts (header: line 1). */
async function findRecordLine(
  files: readonly string[],
  gzip: boolean,
  delimiter: string,
  index: number,
  value: string,
): Promise<number | undefined> {
  // Several files are the segments of one body (`segments.ts`); a gzipped file is one file.
  const input = gzip ? createReadStream(files[0]!) : undefined;
  const stream: AsyncIterable<Buffer> = input ? input.pipe(createGunzip()) : concatenated(files);
  let line = 1;
  let recordLine = 1;
  let record = 0;
  let field = 0;
  let text = "";
  let quoted = false;
  let afterQuote = false;
  let bom = true;
  const endField = () => {
    const found = record > 0 && field === index && text === value;
    field++;
    text = "";
    return found;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let part = chunk.toString("utf8");
      if (bom) {
        part = part.replace(/^\uFEFF/, "");
        bom = false;
      }
      for (let i = 0; i < part.length; i++) {
        const ch = part[i]!;
        if (quoted) {
          if (ch === '"') {
            quoted = false;
            afterQuote = true;
          } else {
            if (ch === "\n") line++;
            text += ch;
          }
          continue;
        }
        if (ch === '"') {
          if (afterQuote) text += '"';
          quoted = true;
          afterQuote = false;
          continue;
        }
        afterQuote = false;
        if (ch === delimiter) {
          if (endField()) return recordLine;
        } else if (ch === "\n") {
          if (text.endsWith("\r")) text = text.slice(0, -1);
          if (endField()) return recordLine;
          line++;
          record++;
          recordLine = line;
          field = 0;
        } else text += ch;
      }
    }
    if (text !== "" || field > 0) if (endField()) return recordLine;
  } finally {
    input?.destroy();
  }
  return undefined;
}

/**
 * Whether an NDJSON record has `value` under `key`, the value written as DuckDB reads a JSON value
 * as text: a string's content, other values as JSON (numbers compared as numbers: DuckDB writes
 * 1e3 as 1000.0).
 */
function holds(record: unknown, key: string, value: string): boolean {
  if (typeof record !== "object" || record === null || !(key in record)) return false;
  const found = (record as Record<string, unknown>)[key];
  if (found === null || found === undefined) return false;
  if (typeof found === "number") return Number(value) === found;
  return (typeof found === "string" ? found : JSON.stringify(found)) === value;
}

export function inferFormat(file: string): LoadFormat {
  const name = file.toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".parquet")) return "parquet";
  if (name.endsWith(".tsv") || name.endsWith(".tab")) return "tsv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  if (name.endsWith(".csv") || name.endsWith(".txt")) return "csv";
  throw new AppError(
    "invalid_argument",
    `Cannot tell the format of ${path.basename(file)} from its name; use .csv, .tsv, .ndjson or .parquet (or give the format)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Column matching

function matchColumns(header: readonly string[], dataset: DatasetDef): Mapping[] {
  const columns = physicalColumns(dataset);
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const seen = new Map<string, string>();
  const mappings: Mapping[] = [];
  header.forEach((raw, index) => {
    const name = raw.trim();
    if (name === "") {
      throw new AppError("invalid_data", `Column ${index + 1} of the file has no name`, {
        column: index + 1,
      });
    }
    const target = byName.get(name.toLowerCase());
    if (!target) {
      throw new AppError(
        "invalid_data",
        `Unknown column '${name}' for dataset ${dataset.name}; allowed columns: ${columns.map((c) => c.name).join(", ")}`,
        { column: name, allowed: columns.map((c) => c.name) },
      );
    }
    const previous = seen.get(target.name);
    if (previous !== undefined) {
      throw new AppError(
        "invalid_data",
        `Column '${name}' appears twice in the file (also as '${previous}')`,
        {
          column: name,
        },
      );
    }
    seen.set(target.name, name);
    mappings.push({ index, source: name, target });
  });
  return mappings;
}

function invalidValue(column: string, value: string, row?: string): string {
  const args = [`'column', ${quoteString(column)}`, `'value', CAST(${value} AS VARCHAR)`];
  if (row) args.push(`'row', ${row}`);
  return `error(${quoteString(INVALID_MARK)} || CAST(json_object(${args.join(", ")}) AS VARCHAR))`;
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV

interface Plan {
  readonly mappings: readonly Mapping[];
  readonly expressions: readonly string[];
  /** The reader of a file with the plan's columns (`header`: whether its first line is the header). */
  readonly from: (file: string, header: boolean) => string;
  /** A CSV/TSV file's field delimiter. */
  readonly delimiter?: string;
}

/** The SELECT of the dataset's columns from `file`, each converted and checked. */
function selectFrom(plan: Plan, file: string, header: boolean): string {
  const columns = plan.mappings.map((m, i) => `${plan.expressions[i]} AS ${quoteIdent(m.target.name)}`);
  return `SELECT ${columns.join(", ")} FROM ${plan.from(file, header)}`;
}

/**
 * Types the CSV reader converts to (it names the line of a value it cannot convert). Integers go
 * through DECIMAL so '1.5' is seen instead of rounded; datetimes are read as text and converted
 * here, because the reader turns an invalid TIMESTAMPTZ into NULL silently and its TIMESTAMP drops
 * offsets. Those two checks report column and value but no line.
 */
const CSV_READ_TYPES: Record<PhysicalColumn["type"], string> = {
  string: "VARCHAR",
  // As text, checked below: DECIMAL(38,9) made the reader 40× slower (measured: 82 s against 1.2 s
  // for 1M rows), and BIGINT silently rounds '1.5'. The line of a bad value is found afterwards.
  integer: "VARCHAR",
  decimal: "DOUBLE",
  date: "DATE",
  datetime: "VARCHAR",
  boolean: "BOOLEAN",
};

function csvPlan(head: string, dataset: DatasetDef, format: LoadFormat, gzip: boolean): Plan {
  if (!/[\r\n]/.test(head) && Buffer.byteLength(head) >= HEADER_LIMIT) {
    throw new AppError(
      "invalid_data",
      `The file's header line is longer than ${HEADER_LIMIT / (1 << 20)} MiB`,
    );
  }
  const delimiter = format === "tsv" ? "\t" : guessDelimiter(head);
  const header = parseHeader(head, delimiter);
  if (!header) throw new AppError("invalid_data", "The file is empty: a header row is required");
  const mappings = matchColumns(header, dataset);
  const byIndex = new Map(mappings.map((m) => [m.index, m]));
  // The reader's column names are ours (c0, c1, …): file headers can be anything.
  const readColumns = header.map((_, i) => {
    const m = byIndex.get(i);
    return `${quoteString(`c${i}`)}: ${quoteString(m ? CSV_READ_TYPES[m.target.type] : "VARCHAR")}`;
  });
  const expressions = mappings.map((m) => {
    const ref = `c${m.index}`;
    const invalid = invalidValue(m.target.name, ref);
    // Each value is parsed once: a TRY_CAST whose NULL (for a non-NULL text) raises the refusal.
    switch (m.target.type) {
      case "integer":
        // Up to 18 digits always fit a BIGINT: cast at once (a quarter of the general check's cost).
        return (
          `CASE WHEN ${ref} IS NULL THEN NULL WHEN regexp_full_match(${ref}, '[+-]?[0-9]{1,18}') THEN CAST(${ref} AS BIGINT) ` +
          `WHEN regexp_full_match(${ref}, '\\s*[+-]?[0-9]+(\\.0*)?\\s*') THEN coalesce(TRY_CAST(split_part(trim(${ref}), '.', 1) AS BIGINT), ${invalid}) ELSE ${invalid} END`
        );
      case "datetime": {
        // TIMESTAMPTZ parsing (ICU) costs 2 s per 5M values here; TIMESTAMP parsing a tenth of
        // that, and both agree on a text with no numeric offset ('Z' and 'UTC' included). An
        // offset is a '+', or a third '-' (a date TIMESTAMP reads has two; with fewer it reads
        // none, whatever follows); any such text, and one TIMESTAMP refuses (a zone name), goes
        // through TIMESTAMPTZ, which applies the offset. (LIKE over the whole text costs a third
        // of the `substr` it replaced: 0.3 s of CPU per 10M values.)
        const zoned = `coalesce(CAST(TRY_CAST(${ref} AS TIMESTAMPTZ) AS TIMESTAMP), ${invalid})`;
        const plain = `NOT contains(${ref}, '+') AND NOT (${ref} LIKE '%-%-%-%')`;
        return `CASE WHEN ${ref} IS NULL THEN NULL WHEN ${plain} THEN coalesce(TRY_CAST(${ref} AS TIMESTAMP), ${zoned}) ELSE ${zoned} END`;
      }
      default:
        return ref;
    }
  });
  const from = (file: string, withHeader: boolean) =>
    `read_csv(${quoteString(file)}, header = ${withHeader}, auto_detect = false, delim = ${quoteString(delimiter)}, ` +
    `quote = '"', escape = '"', strict_mode = true, allow_quoted_nulls = false, ` +
    `compression = '${gzip ? "gzip" : "none"}', columns = {${readColumns.join(", ")}})`;
  return { mappings, expressions, from, delimiter };
}

/** The file's first line (its header), up to HEADER_LIMIT bytes. */
async function readHead(file: string, gzip: boolean): Promise<string> {
  const input = createReadStream(file, gzip ? {} : { end: HEADER_LIMIT - 1 });
  const stream = gzip ? input.pipe(createGunzip()) : input;
  try {
    return headText(await takeHead((stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()));
  } catch (error) {
    throw new AppError("invalid_data", `Cannot read ${path.basename(file)}: ${firstLine(error)}`, undefined, {
      cause: error,
    });
  } finally {
    input.destroy();
    stream.destroy();
  }
}

/** The first record's fields, honouring '"' quoting; null when there is no header at all. */
export function parseHeader(text: string, delimiter: string): string[] | null {
  if (text.trim() === "") return null;
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      break;
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

function guessDelimiter(head: string): string {
  const line = head.split(/\r?\n/, 1)[0] ?? "";
  const unquoted = line.replace(/"[^"]*"/g, "");
  let best = ",";
  let bestCount = count(unquoted, ",");
  for (const candidate of [";", "\t", "|"]) {
    const n = count(unquoted, candidate);
    if (n > bestCount) {
      best = candidate;
      bestCount = n;
    }
  }
  return best;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parquet

const PARQUET_CHECKS: Record<
  PhysicalColumn["type"],
  { ok: (x: string) => string; convert: (x: string) => string }
> = {
  string: { ok: () => "TRUE", convert: (x) => `CAST(${x} AS VARCHAR)` },
  integer: {
    ok: (x) =>
      `(TRY_CAST(${x} AS DECIMAL(38,9)) = trunc(TRY_CAST(${x} AS DECIMAL(38,9))) AND TRY_CAST(TRY_CAST(${x} AS DECIMAL(38,9)) AS BIGINT) IS NOT NULL)`,
    convert: (x) => `CAST(CAST(${x} AS DECIMAL(38,9)) AS BIGINT)`,
  },
  decimal: { ok: (x) => `TRY_CAST(${x} AS DOUBLE) IS NOT NULL`, convert: (x) => `CAST(${x} AS DOUBLE)` },
  date: { ok: (x) => `TRY_CAST(${x} AS DATE) IS NOT NULL`, convert: (x) => `CAST(${x} AS DATE)` },
  datetime: {
    ok: (x) => `TRY_CAST(${x} AS TIMESTAMPTZ) IS NOT NULL`,
    convert: (x) => `CAST(CAST(${x} AS TIMESTAMPTZ) AS TIMESTAMP)`,
  },
  boolean: { ok: (x) => `TRY_CAST(${x} AS BOOLEAN) IS NOT NULL`, convert: (x) => `CAST(${x} AS BOOLEAN)` },
};

/**
 * Parquet column types whose every value is a valid value of the catalog type: a plain CAST, no
 * check per value (the common case of a file written with the dataset's types, and the fast one).
 */
const EXACT_PARQUET_TYPES: Record<PhysicalColumn["type"], RegExp> = {
  string: /^VARCHAR$/,
  integer: /^U?(BIGINT|INTEGER|SMALLINT|TINYINT)$/,
  decimal: /^(DOUBLE|FLOAT|U?(BIGINT|INTEGER|SMALLINT|TINYINT)|DECIMAL\(\d+,\d+\))$/,
  date: /^DATE$/,
  datetime: /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/,
  boolean: /^BOOLEAN$/,
};

async function parquetPlan(engine: LoadTarget, file: string, dataset: DatasetDef): Promise<Plan> {
  const columns = await describe(engine, `SELECT * FROM read_parquet(${quoteString(file)})`);
  const mappings = matchColumns(
    columns.map((c) => c.name),
    dataset,
  );
  let checked = false;
  const expressions = mappings.map((m) => {
    const column = columns[m.index]!;
    const ref = quoteIdent(column.name);
    const check = PARQUET_CHECKS[m.target.type];
    // UBIGINT can pass BIGINT's range: checked. TIMESTAMPTZ becomes UTC (the session's time zone).
    // One cast straight to the stored type: the general conversion's detours (integers through
    // DECIMAL(38,9), timestamps through TIMESTAMPTZ) made a 5M-row load 5× slower (docs/loading.md).
    if (
      m.target.type === "string" ||
      (EXACT_PARQUET_TYPES[m.target.type].test(column.type) && column.type !== "UBIGINT")
    ) {
      return `CAST(${ref} AS ${m.target.sqlType})`;
    }
    checked = true;
    return `CASE WHEN ${ref} IS NULL THEN NULL WHEN ${check.ok(ref)} THEN ${check.convert(ref)} ELSE ${invalidValue(m.target.name, ref, "file_row_number + 1")} END`;
  });
  // Row numbers only when a value may be refused (they cost a column of their own).
  const from = () => `read_parquet(${quoteString(file)}${checked ? ", file_row_number = true" : ""})`;
  return { mappings, expressions, from };
}

/**
 * NDJSON: one object per line, keys matched to columns like a header (the keys of the first lines
 * DuckDB samples). Every value is read as its JSON text and checked like a Parquet value. A line
 * that is not a JSON object is named by DuckDB's reader; a bad value's line is found afterwards
 * (`addLine`), since the checks run after the reader.
 */
async function ndjsonPlan(engine: LoadTarget, file: string, dataset: DatasetDef): Promise<Plan> {
  const sampled = `read_json(${quoteString(file)}, format = 'newline_delimited', records = true, sample_size = -1, maximum_depth = 1)`;
  const keys = (await describe(engine, `SELECT * FROM ${sampled}`)).map((c) => c.name);
  const mappings = matchColumns(keys, dataset);
  const columns = mappings.map((m) => `${quoteString(m.source)}: 'VARCHAR'`);
  const from = () =>
    `read_json(${quoteString(file)}, format = 'newline_delimited', records = true, columns = {${columns.join(", ")}})`;
  const expressions = mappings.map((m) => {
    const ref = quoteIdent(m.source);
    const check = PARQUET_CHECKS[m.target.type];
    if (m.target.type === "string") return check.convert(ref);
    return `CASE WHEN ${ref} IS NULL THEN NULL WHEN ${check.ok(ref)} THEN ${check.convert(ref)} ELSE ${invalidValue(m.target.name, ref)} END`;
  });
  return { mappings, expressions, from };
}

async function describe(engine: LoadTarget, select: string): Promise<{ name: string; type: string }[]> {
  const con = await engine.connect();
  try {
    const reader = await con.runAndReadAll(`DESCRIBE ${select}`);
    return reader.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  } finally {
    engine.release(con);
  }
}

// ---------------------------------------------------------------------------------------------

const CSV_LINE_RE = /CSV Error on Line: (\d+)/;
const MALFORMED_NDJSON = "Malformed NDJSON";
/** DuckDB's JSON reader: `Malformed JSON in file "…", at byte 19 in line 4: unexpected character.` */
const JSON_LINE_RE =
  /(?:Malformed JSON|JSON transform error) in file ".*?",(?: at byte \d+)? in line (\d+): ([^\n]*)/;
const CSV_CONVERT_RE = /Error when converting column "c(\d+)"\. Could not convert string "(.*)" to '([^']+)'/;

/** Turns DuckDB's complaints about the file into INVALID_DATA errors that name column and line. */
function loadError(error: unknown, format: LoadFormat, mappings: readonly Mapping[]): AppError {
  if (isAppError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const typeOf = (name: string) => mappings.find((m) => m.target.name === name)?.target.type ?? "value";
  const mark = message.indexOf(INVALID_MARK);
  if (mark >= 0) {
    try {
      const details = JSON.parse(message.slice(mark + INVALID_MARK.length).split("\n")[0]!) as {
        column: string;
        value: string;
        row?: number;
      };
      const where = details.row !== undefined ? ` in row ${details.row}` : "";
      return new AppError(
        "invalid_data",
        `Invalid value '${details.value}' for column ${details.column}${where}: not a valid ${describeColumnType(typeOf(details.column))}`,
        details,
        { cause: error },
      );
    } catch {
      // not our JSON after all: fall through to the generic message
    }
  }
  const line = CSV_LINE_RE.exec(message)?.[1];
  if (line !== undefined) {
    const convert = CSV_CONVERT_RE.exec(message);
    if (convert) {
      const index = Number(convert[1]);
      const value = convert[2] ?? "";
      const mapping = mappings.find((m) => m.index === index);
      const column = mapping?.target.name ?? `#${index + 1}`;
      return new AppError(
        "invalid_data",
        `Invalid value '${value}' for column ${column} at line ${line}: not a valid ${describeColumnType(mapping?.target.type ?? "value")}`,
        { column, line: Number(line), value },
        { cause: error },
      );
    }
    const lines = message.split("\n");
    const reason = lines.slice(2).find((l) => l.trim() !== "") ?? lines[0];
    return new AppError(
      "invalid_data",
      `Malformed ${format.toUpperCase()} at line ${line}: ${reason}`,
      { line: Number(line) },
      { cause: error },
    );
  }
  if (format === "ndjson") {
    const json = JSON_LINE_RE.exec(message);
    if (json) {
      return new AppError(
        "invalid_data",
        `${MALFORMED_NDJSON} at line ${json[1]}: ${json[2]!.trim().replace(/\.$/, "")}`,
        { line: Number(json[1]) },
        { cause: error },
      );
    }
    if (message.includes("expected records, but got non-record JSON")) {
      // The line is found by `addLine`.
      return new AppError(
        "invalid_data",
        `${MALFORMED_NDJSON}: every line must be a JSON object`,
        {},
        {
          cause: error,
        },
      );
    }
  }
  if (/^(Conversion|Invalid Input|IO) Error/.test(message)) {
    return new AppError("invalid_data", `The file could not be loaded: ${firstLine(error)}`, undefined, {
      cause: error,
    });
  }
  return toAppError(error, "Load failed");
}
