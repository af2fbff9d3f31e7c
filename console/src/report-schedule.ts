/** A report's schedule in words, as the report list and the executions page show it. */
import { shortTime } from "./format";
import type { Report } from "./model";

export function scheduleText(report: Report): string {
  if (report.executeNow) return "Once, now";
  const when =
    report.schedule !== null
      ? `Calendar ${report.schedule} (${report.timeZone ?? "UTC"}) from ${shortTime(report.startTime)}`
      : `Every ${report.recurrenceInterval} h from ${shortTime(report.startTime)}`;
  const count = report.recurrenceCount ? `, ${report.recurrenceCount} times` : "";
  const window = report.queryWindow === "SinceLastSuccess" ? ", new rows since the last success" : "";
  return `${when}${count}${window}`;
}
