/**
 * The rules of a report definition (reference §1.5.6, §1.5.8, §1.6), as pure functions over a
 * request body. Messages start with the real API's documented texts.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { FieldReader, parseWireTime, wireTimeRangeProblem } from "../core/fields.js";
import { canonicalTimeZone, cronExpressionProblem, shortestWallClockGapHours } from "./calendar.js";
import {
  COMPRESSIONS,
  type Compression,
  compressionApplies,
  DEFAULT_REPORT_FORMAT,
  isCompression,
  isReportFormat,
  REPORT_FORMAT_NAMES,
  type ReportFormat,
  reportFormatRow,
} from "./formats.js";
import { type CallbackMethod, MAX_FILE_SIZE_MB, QUERY_WINDOWS, type QueryWindow } from "./model.js";

export const MIN_RECURRENCE_HOURS = 4;
export const MAX_RECURRENCE_HOURS = 2160;
export const MAX_NAME_LENGTH = 256;
/** StartTime may lie this far in the past, for clients whose clocks run a little behind. */
export const START_TIME_GRACE_MS = 5 * 60_000;

export interface ScheduleFields {
  readonly startTime: Date;
  /** Hours between slots; 0 for a calendar schedule. */
  readonly recurrenceInterval: number;
  readonly recurrenceCount: number | null;
  readonly queryWindow: QueryWindow | null;
  /** Extension `Schedule`: the cron expression of a calendar schedule, or null (interval). */
  readonly schedule: string | null;
  /** Extension `TimeZone`: canonical IANA name with a schedule ("UTC" when not given), else null. */
  readonly timeZone: string | null;
}

/** The zone of a calendar schedule that names none. */
export const DEFAULT_TIME_ZONE = "UTC";

export interface ReportDefinition {
  readonly name: string;
  readonly description: string;
  readonly format: ReportFormat;
  readonly compression: Compression;
  readonly spreadsheetSafe: boolean;
  /** Extension `MaxFileSizeMB`; null: the deployment's default (else one file). */
  readonly maxFileSizeMB: number | null;
  readonly callbackUrl: string | null;
  readonly callbackMethod: CallbackMethod | null;
  readonly callbackOnFailure: boolean;
}

export interface CreateReportInput extends ReportDefinition {
  readonly queryId: string;
  readonly executeNow: boolean;
  /** Absent for ExecuteNow reports, which run once, at once. */
  readonly schedule?: ScheduleFields;
  readonly queryStartTime: Date | null;
  readonly queryEndTime: Date | null;
}

export interface RuleContext {
  readonly now: Date;
  /** Minimum hours between now and StartTime (0: only "not in the past"). */
  readonly startTimeLeadHours: number;
  /** SpreadsheetSafe when a new report does not say (OPENINSIGHTS_SPREADSHEET_SAFE). */
  readonly spreadsheetSafeDefault: boolean;
  /**
   * Times may have a space for the T (`yyyy-MM-dd HH:mm:ssZ`, as the official C# sample sends
   * StartTime): the `observed` profile (docs/compatibility.md). Otherwise the documented format only.
   */
  readonly spaceForT?: boolean;
}

const CREATE = "Invalid report parameters for creation - ";
const UPDATE = "Invalid report parameters for update - ";

export function parseCreateReport(body: unknown, context: RuleContext): CreateReportInput {
  const fields = new FieldReader(body, CREATE);
  const definition = readDefinition(fields, CREATE, undefined, context);
  const queryId = fields.string("QueryId", { required: true }).trim();
  const executeNow = fields.boolean("ExecuteNow") ?? false;
  if (executeNow) {
    refuseQueryWindow(fields, CREATE);
    const queryStartTime = readTime(fields, "QueryStartTime", CREATE, context);
    const queryEndTime = readTime(fields, "QueryEndTime", CREATE, context);
    if (queryStartTime && queryEndTime && queryEndTime.getTime() <= queryStartTime.getTime()) {
      throw invalid(
        `${CREATE}EndTime should be greater than StartTime (QueryEndTime must be after QueryStartTime)`,
      );
    }
    return { ...definition, queryId, executeNow, queryStartTime, queryEndTime };
  }
  if (fields.has("QueryStartTime") || fields.has("QueryEndTime")) {
    throw invalid(`${CREATE}QueryStartTime and QueryEndTime apply only to ExecuteNow reports`);
  }
  const schedule = readSchedule(fields, CREATE, context, undefined);
  return { ...definition, queryId, executeNow, schedule, queryStartTime: null, queryEndTime: null };
}

/**
 * The extension field `TestClockId` of a report body (docs/test-clocks.md), or null. Read before
 * the other rules, which take the clock's time as "now".
 */
export function readTestClockId(body: unknown): string | null {
  const id = new FieldReader(body, CREATE).string("TestClockId")?.trim();
  return id ? id : null;
}

export interface CurrentReport extends ReportDefinition, ScheduleFields {
  readonly queryId: string;
  readonly executeNow: boolean;
}

export interface UpdateReportInput extends ReportDefinition {
  readonly schedule?: ScheduleFields;
}

/**
 * PUT semantics: ReportName (and StartTime, for scheduled reports) are required; an omitted
 * optional field keeps its value and an explicit null resets it to its default. QueryId,
 * ExecuteNow and the query window cannot change.
 */
export function parseUpdateReport(
  body: unknown,
  current: CurrentReport,
  context: RuleContext,
): UpdateReportInput {
  const fields = new FieldReader(body, UPDATE);
  const queryId = fields.string("QueryId");
  if (queryId !== undefined && queryId.trim().toLowerCase() !== current.queryId.toLowerCase()) {
    throw invalid(`${UPDATE}QueryId cannot be changed: create a new report for another query`);
  }
  const executeNow = fields.boolean("ExecuteNow");
  if (executeNow !== undefined && executeNow !== current.executeNow) {
    throw invalid(`${UPDATE}ExecuteNow cannot be changed: create a new report`);
  }
  const definition = readDefinition(fields, UPDATE, current, context);
  if (current.executeNow) {
    refuseQueryWindow(fields, UPDATE);
    return definition;
  }
  return { ...definition, schedule: readSchedule(fields, UPDATE, context, current) };
}

function readDefinition(
  fields: FieldReader,
  prefix: string,
  current: ReportDefinition | undefined,
  context: RuleContext,
): ReportDefinition {
  const name = fields.string("ReportName", { required: true }).trim();
  if (name.includes(";")) throw invalid(`${prefix}Invalid character (;) in ReportName`);
  const description = keep(
    fields,
    "Description",
    current?.description,
    "",
    () => fields.string("Description") ?? "",
  );
  if (name.length > MAX_NAME_LENGTH || description.length > MAX_NAME_LENGTH) {
    throw invalid(
      `${prefix}Limit ReportName and Description length to ${MAX_NAME_LENGTH} characters or less`,
    );
  }
  const format = keep(fields, "Format", current?.format, DEFAULT_REPORT_FORMAT, () => {
    const value = fields.string("Format")!.trim().toLowerCase();
    if (!isReportFormat(value))
      throw invalid(`${prefix}Report format should be ${REPORT_FORMAT_NAMES.join("/")}`);
    return value;
  });
  const compression = keep(fields, "Compression", current?.compression, "none", () => {
    const value = fields.string("Compression")!.trim().toLowerCase();
    if (!isCompression(value)) throw invalid(`${prefix}Compression should be ${COMPRESSIONS.join(" or ")}`);
    return value;
  });
  if (!compressionApplies(format, compression)) {
    throw invalid(
      `${prefix}Compression ${compression} does not apply to format ${format}; use ${reportFormatRow(format).compressions.join(" or ")}`,
    );
  }
  const spreadsheetSafe = keep(
    fields,
    "SpreadsheetSafe",
    current?.spreadsheetSafe,
    context.spreadsheetSafeDefault,
    () => fields.boolean("SpreadsheetSafe")!,
  );
  const maxFileSizeMB = keep(fields, "MaxFileSizeMB", current?.maxFileSizeMB, null, () => {
    const value = fields.integer("MaxFileSizeMB")!;
    if (value < 1 || value > MAX_FILE_SIZE_MB) {
      throw invalid(`${prefix}MaxFileSizeMB must be a whole number of MB from 1 to ${MAX_FILE_SIZE_MB}`);
    }
    return value;
  });
  const callbackUrl = keep(fields, "CallbackUrl", current?.callbackUrl, null, () => {
    const value = fields.string("CallbackUrl")!.trim();
    return value === "" ? null : checkCallbackUrl(value, prefix);
  });
  const method = keep(fields, "CallbackMethod", current?.callbackMethod ?? undefined, "POST", () => {
    const value = fields.string("CallbackMethod")!.trim().toUpperCase();
    if (value !== "GET" && value !== "POST") throw invalid(`${prefix}CallbackMethod can only be GET or POST`);
    return value;
  });
  const callbackOnFailure = keep(
    fields,
    "CallbackOnFailure",
    current?.callbackOnFailure,
    false,
    () => fields.boolean("CallbackOnFailure")!,
  );
  return {
    name,
    description,
    format,
    compression,
    spreadsheetSafe,
    maxFileSizeMB,
    callbackUrl,
    callbackMethod: callbackUrl ? method : null,
    callbackOnFailure,
  };
}

function readSchedule(
  fields: FieldReader,
  prefix: string,
  context: RuleContext,
  current: ScheduleFields | undefined,
): ScheduleFields {
  const calendar = readCalendar(fields, prefix, context, current);
  if (calendar && fields.has("RecurrenceInterval")) {
    throw invalid(
      `${prefix}Schedule and RecurrenceInterval exclude each other: give a cron expression in Schedule or hours in RecurrenceInterval, not both`,
    );
  }
  // With a calendar schedule StartTime only says when live runs begin: when absent, the current
  // one (update) or now (creation; plus OPENINSIGHTS_START_TIME_LEAD_HOURS when that is set).
  if (!calendar && !fields.has("StartTime")) throw invalid("Null or missing value: StartTime is required");
  const startTime = fields.has("StartTime")
    ? readTime(fields, "StartTime", prefix, context)!
    : (current?.startTime ?? new Date(context.now.getTime() + context.startTimeLeadHours * 3_600_000));
  const lead = fields.has("StartTime") ? context.startTimeLeadHours * 3_600_000 : 0;
  if (lead > 0 && startTime.getTime() < context.now.getTime() + lead - START_TIME_GRACE_MS) {
    throw invalid(
      `${prefix}Start time of report should at least be ${context.startTimeLeadHours} hours from current UTC time`,
    );
  }
  if (fields.has("StartTime") && startTime.getTime() < context.now.getTime() - START_TIME_GRACE_MS) {
    throw invalid(
      `${prefix}StartTime should not be in the past (current UTC time is ${context.now.toISOString()})`,
    );
  }
  const recurrenceInterval = calendar
    ? 0
    : current && current.schedule === null && !fields.has("RecurrenceInterval")
      ? current.recurrenceInterval
      : fields.integer("RecurrenceInterval", { required: true })!;
  if (!calendar && (recurrenceInterval < MIN_RECURRENCE_HOURS || recurrenceInterval > MAX_RECURRENCE_HOURS)) {
    throw invalid(`Recurrence Interval must be between ${MIN_RECURRENCE_HOURS} and ${MAX_RECURRENCE_HOURS}`);
  }
  const recurrenceCount = keep(fields, "RecurrenceCount", current?.recurrenceCount, null, () => {
    const value = fields.integer("RecurrenceCount")!;
    if (value < 1) throw invalid(`${prefix}Recurrence count has to be a positive integer value`);
    return value;
  });
  const queryWindow = keep(fields, "QueryWindow", current?.queryWindow, null, () => {
    const value = fields.string("QueryWindow")!.trim();
    const known = QUERY_WINDOWS.find((window) => window.toLowerCase() === value.toLowerCase());
    if (!known)
      throw invalid(`${prefix}QueryWindow should be ${QUERY_WINDOWS.join(" or ")} (or null for TIMESPAN)`);
    return known;
  });
  return {
    startTime,
    recurrenceInterval,
    recurrenceCount,
    queryWindow,
    schedule: calendar?.expression ?? null,
    timeZone: calendar?.timeZone ?? null,
  };
}

/**
 * The calendar schedule of the body (`Schedule`, `TimeZone`), or null for an interval schedule.
 * On update an absent Schedule keeps the current one unless RecurrenceInterval switches the
 * report to an interval schedule; null resets it.
 */
function readCalendar(
  fields: FieldReader,
  prefix: string,
  context: RuleContext,
  current: ScheduleFields | undefined,
): { expression: string; timeZone: string } | null {
  const keepsCurrent =
    current?.schedule != null &&
    !fields.has("Schedule") &&
    !fields.isNull("Schedule") &&
    !fields.has("RecurrenceInterval");
  const expression = fields.has("Schedule")
    ? fields.string("Schedule")!.trim()
    : keepsCurrent
      ? current!.schedule!
      : null;
  if (expression === null) {
    if (fields.has("TimeZone")) {
      throw invalid(`${prefix}TimeZone applies only with Schedule (a cron expression read in that zone)`);
    }
    return null;
  }
  const problem = cronExpressionProblem(expression);
  if (problem) {
    throw invalid(
      `${prefix}Schedule '${expression}' is not a 5-field cron expression (minute hour day-of-month month day-of-week): ${problem}`,
    );
  }
  // An absent TimeZone keeps the current one (update of a calendar report); null resets it to UTC.
  const zoneText = fields.has("TimeZone")
    ? fields.string("TimeZone")!.trim()
    : current?.schedule != null && !fields.isNull("TimeZone")
      ? (current.timeZone ?? DEFAULT_TIME_ZONE)
      : DEFAULT_TIME_ZONE;
  const timeZone = canonicalTimeZone(zoneText);
  if (!timeZone) {
    throw invalid(
      `${prefix}TimeZone '${zoneText}' is not an IANA time zone name (such as Europe/Paris or UTC)`,
    );
  }
  const gap = shortestWallClockGapHours(expression, context.now);
  if (gap < MIN_RECURRENCE_HOURS) {
    throw invalid(
      `${prefix}Schedule '${expression}' runs ${formatHours(gap)} apart at its closest; its times must be at least ${MIN_RECURRENCE_HOURS} hours apart`,
    );
  }
  return { expression, timeZone };
}

function formatHours(hours: number): string {
  return hours < 1 ? `${Math.round(hours * 60)} minutes` : `${Number(hours.toFixed(2))} hours`;
}

/** At most this many slots per backfill request (a year of a daily report fits, twice over). */
export const MAX_BACKFILL_SLOTS = 1000;

export interface BackfillRange {
  readonly from: Date;
  readonly to: Date;
}

/**
 * The body of POST …/ScheduledReport/{reportId}/backfill: `From` and `To` (yyyy-MM-ddTHH:mm:ssZ,
 * both ends included), From not after To, To not in the future (a backfill covers past slots;
 * the live schedule runs the others).
 */
export function parseBackfill(body: unknown, now: Date): BackfillRange {
  const prefix = "Invalid backfill parameters - ";
  const fields = new FieldReader(body, prefix);
  const read = (name: string): Date => {
    const text = fields.string(name, { required: true });
    const time = parseWireTime(text);
    if (!time)
      throw invalid(`${prefix}${name} should follow format: yyyy-MM-ddTHH:mm:ssZ (${name} was '${text}')`);
    const outOfRange = wireTimeRangeProblem(name, time);
    if (outOfRange) throw invalid(`${prefix}${outOfRange}`);
    return time;
  };
  const from = read("From");
  const to = read("To");
  if (from.getTime() > to.getTime()) throw invalid(`${prefix}From must not be after To`);
  if (to.getTime() > now.getTime()) {
    throw invalid(
      `${prefix}To must not be in the future (current UTC time is ${now.toISOString()}): a backfill runs past slots only`,
    );
  }
  return { from, to };
}

/** ExecuteNow reports take their window from QueryStartTime/QueryEndTime, and run once, at once. */
function refuseQueryWindow(fields: FieldReader, prefix: string): void {
  if (fields.has("QueryWindow")) {
    throw invalid(
      `${prefix}QueryWindow applies only to scheduled reports; ExecuteNow reports take QueryStartTime/QueryEndTime`,
    );
  }
  for (const name of ["Schedule", "TimeZone"]) {
    if (fields.has(name)) {
      throw invalid(
        `${prefix}${name} applies only to scheduled reports; ExecuteNow reports run once, at once`,
      );
    }
  }
}

/** An absent field keeps `current` (updates) or takes `fallback` (creation); null always resets it. */
function keep<T>(fields: FieldReader, name: string, current: T | undefined, fallback: T, read: () => T): T {
  if (fields.has(name)) return read();
  return current !== undefined && !fields.isNull(name) ? current : fallback;
}

function readTime(fields: FieldReader, name: string, prefix: string, context: RuleContext): Date | null {
  const text = fields.string(name);
  if (text === undefined) return null;
  const time = parseWireTime(text, { spaceForT: context.spaceForT ?? false });
  if (!time) {
    const label = name === "QueryEndTime" ? "EndTime" : "StartTime";
    throw invalid(`${prefix}${label} should follow format: yyyy-MM-ddTHH:mm:ssZ (${name} was '${text}')`);
  }
  const outOfRange = wireTimeRangeProblem(name, time);
  if (outOfRange) throw invalid(`${prefix}${outOfRange}`);
  return time;
}

function checkCallbackUrl(value: string, prefix: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${prefix}CallbackUrl must be an absolute http or https URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(`${prefix}CallbackUrl must use http or https, not ${url.protocol.replace(":", "")}`);
  }
  if (value.length > 2048) throw invalid(`${prefix}CallbackUrl must be at most 2048 characters`);
  if (url.username || url.password) throw invalid(`${prefix}CallbackUrl must not carry credentials`);
  return value;
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
