/**
 * One report's executions, newest first: status, data window, rows, size, failure, the file's
 * download and manifest, callback attempts with a button that sends a callback again, and charts
 * of rows and time to file per run.
 */
import { useEffect, useState } from "preact/hooks";
import { programPath, request, requestAll } from "../api";
import { BarChart } from "../components/RunChart";
import { ErrorNotice, Loading } from "../components/Status";
import { bytes, count, shortTime } from "../format";
import {
  type CallbackDelivery,
  EXECUTION_STATUSES,
  type Execution,
  type Report,
  type ReportDelivery,
} from "../model";
import { scheduleText } from "../report-schedule";
import { href } from "../router";
import { useLoad } from "../useLoad";

/** While a run or a callback is under way, the page asks again this often. */
const REFRESH_MS = 1500;

export function ExecutionsPage({ reportId }: { reportId: string }) {
  const report = useLoad(
    async () =>
      (
        await request<Report>(
          "GET",
          `${programPath("/ScheduledReport")}?reportId=${encodeURIComponent(reportId)}`,
        )
      ).value[0] ?? null,
    [reportId],
  );
  const executionsPath = programPath(`/ScheduledReport/execution/${encodeURIComponent(reportId)}`);
  const loaded = useLoad(async () => {
    const [all, deliveries] = await Promise.all([
      requestAll<Execution>(
        `${executionsPath}?getLatestExecution=false&executionStatus=${EXECUTION_STATUSES.join(";")}`,
      ),
      request<ReportDelivery>("GET", `${executionsPath}/deliveries`),
    ]);
    return {
      executions: all.sort((a, b) => (b.scheduledTime ?? "").localeCompare(a.scheduledTime ?? "")),
      deliveries: new Map(deliveries.value.map((d) => [d.executionId, d])),
    };
  }, [reportId]);
  const executions = { ...loaded, data: loaded.data?.executions };
  /** Each execution's callback: the deliveries route's (with redeliveries), else the execution's own. */
  const deliveryOf = (execution: Execution): CallbackDelivery | null =>
    loaded.data?.deliveries.get(execution.executionId) ?? execution.callbackDelivery;
  const [redelivery, setRedelivery] = useState<{ executionId: string; outcome: unknown } | null>(null);
  const redeliver = async (executionId: string) => {
    try {
      const answer = await request<ReportDelivery>(
        "POST",
        `${executionsPath}/deliveries/${encodeURIComponent(executionId)}/redeliver`,
      );
      setRedelivery({ executionId, outcome: answer.message ?? "Callback queued for redelivery" });
    } catch (error) {
      setRedelivery({ executionId, outcome: error });
    }
    loaded.reload();
  };
  /** A run or its callback still on its way: the page asks again. */
  const unfinished = (executions.data ?? []).some(
    (e) =>
      e.executionStatus === "Pending" ||
      e.executionStatus === "Running" ||
      deliveryOf(e)?.status === "Pending",
  );
  const { reload } = executions;
  useEffect(() => {
    if (!unfinished) return;
    const timer = setTimeout(reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [unfinished, executions.data, reload]);

  const completed = (executions.data ?? []).filter((e) => e.manifest).reverse();
  const rows = completed.map((e) => ({ label: e.scheduledTime ?? "", value: e.manifest!.rowCount }));
  const seconds = completed.map((e) => ({
    label: e.scheduledTime ?? "",
    value: Math.max(
      0,
      Math.round((Date.parse(e.reportGeneratedTime ?? "") - Date.parse(e.scheduledTime ?? "")) / 1000),
    ),
  }));

  return (
    <section>
      <p>
        <a href={href("reports")}>← Reports</a>
      </p>
      <h1>Executions{report.data ? ` of ${report.data.reportName}` : ""}</h1>
      {report.data === null && <ErrorNotice error={new Error(`No report with id ${reportId}`)} />}
      {report.data && (
        <p class="help">
          Query <code>{report.data.query}</code> · {report.data.reportStatus} · {scheduleText(report.data)}
        </p>
      )}
      {executions.error !== undefined && <ErrorNotice error={executions.error} onRetry={executions.reload} />}
      {executions.loading && !executions.data && <Loading what="executions" />}
      {unfinished && (
        <p class="help" role="status">
          Waiting for runs and callbacks to finish…
        </p>
      )}
      {completed.length > 0 && (
        <div class="charts">
          <BarChart title="Rows per run" unit="rows" points={rows} />
          <BarChart title="Seconds from slot to file" unit="s" points={seconds} />
        </div>
      )}
      {executions.data && executions.data.length === 0 && <p class="help">No executions yet.</p>}
      <ol class="executions">
        {(executions.data ?? []).map((execution) => (
          <li key={execution.executionId} class="card execution">
            <div class="execution-head">
              <span class={`status s-${execution.executionStatus.toLowerCase()}`}>
                {execution.executionStatus}
              </span>
              <span>Slot {shortTime(execution.scheduledTime)}</span>
              {execution.reportAccessSecureLink && (
                <a class="button small" href={execution.reportAccessSecureLink} download>
                  Download
                  <span class="visually-hidden"> the file of {shortTime(execution.scheduledTime)}</span>
                </a>
              )}
            </div>
            <dl class="facts">
              <dt>Data window</dt>
              <dd>
                {execution.manifest
                  ? `${shortTime(execution.manifest.dataWindowStart)} – ${shortTime(execution.manifest.dataWindowEnd)}`
                  : "—"}
              </dd>
              <dt>Rows</dt>
              <dd>{count(execution.manifest?.rowCount)}</dd>
              <dt>Size</dt>
              <dd>{bytes(execution.manifest?.bytes)}</dd>
              <dt>Generated</dt>
              <dd>{shortTime(execution.reportGeneratedTime)}</dd>
              <dt>Attempts</dt>
              <dd>{execution.attempts}</dd>
            </dl>
            {execution.failure && (
              <p class="notice error">
                <strong>{execution.failure.code}</strong>: {execution.failure.reason}
                {execution.failure.willRetry ? " (will retry)" : ""}
              </p>
            )}
            {execution.manifest && (
              <details>
                <summary>Manifest</summary>
                <dl class="facts">
                  <dt>SHA-256</dt>
                  <dd>
                    <code class="hash">{execution.manifest.sha256}</code>
                  </dd>
                  <dt>Link expires</dt>
                  <dd>{shortTime(execution.reportExpiryTime)}</dd>
                  <dt>Execution id</dt>
                  <dd>
                    <code>{execution.executionId}</code>
                  </dd>
                </dl>
              </details>
            )}
            <Callback
              delivery={deliveryOf(execution)}
              slot={shortTime(execution.scheduledTime)}
              outcome={redelivery?.executionId === execution.executionId ? redelivery.outcome : undefined}
              onRedeliver={() => redeliver(execution.executionId)}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * An execution's callback: its status, every attempt with its outcome, and "Send again" — also
 * while it waits for its next retry, which it then skips; the API refuses (400, its message shown)
 * only while an attempt is being sent.
 */
function Callback({
  delivery,
  slot,
  outcome,
  onRedeliver,
}: {
  delivery: CallbackDelivery | null;
  slot: string;
  /** What the last "Send again" answered: the API's message, or its error. */
  outcome: unknown;
  onRedeliver(): void;
}) {
  if (!delivery) return null;
  const attempts = delivery.attempts.length;
  return (
    <details class="callback" open={outcome !== undefined}>
      <summary>
        Callback: <span class={`status s-${delivery.status.toLowerCase()}`}>{delivery.status}</span> (
        {attempts} {attempts === 1 ? "attempt" : "attempts"})
      </summary>
      <p class="help">
        {delivery.method} {delivery.url}
        {delivery.deliveredTime && ` · delivered ${shortTime(delivery.deliveredTime)}`}
        {delivery.nextAttemptTime && ` · next attempt ${shortTime(delivery.nextAttemptTime)}`}
      </p>
      <ul class="attempts">
        {delivery.attempts.map((attempt) => {
          const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
          return (
            <li key={attempt.attempt} class={ok ? "ok" : "failed"}>
              #{attempt.attempt} {shortTime(attempt.time)}:{" "}
              {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "no answer")} in{" "}
              {attempt.durationMs} ms
            </li>
          );
        })}
      </ul>
      <button type="button" class="quiet small" onClick={onRedeliver}>
        Send again<span class="visually-hidden"> the callback of {slot}</span>
      </button>
      {outcome !== undefined &&
        (outcome instanceof Error ? (
          <ErrorNotice error={outcome} />
        ) : (
          <p class="notice success" role="status">
            {String(outcome)}
          </p>
        ))}
    </details>
  );
}
