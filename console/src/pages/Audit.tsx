/**
 * The audit log for operators (`GET /admin/v1/audit`): every change made or refused, oldest
 * first as the API pages it, filtered by tenant, actor, action, outcome and time, a page at a time.
 */
import { useState } from "preact/hooks";
import { Pager } from "../components/Pager";
import { ScrollRegion } from "../components/ScrollRegion";
import { ErrorNotice, Loading } from "../components/Status";
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

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const pages = usePages<AuditEntry>(
    withFilters("/admin/v1/audit", {
      ...applied,
      since: apiTime(applied.since),
      until: apiTime(applied.until),
      pageSize: PAGE_SIZE,
    }),
  );
  const { page } = pages;
  const set = (name: keyof Filters, value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const text = (name: keyof Filters, label: string, list?: string) => (
    <div class="field">
      <label for={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        type="text"
        list={list}
        value={draft[name]}
        onInput={(e) => set(name, e.currentTarget.value)}
      />
    </div>
  );
  const time = (name: "since" | "until", label: string) => (
    <div class="field">
      <label for={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        type="datetime-local"
        value={draft[name]}
        onInput={(e) => set(name, e.currentTarget.value)}
      />
    </div>
  );

  return (
    <section>
      <h1>Audit log</h1>
      <p class="help">
        Every change a client asked for, made or refused, oldest first: narrow it down by time with From and
        Before.
      </p>
      <form
        class="card filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <div class="fields">
          {text("tenant", "Tenant")}
          {text("actor", "Actor")}
          {text("action", "Action", "audit-actions")}
          <datalist id="audit-actions">
            {ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
          <div class="field">
            <label for="audit-outcome">Outcome</label>
            <select
              id="audit-outcome"
              value={draft.outcome}
              onChange={(e) => set("outcome", e.currentTarget.value)}
            >
              <option value="">Any</option>
              <option value="success">Success</option>
              <option value="failure">Failure</option>
            </select>
          </div>
          {time("since", "From (UTC)")}
          {time("until", "Before (UTC)")}
        </div>
        <div class="buttons">
          <button type="submit">Show entries</button>
          <button
            type="button"
            class="quiet"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      {page.error !== undefined && <ErrorNotice error={page.error} onRetry={page.reload} />}
      {page.loading && !page.data && <Loading what="the audit log" />}
      {page.data && page.data.value.length === 0 && <p class="help">No entries match.</p>}
      {page.data && page.data.value.length > 0 && (
        <ScrollRegion label="Audit log entries">
          <table class="audit stack">
            <caption class="visually-hidden">Audit log entries, page {pages.number}</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Tenant</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {page.data.value.map((entry) => (
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
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pager pages={pages} what="audit log" />
    </section>
  );
}
