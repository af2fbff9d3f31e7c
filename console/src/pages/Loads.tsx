/**
 * The load history for operators (`GET /admin/v1/loads`): every load of rows, newest first, by
 * program, dataset, tenant and status, a page at a time; above it, the form that loads a file
 * (`POST /admin/v1/{program}/datasets/{dataset}/loads`), after which the history is read again.
 */
import { FilteredTable, FilterField, useFilters } from "../components/FilteredTable";
import { ErrorNotice } from "../components/Status";
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
const STATUS_CHOICES = [
  ["", "Any"],
  ["Running", "Running"],
  ["Completed", "Completed"],
  ["Failed", "Failed"],
] as const;

export function LoadsPage() {
  const programs = useLoad(servedPrograms);
  const filters = useFilters<Filters>(NO_FILTERS);
  const { draft } = filters;
  const pages = usePages<Load>(withFilters("/admin/v1/loads", { ...filters.applied, pageSize: PAGE_SIZE }));
  const set = (name: keyof Filters, value: string) =>
    // Dataset names are per program: another program clears the dataset.
    filters.setDraft((d) => ({ ...d, [name]: value, ...(name === "program" ? { dataset: "" } : {}) }));
  const datasets = programs.data?.find((p) => p.program === draft.program)?.datasets ?? [];

  return (
    <section>
      <h1>Loads</h1>
      <p class="help">Every load of rows into a tenant's dataset, newest first.</p>
      {programs.error !== undefined && <ErrorNotice error={programs.error} onRetry={programs.reload} />}
      <UploadForm programs={programs.data ?? []} onLoaded={pages.page.reload} />
      <h2>History</h2>
      <FilteredTable
        filters={filters}
        formLabel="Filter the loads"
        showLabel="Show loads"
        pages={pages}
        names={{ loading: "loads", pager: "loads", region: "Loads" }}
        empty="No loads match."
        tableClass="loads"
        columns={["Started", "Dataset", "Tenant", "Mode", "Status", "Rows", "Size", "Finished"]}
        row={(load) => (
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
        )}
      >
        <FilterField
          id="loads-program"
          label="Program"
          value={draft.program}
          set={(value) => set("program", value)}
          options={[
            ["", "All"],
            ...(programs.data ?? []).map((p) => [p.program, programTitle(p.program)] as const),
          ]}
        />
        <FilterField
          id="loads-dataset"
          label="Dataset"
          value={draft.dataset}
          set={(value) => set("dataset", value)}
          options={[["", "All"], ...datasets.map((name) => [name, name] as const)]}
          disabled={!draft.program}
          help="Choose a program first."
        />
        <FilterField
          id="loads-tenant"
          label="Tenant"
          value={draft.tenantId}
          set={(value) => set("tenantId", value)}
        />
        <FilterField
          id="loads-status"
          label="Status"
          value={draft.status}
          set={(value) => set("status", value)}
          options={STATUS_CHOICES}
        />
      </FilteredTable>
    </section>
  );
}
