/**
 * What a download answers, decided without any HTTP framework: status, headers and the byte range
 * to send, following RFC 9110 (§14 range requests, §8.3 Content-Type) and RFC 6266 (Content-Disposition).
 *
 * - One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) gives 206 with Content-Range; a range
 *   that starts beyond the end (or `-0`, or any range of an empty file) gives 416 with a
 *   Content-Range of `bytes *` then `/size` (RFC 9110 §14.4).
 * - Several ranges, another unit, or a malformed header are ignored: 200 with the whole file
 *   (RFC 9110 lets a server ignore Range; multipart/byteranges is not offered).
 * - HEAD ignores Range (range handling is defined for GET only) and answers the headers of a whole GET.
 * - The caller sends no body for HEAD or 416; for GET it streams `range` (inclusive) or the whole file.
 */
import { partNumber } from "../executions/model.js";
import {
  type Compression,
  contentTypeOfFileName,
  type ReportFormat,
  reportFileExtension,
} from "../reports/formats.js";

export interface DownloadRequest {
  readonly method: "GET" | "HEAD";
  readonly rangeHeader?: string | undefined;
  /** The file's size in bytes. */
  readonly size: number;
  /** The name the client should save the file as (see `downloadFileName`). */
  readonly fileName: string;
  readonly contentType: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface DownloadPlan {
  readonly status: 200 | 206 | 416;
  readonly headers: Record<string, string>;
  /** Present for 206 only: the bytes to send. */
  readonly range?: ByteRange;
}

export function planDownload(input: DownloadRequest): DownloadPlan {
  const { size } = input;
  const common: Record<string, string> = {
    "Accept-Ranges": "bytes",
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  };
  const whole: DownloadPlan = {
    status: 200,
    headers: {
      ...common,
      "Content-Type": input.contentType,
      "Content-Length": String(size),
      "Content-Disposition": contentDisposition(input.fileName),
    },
  };
  if (input.method !== "GET" || input.rangeHeader === undefined) return whole;

  const parsed = parseRange(input.rangeHeader, size);
  if (parsed === "ignore") return whole;
  if (parsed === "unsatisfiable") {
    return {
      status: 416,
      headers: { ...common, "Content-Range": `bytes */${size}`, "Content-Length": "0" },
    };
  }
  return {
    status: 206,
    headers: {
      ...common,
      "Content-Type": input.contentType,
      "Content-Length": String(parsed.end - parsed.start + 1),
      "Content-Range": `bytes ${parsed.start}-${parsed.end}/${size}`,
      "Content-Disposition": contentDisposition(input.fileName),
    },
    range: parsed,
  };
}

/**
 * The one range a Range header asks for within `size` bytes; "ignore" when the header is not a
 * single syntactically valid byte range, "unsatisfiable" when it is one but selects no byte.
 */
export function parseRange(header: string, size: number): ByteRange | "ignore" | "unsatisfiable" {
  const match = /^bytes=(.*)$/is.exec(header.trim());
  if (!match) return "ignore"; // another range unit, or not a range at all
  // A list may hold empty elements and optional whitespace around commas (RFC 9110 §5.6.1).
  const specs = match[1]!
    .split(",")
    .map((spec) => spec.trim())
    .filter((spec) => spec !== "");
  if (specs.length !== 1) return "ignore"; // none, or several ranges: send the whole file
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!spec) return "ignore";
  const [, firstText = "", lastText = ""] = spec;
  if (firstText === "" && lastText === "") return "ignore";

  if (firstText === "") {
    // Suffix range: the last n bytes.
    const length = Number(lastText);
    if (length === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const first = Number(firstText);
  const last = lastText === "" ? Number.POSITIVE_INFINITY : Number(lastText);
  if (last < first) return "ignore"; // an invalid range-spec makes the header invalid
  if (first >= size) return "unsatisfiable";
  return { start: first, end: Math.min(last, size - 1) };
}

/**
 * `attachment; filename="…"` with an ASCII-only fallback name, plus `filename*=UTF-8''…` (RFC 8187)
 * when the fallback had to change characters.
 */
export function contentDisposition(fileName: string): string {
  const fallback = asciiFileName(fileName);
  const header = `attachment; filename="${fallback}"`;
  return fallback === fileName ? header : `${header}; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

/** The media type of a report file, from its name. */
export function contentTypeFor(fileName: string): string {
  return contentTypeOfFileName(fileName) ?? "application/octet-stream";
}

/**
 * The name a report file downloads as: `<report name>_<scheduled time>.<extension>[.gz|.zst]`, e.g.
 * `Daily revenue_2024-06-01T00-00-00Z.csv.gz`; part n of a result in parts adds `_part-000n` before
 * the extension. Characters unsafe in file names on common systems
 * (`/ \ : * ? " < > |`, control characters) become `_`; runs of whitespace become one space;
 * leading dots and surrounding spaces are dropped; the report-name part keeps at most 100 characters; an empty name becomes `report`.
 */
export function downloadFileName(
  reportName: string,
  scheduledTime: Date,
  format: ReportFormat,
  compression: Compression,
  part?: number,
): string {
  let name = wellFormed(reportName)
    .normalize("NFC")
    .replace(/\s+/g, " ")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    .replace(/[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g, "_")
    .replace(/^[\s.]+/, "")
    .trimEnd();
  const chars = [...name];
  if (chars.length > 100) name = chars.slice(0, 100).join("").trimEnd();
  if (name === "") name = "report";
  const time = Number.isFinite(scheduledTime.getTime())
    ? scheduledTime
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z")
        .replace(/:/g, "-")
    : "unknown-time";
  const partSuffix = part === undefined ? "" : `_part-${partNumber(part)}`;
  return `${name}_${time}${partSuffix}${reportFileExtension(format, compression)}`;
}

/** Printable ASCII without `"`, `\` and `%` (which some clients decode); other characters become `_`. */
function asciiFileName(fileName: string): string {
  const folded = fileName.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); // é → e
  return folded.replace(/[^\x20-\x7e]|["\\%]/gu, "_");
}

/** Percent-encodes everything outside RFC 8187 attr-char. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Replaces lone UTF-16 surrogates (which cannot be encoded) with U+FFFD. */
function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}
