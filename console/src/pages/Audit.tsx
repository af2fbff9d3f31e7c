/**
 * The audit log for operators (`GET /admin/v1/audit`): every change made or refused, oldest
 * first as the API pages it, filtered by tenant, actor, action, outcome and time, a page at a time.
 */
import { FilteredTable, FilterField, type FilterFieldProps, useFilters } from "../components/FilteredTable";
import { withFilters } from "../filters";
import { apiTime, shortTime } from "../format";
import type { AuditEntry } from "../model";
import { usePages } from "../usePages";

const PAGE_SIZE = "50";

/** The changes the log records (src/api/audit-trail.ts, and loads): offered as the action's choices. */
const ACTIONS = [
  "createQuery",
  "deleteQuery",
  "createReport",
  "updateReport",
  "deleteReport",
  "pauseReport",
  "resumeReport",
  "redeliver",
  "load",
];

const NO_FILTERS = { tenant: "", actor: "", action: "", outcome: "", since: "", until: "" };
type Filters = typeof NO_FILTERS;
const OUTCOME_CHOICES = [
  ["", "Any"],
  ["success", "Success"],
  ["failure", "Failure"],
] as const;

export function AuditPage() {
  const filters = useFilters<Filters>(NO_FILTERS);
  const { draft, applied } = filters;
  const pages = usePages<AuditEntry>(
    withFilters("/admin/v1/audit", {
      ...applied,
      since: apiTime(applied.since),
      until: apiTime(applied.until),
      pageSize: PAGE_SIZE,
    }),
  );
  const set = (name: keyof Filters, value: string) => filters.setDraft((d) => ({ ...d, [name]: value }));
  /** The filter of one field of the entries. */
  const filter = (name: keyof Filters, label: string, more?: Partial<FilterFieldProps>) => (
    <FilterField
      id={`audit-${name}`}
      label={label}
      value={draft[name]}
      set={(value) => set(name, value)}
      {...more}
    />
  );

  return (
    <section>
      <h1>Audit log</h1>
      <p class="help">
        Every change a client asked for, made or refused, oldest first: narrow it down by time with From and
        Before.
      </p>
      <FilteredTable
        filters={filters}
        formLabel="Filter the audit log"
        showLabel="Show entries"
        pages={pages}
        names={{ loading: "the audit log", pager: "audit log", region: "Audit log entries" }}
        empty="No entries match."
        tableClass="audit"
        columns={["Time", "Action", "Outcome", "Tenant", "Actor", "Target", "Detail"]}
        row={(entry) => (
          <tr key={entry.id}>
            <td data-label="Time" class="nowrap">
              {shortTime(entry.time)}
            </td>
            <td data-label="Action">
              {entry.action}
              {entry.program && <div class="help">{entry.program}</div>}
            </td>
            <td data-label="Outcome">
              <span class={`status s-${entry.outcome}`}>{entry.outcome}</span>
              {entry.statusCode !== null && <div class="help">HTTP {entry.statusCode}</div>}
            </td>
            <td data-label="Tenant">
              <code>{entry.tenant}</code>
            </td>
            <td data-label="Actor">
              {entry.actor}
              {entry.requestId && <div class="help">request {entry.requestId}</div>}
            </td>
            <td data-label="Target">{entry.target && <code>{entry.target}</code>}</td>
            <td data-label="Detail">{entry.detail}</td>
          </tr>
        )}
      >
        {filter("tenant", "Tenant")}
        {filter("actor", "Actor")}
        {filter("action", "Action", { list: "audit-actions" })}
        <datalist id="audit-actions">
          {ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
        {filter("outcome", "Outcome", { options: OUTCOME_CHOICES })}
        {filter("since", "From (UTC)", { type: "datetime-local" })}
        {filter("until", "Before (UTC)", { type: "datetime-local" })}
      </FilteredTable>
    </section>
  );
}
