/**
 * The report form shows each API validation message under the field it is about: every message
 * the report rules give for a bad field is mapped to that field (messages taken from the rules
 * themselves, not copied here).
 */
import { describe, expect, it } from "vitest";
import { FORMAT_CHOICES, fieldOf, type ReportField } from "../../console/src/report-fields.js";
import { isAppError } from "../../src/core/errors.js";
import { REPORT_FORMATS } from "../../src/reports/formats.js";
import { parseCreateReport } from "../../src/reports/rules.js";

const NOW = new Date("2026-12-06T10:00:00Z");
const TOMORROW = "2026-12-07T10:00:00Z";
const SCHEDULED = { ReportName: "Daily", QueryId: "q1", StartTime: TOMORROW, RecurrenceInterval: 24 };
const EXECUTE_NOW = { ReportName: "Now", QueryId: "q1", ExecuteNow: true };
const CALENDAR = { ReportName: "Weekdays", QueryId: "q1", Schedule: "0 6 * * 1-5", TimeZone: "Europe/Paris" };

/** The body without the named fields. */
function without(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const { [name]: _, ...rest } = body;
  return rest;
}

function messageFor(body: Record<string, unknown>): string {
  try {
    parseCreateReport(body, { now: NOW, startTimeLeadHours: 0, spreadsheetSafeDefault: false });
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error(`the rules accepted ${JSON.stringify(body)}`);
}

const CASES: [ReportField, Record<string, unknown>][] = [
  ["ReportName", without(SCHEDULED, "ReportName")],
  ["ReportName", { ...SCHEDULED, ReportName: "a;b" }],
  ["QueryId", without(SCHEDULED, "QueryId")],
  ["StartTime", without(SCHEDULED, "StartTime")],
  ["StartTime", { ...SCHEDULED, StartTime: "2020-01-01T00:00:00Z" }],
  ["StartTime", { ...SCHEDULED, StartTime: "tomorrow" }],
  ["RecurrenceInterval", { ...SCHEDULED, RecurrenceInterval: 0 }],
  ["RecurrenceCount", { ...SCHEDULED, RecurrenceCount: 0 }],
  ["Format", { ...SCHEDULED, Format: "xml" }],
  ["Compression", { ...SCHEDULED, Compression: "zip" }],
  ["Compression", { ...SCHEDULED, Format: "parquet", Compression: "gzip" }],
  ["QueryWindow", { ...SCHEDULED, QueryWindow: "Yesterday" }],
  ["QueryWindow", { ...EXECUTE_NOW, QueryWindow: "SinceLastSuccess" }],
  ["CallbackOnFailure", { ...SCHEDULED, CallbackOnFailure: "sometimes" }],
  ["SpreadsheetSafe", { ...SCHEDULED, SpreadsheetSafe: "maybe" }],
  ["CallbackUrl", { ...SCHEDULED, CallbackUrl: "ftp://example.com/x" }],
  ["CallbackMethod", { ...SCHEDULED, CallbackUrl: "https://example.com/x", CallbackMethod: "PUT" }],
  ["QueryStartTime", { ...EXECUTE_NOW, QueryStartTime: "yesterday" }],
  ["QueryEndTime", { ...EXECUTE_NOW, QueryStartTime: TOMORROW, QueryEndTime: "2026-12-01T00:00:00Z" }],
  ["Schedule", { ...CALENDAR, Schedule: "0 6 * *" }],
  ["Schedule", { ...CALENDAR, Schedule: "0 6 31 2 *" }],
  ["Schedule", { ...CALENDAR, Schedule: "*/30 * * * *" }],
  ["Schedule", { ...CALENDAR, RecurrenceInterval: 24 }],
  ["Schedule", { ...EXECUTE_NOW, Schedule: "0 6 * * *" }],
  ["TimeZone", { ...CALENDAR, TimeZone: "Mars/Olympus_Mons" }],
  ["TimeZone", { ...SCHEDULED, TimeZone: "Europe/Paris" }],
  ["TimeZone", { ...EXECUTE_NOW, TimeZone: "Europe/Paris" }],
  ["StartTime", { ...CALENDAR, StartTime: "2020-01-01T00:00:00Z" }],
];

describe("report form: API messages next to their fields", () => {
  it.each(CASES)("maps the rules' message about %s to that field", (field, body) => {
    const message = messageFor(body);
    expect(fieldOf(message), message).toBe(field);
  });

  it("names no field for a message about none, or about the name and description together", () => {
    expect(fieldOf("Service unavailable")).toBeNull();
    expect(fieldOf(messageFor({ ...SCHEDULED, Description: "x".repeat(300) }))).toBeNull();
  });
});

describe("report form: formats", () => {
  it("offers exactly the API's formats, each with the compressions the API allows for it", () => {
    expect(FORMAT_CHOICES.map((choice) => [choice.format, [...choice.compressions]])).toEqual(
      REPORT_FORMATS.map((row) => [row.name, [...row.compressions]]),
    );
  });
});
