/**
 * The load history for operators (`GET /admin/v1/loads`): every load of rows, newest first, by
 * program, dataset, tenant and status, a page at a time; above it, the form that loads a file
 * (`POST /admin/v1/{program}/datasets/{dataset}/loads`), after which the history is read again.
 */
import { useState } from "preact/hooks";
import { Pager } from "../components/Pager";
import { ScrollRegion } from "../components/ScrollRegion";
import { ErrorNotice, Loading } from "../components/Status";
import { UploadForm } from "../components/UploadForm";
import { withFilters } from "../filters";
import { bytes, count, shortTime } from "../format";
import type { Load } from "../model";
import { programTitle, servedPrograms } from "../programs";
import { useLoad } from "../useLoad";
import { usePages } from "../usePages";

const PAGE_SIZE = "50";
const NO_FILTERS = { program: "", dataset: "", tenantId: "", status: "" };
type Filters = typeof NO_FILTERS;

export function LoadsPage() {
  const programs = useLoad(servedPrograms);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const pages = usePages<Load>(withFilters("/admin/v1/loads", { ...applied, pageSize: PAGE_SIZE }));
  const { page } = pages;
  const set = (name: keyof Filters, value: string) =>
    // Dataset names are per program: another program clears the dataset.
    setDraft((d) => ({ ...d, [name]: value, ...(name === "program" ? { dataset: "" } : {}) }));
  const datasets = programs.data?.find((p) => p.program === draft.program)?.datasets ?? [];

  return (
    <section>
      <h1>Loads</h1>
      <p class="help">Every load of rows into a tenant's dataset, newest first.</p>
      {programs.error !== undefined && <ErrorNotice error={programs.error} onRetry={programs.reload} />}
      <UploadForm programs={programs.data ?? []} onLoaded={page.reload} />
      <h2>History</h2>
      <form
        class="card filters"
        aria-label="Filter the loads"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <div class="fields">
          <div class="field">
            <label for="loads-program">Program</label>
            <select
              id="loads-program"
              value={draft.program}
              onChange={(e) => set("program", e.currentTarget.value)}
            >
              <option value="">All</option>
              {(programs.data ?? []).map((p) => (
                <option key={p.program} value={p.program}>
                  {programTitle(p.program)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="loads-dataset">Dataset</label>
            <select
              id="loads-dataset"
              value={draft.dataset}
              disabled={!draft.program}
              aria-describedby="loads-dataset-help"
              onChange={(e) => set("dataset", e.currentTarget.value)}
            >
              <option value="">All</option>
              {datasets.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <p id="loads-dataset-help" class="help">
              Choose a program first.
            </p>
          </div>
          <div class="field">
            <label for="loads-tenant">Tenant</label>
            <input
              id="loads-tenant"
              type="text"
              value={draft.tenantId}
              onInput={(e) => set("tenantId", e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="loads-status">Status</label>
            <select
              id="loads-status"
              value={draft.status}
              onChange={(e) => set("status", e.currentTarget.value)}
            >
              <option value="">Any</option>
              <option value="Running">Running</option>
              <option value="Completed">Completed</option>
              <option value="Failed">Failed</option>
            </select>
          </div>
        </div>
        <div class="buttons">
          <button type="submit">Show loads</button>
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
      {page.loading && !page.data && <Loading what="loads" />}
      {page.data && page.data.value.length === 0 && <p class="help">No loads match.</p>}
      {page.data && page.data.value.length > 0 && (
        <ScrollRegion label="Loads">
          <table class="loads stack">
            <caption class="visually-hidden">Loads, page {pages.number}</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Dataset</th>
                <th scope="col">Tenant</th>
                <th scope="col">Mode</th>
                <th scope="col">Status</th>
                <th scope="col">Rows</th>
                <th scope="col">Size</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {page.data.value.map((load) => (
                <tr key={load.loadId}>
                  <td data-label="Started" class="nowrap">
                    {shortTime(load.startedAt)}
                  </td>
                  <td data-label="Dataset">
                    {load.dataset}
                    <div class="help">{load.program}</div>
                  </td>
                  <td data-label="Tenant">
                    <code>{load.tenantId}</code>
                  </td>
                  <td data-label="Mode">{load.mode}</td>
                  <td data-label="Status">
                    <span class={`status s-${load.status.toLowerCase()}`}>{load.status}</span>
                    {load.failureReason && <div class="field-error">{load.failureReason}</div>}
                  </td>
                  <td data-label="Rows" class="number">
                    {count(load.rowCount)}
                  </td>
                  <td data-label="Size" class="number">
                    {bytes(load.bytes)}
                  </td>
                  <td data-label="Finished" class="nowrap">
                    {shortTime(load.finishedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pager pages={pages} what="loads" />
    </section>
  );
}
