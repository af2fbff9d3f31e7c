/**
 * The load upload form (operators): one file of a tenant's rows into a dataset, appended or
 * replacing its rows (all of them, or the days from–to), with the upload's progress and then the
 * API's answer. `POST /admin/v1/{program}/datasets/{dataset}/loads?tenantId=…&mode=…[&from&to]`,
 * the body the file itself, its format named by the Content-Type (docs/loading.md).
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, messageOf } from "../api";
import { Choice } from "../components/Choice";
import { Confirm } from "../components/Confirm";
import { FormField } from "../components/FormField";
import { ErrorNotice } from "../components/Status";
import { bytes, count, shortTime } from "../format";
import { LOAD_FORMATS, type LoadField, loadFieldOf, loadFormatOf } from "../load-fields";
import type { Load, ProgramInfo } from "../model";
import { programTitle } from "../programs";
import { upload } from "../upload";

interface Form {
  program: string;
  dataset: string;
  tenantId: string;
  mode: "append" | "replace";
  from: string;
  to: string;
  format: string;
}

const EMPTY: Form = {
  program: "",
  dataset: "",
  tenantId: "",
  mode: "append",
  from: "",
  to: "",
  format: "text/csv",
};

type Progress = { sent: number; total: number };

export function UploadForm({ programs, onLoaded }: { programs: readonly ProgramInfo[]; onLoaded(): void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ field: LoadField | null; error: unknown } | null>(null);
  const [loaded, setLoaded] = useState<Load | null>(null);
  /** A replace waiting for the person's confirmation: nothing is sent before it. */
  const [confirming, setConfirming] = useState(false);
  const datasets = programs.find((p) => p.program === form.program)?.datasets ?? [];
  const set = (name: keyof Form, value: string) =>
    setForm((f) => ({ ...f, [name]: value, ...(name === "program" ? { dataset: "" } : {}) }));

  const submit = (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setLoaded(null);
    if (!form.program || !form.dataset) {
      setProblem({
        field: form.program ? "dataset" : "program",
        error: new Error("Choose the program and the dataset to load into."),
      });
    } else if (!file) {
      setProblem({ field: "file", error: new Error("Choose the file to load.") });
    } else if (form.mode === "replace") {
      setConfirming(true);
    } else {
      void send(file);
    }
  };
  const send = async (body: File) => {
    const query = new URLSearchParams({ tenantId: form.tenantId.trim(), mode: form.mode });
    if (form.mode === "replace" && (form.from || form.to)) {
      query.set("from", form.from);
      query.set("to", form.to);
    }
    setBusy(true);
    setProgress({ sent: 0, total: body.size });
    try {
      const answer = await upload<Load>(
        `/admin/v1/${encodeURIComponent(form.program)}/datasets/${encodeURIComponent(form.dataset)}/loads?${query}`,
        body,
        form.format,
        (sent, total) => setProgress({ sent, total }),
      );
      setLoaded(answer.value[0] ?? null);
      onLoaded();
    } catch (error) {
      const message = messageOf(error);
      setProblem({ field: error instanceof ApiError ? loadFieldOf(message) : null, error });
      // A file refused while loading leaves a Failed load in the history.
      if (error instanceof ApiError) onLoaded();
    } finally {
      setBusy(false);
    }
  };

  const field = (name: LoadField, label: string, input: JSX.Element, help?: string) => (
    <FormField
      id={`load-${name}`}
      messageId={`load-${name}`}
      label={label}
      input={input}
      help={help}
      error={problem?.field === name ? messageOf(problem.error) : undefined}
    />
  );
  const percent = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;

  return (
    <>
      <h2 id="upload-heading">Load a file</h2>
      <form class="card" onSubmit={submit} aria-labelledby="upload-heading" noValidate>
        {problem && problem.field === null && <ErrorNotice error={problem.error} />}
        <div class="fields">
          {field(
            "program",
            "Program",
            <select value={form.program} onChange={(e) => set("program", e.currentTarget.value)}>
              <option value="">Choose a program…</option>
              {programs.map((p) => (
                <option key={p.program} value={p.program}>
                  {programTitle(p.program)}
                </option>
              ))}
            </select>,
          )}
          {field(
            "dataset",
            "Dataset",
            <select
              value={form.dataset}
              disabled={!form.program}
              onChange={(e) => set("dataset", e.currentTarget.value)}
            >
              <option value="">Choose a dataset…</option>
              {datasets.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>,
          )}
          {field(
            "tenantId",
            "Tenant id",
            <input
              type="text"
              value={form.tenantId}
              onInput={(e) => set("tenantId", e.currentTarget.value)}
            />,
            "The tenant whose rows the file holds (a GUID).",
          )}
          {field(
            "file",
            "File",
            <input
              type="file"
              accept={LOAD_FORMATS.flatMap((f) => f.endings).join(",")}
              onChange={(e) => {
                const chosen = e.currentTarget.files?.[0] ?? null;
                setFile(chosen);
                if (chosen) set("format", loadFormatOf(chosen.name));
              }}
            />,
          )}
          {field(
            "format",
            "Format",
            <select value={form.format} onChange={(e) => set("format", e.currentTarget.value)}>
              {LOAD_FORMATS.map((f) => (
                <option key={f.type} value={f.type}>
                  {f.label}
                </option>
              ))}
            </select>,
            "Taken from the file's name; sent as its Content-Type.",
          )}
        </div>
        <Choice
          legend="Mode"
          name="load-mode"
          value={form.mode}
          options={[
            ["append", "Append the rows"],
            ["replace", "Replace the tenant's rows"],
          ]}
          onChange={(mode) => set("mode", mode)}
        >
          {problem?.field === "mode" && (
            <p class="field-error" role="alert">
              {messageOf(problem.error)}
            </p>
          )}
          {form.mode === "replace" && (
            <div class="fields">
              {field(
                "from",
                "From day (optional)",
                <input type="date" value={form.from} onInput={(e) => set("from", e.currentTarget.value)} />,
                "With From and To, only the rows of those days are replaced; without, all of them.",
              )}
              {field(
                "to",
                "To day (the day after the last)",
                <input type="date" value={form.to} onInput={(e) => set("to", e.currentTarget.value)} />,
              )}
            </div>
          )}
        </Choice>
        {progress && (
          <div class="upload-progress">
            <label for="load-progress">
              {busy && percent === 100 ? "Sent; loading the rows…" : "Upload"}
            </label>
            <progress id="load-progress" max={progress.total || 1} value={progress.sent} />
            <span class="help">
              {bytes(progress.sent)} of {bytes(progress.total)} sent ({percent} %)
            </span>
          </div>
        )}
        <div role="status">
          {loaded && (
            <div class="notice success load-record">
              <p>
                <strong>Load {loaded.status}:</strong> {count(loaded.rowCount)} rows into {loaded.dataset} (
                {loaded.program}) for <code>{loaded.tenantId}</code>, {loaded.mode}.
              </p>
              <dl>
                <dt>Load id</dt>
                <dd>
                  <code>{loaded.loadId}</code>
                </dd>
                <dt>Status</dt>
                <dd>{loaded.status}</dd>
                <dt>Rows</dt>
                <dd>{count(loaded.rowCount)}</dd>
                <dt>Size</dt>
                <dd>{bytes(loaded.bytes)}</dd>
                <dt>Started</dt>
                <dd>{shortTime(loaded.startedAt)}</dd>
                <dt>Finished</dt>
                <dd>{shortTime(loaded.finishedAt)}</dd>
              </dl>
            </div>
          )}
        </div>
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {busy ? "Loading…" : "Load file"}
          </button>
        </div>
      </form>
      {confirming && (
        <Confirm
          title="Replace the tenant's rows?"
          confirmLabel="Replace rows"
          onConfirm={() => {
            setConfirming(false);
            if (file) void send(file);
          }}
          onCancel={() => setConfirming(false)}
        >
          <p>
            The rows of tenant <code>{form.tenantId.trim() || "(no tenant id given)"}</code> in dataset{" "}
            <strong>{form.dataset}</strong> ({programTitle(form.program)}) will be replaced by the file's
            rows: {replacedWindow(form)}.
          </p>
        </Confirm>
      )}
    </>
  );
}

/** Which of the tenant's rows a replace takes away: all of them, or the days from–to (to excluded). */
function replacedWindow({ from, to }: Form): string {
  if (!from && !to) return "all of them, whatever their date";
  return `those dated from ${from || "(no From day)"} up to, not including, ${to || "(no To day)"}`;
}
