/**
 * Report queries: the editor (colours, the API's diagnostics while typing, one-click
 * suggestions, a preview of the first rows) and the tenant's own queries beside the system ones.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Diagnostic, messageOf, programPath, request, requestAll } from "../api";
import { Confirm } from "../components/Confirm";
import { QueryEditor } from "../components/QueryEditor";
import { RowsTable } from "../components/RowsTable";
import { ErrorNotice, Loading } from "../components/Status";
import type { Query } from "../model";
import { href } from "../router";
import { useLoad } from "../useLoad";

/** Pause in typing before the API checks the text. */
const CHECK_DELAY_MS = 400;
/**
 * The live check asks the try-query endpoint about a one-second window long ago: the API
 * parses and validates the text in full but has (almost) no rows to read.
 */
const CHECK_WINDOW = "&startTime=2000-01-01T00:00:00Z&endTime=2000-01-01T00:00:01Z";

const STARTER =
  "SELECT CustomerName, BilledRevenueUSD\nFROM CustomersAndTenants\nORDER BY BilledRevenueUSD DESC\nLIMIT 10\nTIMESPAN LAST_MONTH";

type Check = { state: "idle" | "checking" | "ok" } | { state: "problem"; message: string };

export function QueriesPage() {
  const queries = useLoad(() => requestAll<Query>(programPath("/ScheduledQueries")));
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [text, setText] = useState(STARTER);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [check, setCheck] = useState<Check>({ state: "idle" });
  const [preview, setPreview] = useState<{
    rows?: Record<string, unknown>[];
    error?: unknown;
    busy?: boolean;
  }>({});
  const [saveError, setSaveError] = useState<{
    field: "Name" | "Description" | "Query" | null;
    message: string;
  } | null>(null);
  const [saved, setSaved] = useState<Query | null>(null);
  const [filter, setFilter] = useState("");
  const [deleting, setDeleting] = useState<Query | null>(null);
  const [listError, setListError] = useState<unknown>(null);

  useEffect(() => {
    if (text.trim() === "") {
      setDiagnostics([]);
      setCheck({ state: "idle" });
      return;
    }
    let live = true;
    setCheck({ state: "checking" });
    const timer = setTimeout(async () => {
      try {
        await request(
          "GET",
          `${programPath("/ScheduledQueries/testQueryResult")}?exportQuery=${encodeURIComponent(text)}${CHECK_WINDOW}`,
        );
        if (!live) return;
        setDiagnostics([]);
        setCheck({ state: "ok" });
      } catch (error) {
        if (!live) return;
        setDiagnostics(error instanceof ApiError ? error.diagnostics : []);
        setCheck({ state: "problem", message: messageOf(error) });
      }
    }, CHECK_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  const edit = (value: string) => {
    setText(value);
    setSaved(null);
  };
  const apply = (d: Diagnostic) => {
    if (d.suggestion === undefined) return;
    edit(text.slice(0, d.offset) + d.suggestion + text.slice(d.offset + d.length));
    document.getElementById("query-text")?.focus();
  };
  const tryQuery = async () => {
    setPreview({ busy: true });
    try {
      const answer = await request<Record<string, unknown>>(
        "GET",
        `${programPath("/ScheduledQueries/testQueryResult")}?exportQuery=${encodeURIComponent(text)}`,
      );
      setPreview({ rows: answer.value });
    } catch (error) {
      if (error instanceof ApiError) setDiagnostics(error.diagnostics);
      setPreview({ error });
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSaveError(null);
    try {
      const answer = await request<Query>("POST", programPath("/ScheduledQueries"), {
        Name: name,
        Description: description,
        Query: text,
      });
      setSaved(answer.value[0]!);
      queries.reload();
    } catch (error) {
      if (error instanceof ApiError && error.diagnostics.length > 0) setDiagnostics(error.diagnostics);
      const message = messageOf(error);
      setSaveError({ field: fieldOf(message, error), message });
    }
  };
  const remove = async (query: Query) => {
    setDeleting(null);
    setListError(null);
    try {
      await request("DELETE", programPath(`/ScheduledQueries/${encodeURIComponent(query.queryId)}`));
      queries.reload();
    } catch (error) {
      setListError(error);
    }
  };

  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = (queries.data ?? []).filter((q) =>
    words.every((w) => `${q.name} ${q.description} ${q.query}`.toLowerCase().includes(w)),
  );
  const own = matching.filter((q) => q.type === "userDefined");
  const system = matching.filter((q) => q.type === "system");
  const open = (query: Query) => {
    setName(query.type === "system" ? `${query.name} (copy)` : query.name);
    setDescription(query.description);
    edit(query.query);
    setPreview({});
    document.getElementById("query-text")?.focus();
  };

  return (
    <div class="split">
      <section class="main-column" aria-labelledby="editor-heading">
        <h1 id="editor-heading">Queries</h1>
        <form onSubmit={save} class="card" noValidate>
          <label for="query-text">Query</label>
          <QueryEditor
            id="query-text"
            value={text}
            diagnostics={diagnostics}
            describedBy="query-check"
            onChange={edit}
          />
          <div id="query-check" class="check" aria-live="polite">
            {check.state === "checking" && <span class="help">Checking…</span>}
            {check.state === "ok" && <span class="ok">The API accepts this query.</span>}
            {check.state === "problem" && diagnostics.length === 0 && (
              <span class="field-error">{check.message}</span>
            )}
            {diagnostics.length > 0 && (
              <ul class="diagnostics">
                {diagnostics.map((d) => (
                  <li key={`${d.offset}-${d.code}`} class="diagnostic">
                    <span class="where">
                      Line {d.line}, column {d.column}
                    </span>{" "}
                    <span class="message">{d.message}</span>
                    {d.suggestion !== undefined && (
                      <button type="button" class="suggestion" onClick={() => apply(d)}>
                        Use {d.suggestion}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div class="fields">
            <div class="field">
              <label for="query-name">Name</label>
              <input
                id="query-name"
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
                aria-invalid={saveError?.field === "Name"}
                aria-describedby={saveError?.field === "Name" ? "query-save-error" : undefined}
              />
              {saveError?.field === "Name" && (
                <FieldError id="query-save-error" message={saveError.message} />
              )}
            </div>
            <div class="field">
              <label for="query-description">Description</label>
              <input
                id="query-description"
                value={description}
                onInput={(e) => setDescription(e.currentTarget.value)}
                aria-invalid={saveError?.field === "Description"}
                aria-describedby={saveError?.field === "Description" ? "query-save-error" : undefined}
              />
              {saveError?.field === "Description" && (
                <FieldError id="query-save-error" message={saveError.message} />
              )}
            </div>
          </div>
          {saveError && (saveError.field === null || saveError.field === "Query") && (
            <div class="notice error" role="alert">
              {saveError.message}
            </div>
          )}
          {saved && (
            <div class="notice success" role="status">
              Saved “{saved.name}” (query id <code>{saved.queryId}</code>).{" "}
              <a href={href("reports")}>Create a report</a> from it.
            </div>
          )}
          <div class="buttons">
            <button
              type="button"
              class="quiet"
              onClick={tryQuery}
              disabled={preview.busy || text.trim() === ""}
            >
              {preview.busy ? "Running…" : "Try query"}
            </button>
            <button type="submit">Save query</button>
          </div>
        </form>
        {preview.error !== undefined && <ErrorNotice error={preview.error} />}
        {preview.rows && (
          <section aria-labelledby="preview-heading">
            <h2 id="preview-heading">Preview</h2>
            <RowsTable rows={preview.rows} caption={`First ${preview.rows.length} rows`} />
          </section>
        )}
      </section>
      <aside class="side-column" aria-labelledby="saved-heading">
        <h2 id="saved-heading">Saved queries</h2>
        <label for="query-filter">Filter queries</label>
        <input
          id="query-filter"
          type="search"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        {queries.error !== undefined && <ErrorNotice error={queries.error} onRetry={queries.reload} />}
        {listError !== null && <ErrorNotice error={listError} />}
        {queries.loading && !queries.data && <Loading what="queries" />}
        {queries.data && (
          <>
            <h3>Yours ({own.length})</h3>
            {own.length === 0 && <p class="help">No queries of your own yet.</p>}
            <ul class="query-list" aria-label="Your queries">
              {own.map((q) => (
                <QueryItem key={q.queryId} query={q} onOpen={open} onDelete={setDeleting} />
              ))}
            </ul>
            <h3>System ({system.length})</h3>
            <ul class="query-list" aria-label="System queries">
              {system.map((q) => (
                <QueryItem key={q.queryId} query={q} onOpen={open} />
              ))}
            </ul>
          </>
        )}
      </aside>
      {deleting && (
        <Confirm
          title="Delete this query?"
          confirmLabel="Delete query"
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>“{deleting.name}” will be deleted. Reports that use it must be deleted first.</p>
        </Confirm>
      )}
    </div>
  );
}

function QueryItem({
  query,
  onOpen,
  onDelete,
}: {
  query: Query;
  onOpen(q: Query): void;
  onDelete?(q: Query): void;
}) {
  return (
    <li class="query-item">
      <div class="query-name">{query.name}</div>
      <code class="query-text">{query.query}</code>
      <div class="buttons">
        <button
          type="button"
          class="quiet small"
          onClick={() => onOpen(query)}
          aria-label={`Open ${query.name}`}
        >
          Open
        </button>
        {onDelete && (
          <button
            type="button"
            class="quiet small"
            onClick={() => onDelete(query)}
            aria-label={`Delete ${query.name}`}
          >
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={id} class="field-error" role="alert">
      {message}
    </p>
  );
}

/** The field an API message is about (the API names fields in its messages). */
function fieldOf(message: string, error: unknown): "Name" | "Description" | "Query" | null {
  if (error instanceof ApiError && error.diagnostics.length > 0) return "Query";
  if (/\bName\b/i.test(message)) return "Name";
  if (/Description/i.test(message)) return "Description";
  if (/Query/i.test(message)) return "Query";
  return null;
}
