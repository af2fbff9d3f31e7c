/**
 * Every dataset of the program: columns with their types, metrics, date ranges, when the tenant's
 * data was last loaded; searchable by name, column and date range.
 */
import { useState } from "preact/hooks";
import { programPath, request } from "../api";
import { ErrorNotice, Loading } from "../components/Status";
import { shortTime } from "../format";
import type { Dataset } from "../model";
import { programTitle } from "../programs";
import { currentProgram } from "../session";
import { useLoad } from "../useLoad";

export function DatasetsPage() {
  const datasets = useLoad(
    async () => (await request<Dataset>("GET", programPath("/ScheduledDataset"))).value,
  );
  const [search, setSearch] = useState("");

  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (datasets.data ?? []).filter((dataset) => {
    const text = [dataset.datasetName, ...namesOf(dataset), ...dataset.availableDateRanges]
      .join(" ")
      .toLowerCase();
    return words.every((word) => text.includes(word));
  });
  return (
    <section>
      <div class="heading">
        <h1>Datasets</h1>
        <span class="badge">{programTitle(currentProgram())}</span>
      </div>
      <label for="dataset-search">Search datasets, columns and date ranges</label>
      <input
        id="dataset-search"
        type="search"
        value={search}
        placeholder="e.g. revenue"
        onInput={(e) => setSearch(e.currentTarget.value)}
      />
      {datasets.error !== undefined && <ErrorNotice error={datasets.error} onRetry={datasets.reload} />}
      {datasets.loading && !datasets.data && <Loading what="datasets" />}
      {datasets.data && (
        <p role="status" class="help">
          {shown.length} of {datasets.data.length} datasets
        </p>
      )}
      <div class="grid">
        {shown.map((dataset) => (
          <article
            class="card dataset"
            key={dataset.datasetName}
            aria-labelledby={`ds-${dataset.datasetName}`}
          >
            <h2 id={`ds-${dataset.datasetName}`}>{dataset.datasetName}</h2>
            <dl class="facts">
              <dt>Columns</dt>
              <dd>{dataset.selectableColumns.length}</dd>
              <dt>Metrics</dt>
              <dd>{dataset.availableMetrics.length}</dd>
              <dt>Shortest recurrence</dt>
              <dd>{dataset.minimumRecurrenceInterval} h</dd>
              <dt>Last refreshed</dt>
              <dd class="refreshed">
                {dataset.lastRefreshedTime ? (
                  <time dateTime={dataset.lastRefreshedTime}>{shortTime(dataset.lastRefreshedTime)}</time>
                ) : (
                  "no load recorded"
                )}
              </dd>
            </dl>
            {/* Open while searching, so that the matching columns show. */}
            <details open={words.length > 0}>
              <summary>Columns and metrics</summary>
              <ul class="chips">
                {namesOf(dataset).map((column) => {
                  const metric = dataset.availableMetrics.includes(column);
                  // Metrics that are not columns have no catalog type in E1.
                  const type = dataset.openInsightsColumnTypes.find((c) => c.name === column)?.type;
                  return (
                    <li key={column} class={metric ? "chip metric" : "chip"}>
                      {column}
                      {type && (
                        <span class="chip-type">
                          <span class="visually-hidden">, </span>
                          {type}
                        </span>
                      )}
                      {metric && <span class="visually-hidden"> (metric)</span>}
                    </li>
                  );
                })}
              </ul>
            </details>
            <h3>Date ranges</h3>
            <p class="ranges">{dataset.availableDateRanges.join(", ")}</p>
          </article>
        ))}
      </div>
    </section>
  );
}

/**
 * The names a query can select: the columns, then the metrics that are not also columns (a summed
 * amount such as CustomersAndTenants' BilledRevenueUSD is a metric only: docs/datasets.md).
 */
function namesOf(dataset: Dataset): string[] {
  const columns = new Set(dataset.selectableColumns);
  return [...dataset.selectableColumns, ...dataset.availableMetrics.filter((metric) => !columns.has(metric))];
}
