/** Reports: the list with pause, resume and delete, and the form that creates one. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, messageOf, programPath, request, requestAll } from "../api";
import { Choice } from "../components/Choice";
import { Confirm } from "../components/Confirm";
import { FormField } from "../components/FormField";
import { ErrorNotice, Loading } from "../components/Status";
import { apiTime } from "../format";
import type { Query, Report } from "../model";
import { compressionsOf, type ReportField as Field, FORMAT_CHOICES, fieldOf } from "../report-fields";
import { scheduleText } from "../report-schedule";
import { href } from "../router";
import { useLoad } from "../useLoad";

/** How a scheduled report repeats: every RecurrenceInterval hours, or at a cron expression's times. */
type Repeat = "interval" | "calendar";
type Form = Record<Field, string> & { ExecuteNow: boolean; Repeat: Repeat };

const EMPTY: Form = {
  ReportName: "",
  Description: "",
  QueryId: "",
  ExecuteNow: true,
  QueryStartTime: "",
  QueryEndTime: "",
  StartTime: "",
  RecurrenceInterval: "24",
  RecurrenceCount: "",
  Format: "csv",
  Compression: "none",
  SpreadsheetSafe: "",
  CallbackUrl: "",
  CallbackMethod: "POST",
  CallbackOnFailure: "",
  QueryWindow: "",
  Repeat: "interval",
  Schedule: "",
  TimeZone: "",
};

/** The zones the browser knows, offered as TimeZone's suggestions (the API judges what is typed). */
const TIME_ZONES = Intl.supportedValuesOf("timeZone");

/** The request body: the fields given, numbers as numbers (other text as typed, for the API to judge). */
function bodyOf(form: Form): Record<string, unknown> {
  const number = (value: string) => (/^-?\d+$/.test(value.trim()) ? Number(value) : value);
  const body: Record<string, unknown> = {
    ReportName: form.ReportName,
    QueryId: form.QueryId,
    ExecuteNow: form.ExecuteNow,
    Format: form.Format,
    Compression: form.Compression,
  };
  if (form.Description) body.Description = form.Description;
  // Empty: the service's default (OPENINSIGHTS_SPREADSHEET_SAFE).
  if (form.SpreadsheetSafe) body.SpreadsheetSafe = form.SpreadsheetSafe === "true";
  if (form.ExecuteNow) {
    if (form.QueryStartTime) body.QueryStartTime = apiTime(form.QueryStartTime);
    if (form.QueryEndTime) body.QueryEndTime = apiTime(form.QueryEndTime);
  } else {
    if (form.StartTime) body.StartTime = apiTime(form.StartTime);
    if (form.Repeat === "calendar") {
      // Sent even when empty, so that the API (not the form) says a schedule is required.
      body.Schedule = form.Schedule;
      // Empty: the API's default, UTC.
      if (form.TimeZone.trim()) body.TimeZone = form.TimeZone;
    } else if (form.RecurrenceInterval) body.RecurrenceInterval = number(form.RecurrenceInterval);
    if (form.RecurrenceCount) body.RecurrenceCount = number(form.RecurrenceCount);
    // Empty: the query's own TIMESPAN.
    if (form.QueryWindow) body.QueryWindow = form.QueryWindow;
  }
  if (form.CallbackUrl) {
    body.CallbackUrl = form.CallbackUrl;
    body.CallbackMethod = form.CallbackMethod;
    if (form.CallbackOnFailure) body.CallbackOnFailure = true;
  }
  return body;
}

export function ReportsPage() {
  const reports = useLoad(() => requestAll<Report>(programPath("/ScheduledReport")));
  const queries = useLoad(() => requestAll<Query>(programPath("/ScheduledQueries")));
  const [form, setForm] = useState<Form>(EMPTY);
  const [formError, setFormError] = useState<{ field: Field | null; message: string } | null>(null);
  const [created, setCreated] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<Report | null>(null);

  const set = (field: keyof Form, value: string | boolean) => setForm((f) => ({ ...f, [field]: value }));
  /** A format that takes no whole-file compression (Parquet) sets the compression back to none. */
  const setFormat = (format: string) =>
    setForm((f) => ({
      ...f,
      Format: format,
      Compression: compressionsOf(format).includes(f.Compression) ? f.Compression : "none",
    }));
  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setCreated(null);
    try {
      const answer = await request<Report>("POST", programPath("/ScheduledReport"), bodyOf(form));
      setCreated(answer.value[0]!);
      setForm(EMPTY);
      reports.reload();
    } catch (error) {
      const message = messageOf(error);
      setFormError({ field: error instanceof ApiError ? fieldOf(message) : null, message });
    } finally {
      setBusy(false);
    }
  };
  const act = async (method: "PUT" | "DELETE", path: string) => {
    setActionError(null);
    try {
      await request(method, programPath(path));
      reports.reload();
    } catch (error) {
      setActionError(error);
    }
  };

  const field = (name: Field, label: string, input: JSX.Element, help?: string) => (
    <FormField
      id={`report-${name}`}
      messageId={name}
      label={label}
      input={input}
      help={help}
      error={formError?.field === name ? formError.message : undefined}
    />
  );
  /** A text input; numbers and URLs stay text so that the API, not the browser, judges them. */
  const text = (name: Field, inputMode?: "numeric" | "url") => (
    <input
      type="text"
      inputMode={inputMode}
      value={form[name]}
      onInput={(e) => set(name, e.currentTarget.value)}
    />
  );
  /** A choice among [value, label] pairs. */
  const select = (name: Field, options: readonly (readonly [string, string])[]) => (
    <select value={form[name]} onChange={(e) => set(name, e.currentTarget.value)}>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
  const time = (name: Field) => (
    <input type="datetime-local" value={form[name]} onInput={(e) => set(name, e.currentTarget.value)} />
  );

  return (
    <section>
      <h1>Reports</h1>
      {actionError !== null && <ErrorNotice error={actionError} />}
      {reports.error !== undefined && <ErrorNotice error={reports.error} onRetry={reports.reload} />}
      {reports.loading && !reports.data && <Loading what="reports" />}
      {reports.data && reports.data.length === 0 && <p class="help">No reports yet: create one below.</p>}
      {reports.data && reports.data.length > 0 && (
        <div class="table-scroll">
          <table class="reports">
            <caption class="visually-hidden">Your reports</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Status</th>
                <th scope="col">Schedule</th>
                <th scope="col">Format</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {reports.data.map((report) => (
                <tr key={report.reportId}>
                  <td>
                    <a href={href("executions", report.reportId)}>{report.reportName}</a>
                    <div class="help">{report.description}</div>
                  </td>
                  <td>
                    <span class={`status s-${report.reportStatus.toLowerCase()}`}>{report.reportStatus}</span>
                  </td>
                  <td>{scheduleText(report)}</td>
                  <td>
                    {report.format}
                    {report.compression !== "none" ? ` (${report.compression})` : ""}
                    {report.spreadsheetSafe ? ", spreadsheet-safe" : ""}
                  </td>
                  <td class="actions">
                    <a class="button quiet small" href={href("executions", report.reportId)}>
                      Executions<span class="visually-hidden"> of {report.reportName}</span>
                    </a>
                    {report.reportStatus === "Active" && !report.executeNow && (
                      <button
                        type="button"
                        class="quiet small"
                        onClick={() => act("PUT", `/ScheduledReport/pause/${report.reportId}`)}
                      >
                        Pause<span class="visually-hidden"> {report.reportName}</span>
                      </button>
                    )}
                    {report.reportStatus === "Paused" && (
                      <button
                        type="button"
                        class="quiet small"
                        onClick={() => act("PUT", `/ScheduledReport/resume/${report.reportId}`)}
                      >
                        Resume<span class="visually-hidden"> {report.reportName}</span>
                      </button>
                    )}
                    <button type="button" class="quiet small" onClick={() => setDeleting(report)}>
                      Delete<span class="visually-hidden"> {report.reportName}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 id="create-heading">New report</h2>
      <form class="card" onSubmit={create} aria-labelledby="create-heading" noValidate>
        {created && (
          <div class="notice success" role="status">
            Report “{created.reportName}” created.{" "}
            <a href={href("executions", created.reportId)}>See its executions</a>.
          </div>
        )}
        {formError && formError.field === null && (
          <div class="notice error" role="alert">
            {formError.message}
          </div>
        )}
        <div class="fields">
          {field("ReportName", "Name", text("ReportName"))}
          {field(
            "QueryId",
            "Query",
            <select value={form.QueryId} onChange={(e) => set("QueryId", e.currentTarget.value)}>
              <option value="">Choose a query…</option>
              {(queries.data ?? []).map((q) => (
                <option key={q.queryId} value={q.queryId}>
                  {q.name}
                  {q.type === "system" ? " (system)" : ""}
                </option>
              ))}
            </select>,
          )}
          {field("Description", "Description", text("Description"))}
        </div>
        <Choice
          legend="When"
          name="when"
          value={form.ExecuteNow ? "now" : "scheduled"}
          options={[
            ["now", "Once, now (ExecuteNow)"],
            ["scheduled", "On a schedule"],
          ]}
          onChange={(when) => set("ExecuteNow", when === "now")}
        >
          <div class="fields">
            {form.ExecuteNow ? (
              <>
                {field("QueryStartTime", "Data from (UTC, optional)", time("QueryStartTime"))}
                {field("QueryEndTime", "Data until (UTC, optional)", time("QueryEndTime"))}
              </>
            ) : (
              <>
                <Choice
                  legend="Repeat"
                  name="repeat"
                  value={form.Repeat}
                  options={[
                    ["interval", "Every N hours"],
                    ["calendar", "Calendar (cron)"],
                  ]}
                  onChange={(repeat) => set("Repeat", repeat)}
                />
                {form.Repeat === "interval" ? (
                  <>
                    {field("StartTime", "First run (UTC)", time("StartTime"))}
                    {field("RecurrenceInterval", "Every (hours)", text("RecurrenceInterval", "numeric"))}
                  </>
                ) : (
                  <>
                    {field(
                      "Schedule",
                      "Schedule (cron)",
                      text("Schedule"),
                      "Five fields: minute hour day-of-month month day-of-week; e.g. 0 6 * * 1-5 is 06:00 on weekdays.",
                    )}
                    {field(
                      "TimeZone",
                      "Time zone",
                      <input
                        type="text"
                        list="report-time-zones"
                        placeholder="UTC"
                        value={form.TimeZone}
                        onInput={(e) => set("TimeZone", e.currentTarget.value)}
                      />,
                      "An IANA name such as Europe/Paris; the schedule's times are that zone's clock. Empty: UTC.",
                    )}
                    <datalist id="report-time-zones">
                      {TIME_ZONES.map((zone) => (
                        <option key={zone} value={zone} />
                      ))}
                    </datalist>
                    {field(
                      "StartTime",
                      "Runs from (UTC, optional)",
                      time("StartTime"),
                      "No run before this time. Empty: from now.",
                    )}
                  </>
                )}
                {field("RecurrenceCount", "Runs (empty: no end)", text("RecurrenceCount", "numeric"))}
                {field(
                  "QueryWindow",
                  "Data of each run",
                  select("QueryWindow", [
                    ["", "The query's TIMESPAN"],
                    ["SinceLastSuccess", "Since the last successful run"],
                  ]),
                  "Since the last successful run: each file holds only the rows that arrived since the previous file (QueryWindow SinceLastSuccess).",
                )}
              </>
            )}
          </div>
        </Choice>
        <div class="fields">
          {field(
            "Format",
            "Format",
            <select value={form.Format} onChange={(e) => setFormat(e.currentTarget.value)}>
              {FORMAT_CHOICES.map((choice) => (
                <option key={choice.format} value={choice.format}>
                  {choice.label}
                </option>
              ))}
            </select>,
          )}
          {field(
            "Compression",
            "Compression",
            select(
              "Compression",
              compressionsOf(form.Format).map((c) => [c, c === "none" ? "None" : c] as const),
            ),
            form.Format === "parquet"
              ? "Parquet files compress their own columns: no gzip or zstd around them."
              : undefined,
          )}
          {field(
            "SpreadsheetSafe",
            "Spreadsheet-safe text cells",
            select("SpreadsheetSafe", [
              ["", "Service default"],
              ["true", "Yes"],
              ["false", "No"],
            ]),
            "Yes: text cells that a spreadsheet would run as a formula are written as text.",
          )}
          {field("CallbackUrl", "Callback URL (optional)", text("CallbackUrl", "url"))}
          {field(
            "CallbackMethod",
            "Callback method",
            select("CallbackMethod", [
              ["POST", "POST"],
              ["GET", "GET"],
            ]),
          )}
          {field(
            "CallbackOnFailure",
            "Callback on failure",
            select("CallbackOnFailure", [
              ["", "No"],
              ["true", "Yes"],
            ]),
            "Yes: the callback is also sent when a run fails for good, with the failure's code and reason.",
          )}
        </div>
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create report"}
          </button>
        </div>
      </form>
      {deleting && (
        <Confirm
          title="Delete this report?"
          confirmLabel="Delete report"
          onConfirm={() => {
            const report = deleting;
            setDeleting(null);
            void act("DELETE", `/ScheduledReport/${report.reportId}`);
          }}
          onCancel={() => setDeleting(null)}
        >
          <p>“{deleting.reportName}” and its executions and files will be deleted.</p>
        </Confirm>
      )}
    </section>
  );
}
