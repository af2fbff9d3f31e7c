/**
 * Secure download links: `GET|HEAD /downloads/<token>` serves a completed execution's file to
 * whoever holds a valid, unexpired link (no bearer token). Every invalid link gets the same 403.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StoredExecution } from "../executions/model.js";
import { contentTypeFor, downloadFileName, planDownload } from "../links/download.js";
import { linkExpiry, signDownloadToken, verifyDownloadToken } from "../links/tokens.js";
import type { StoredReport } from "../reports/model.js";
import type { FileStore, MetadataStore } from "../storage/ports.js";
import type { DownloadLink } from "./context.js";
import { errorEnvelope } from "./envelope.js";

export const DOWNLOAD_PATH = "/downloads";
const DENIED =
  "This download link is not valid or has expired. Get a fresh link from GET …/ScheduledReport/execution/{reportId}.";

export interface DownloadDeps {
  readonly store: MetadataStore;
  readonly files: FileStore;
  readonly linkKey: Buffer;
  readonly ttlHours: number;
  /** Hand out the file store's own presigned URLs (S3) instead of links on this service. */
  readonly presigned: boolean;
  readonly now: () => Date;
}

/**
 * A fresh link for a completed execution's file — or for part `part` (from 1) of a result in parts
 * — or null when it has no such file. The execution's own file of a result in parts is part 1.
 */
export async function downloadLink(
  deps: DownloadDeps,
  publicBase: string,
  execution: StoredExecution,
  /** The execution's report, when the caller has it already (presigned links need its name). */
  known?: StoredReport,
  part?: number,
): Promise<DownloadLink | null> {
  const key = executionFileKey(execution, part);
  if (execution.status !== "Completed" || !key) return null;
  const expiresAt = linkExpiry(deps.now(), deps.ttlHours);
  if (deps.presigned && deps.files.presignedUrl) {
    const scope = { tenant: execution.tenant, program: execution.program };
    const report = known ?? (await deps.store.getReport(scope, execution.reportId));
    if (!report) return null;
    return {
      url: await deps.files.presignedUrl(key, expiresAt, fileNameOf(report, execution, part)),
      expiresAt,
    };
  }
  const token = signDownloadToken(deps.linkKey, {
    executionId: execution.id,
    tenant: execution.tenant,
    expiresAt,
    ...(part === undefined ? {} : { part }),
  });
  return { url: `${publicBase}${DOWNLOAD_PATH}/${token}`, expiresAt };
}

/** The file key of the execution's file, or of its part `part`; undefined when it has none. */
function executionFileKey(execution: StoredExecution, part: number | undefined): string | undefined {
  if (part === undefined) return execution.fileKey ?? undefined;
  return execution.parts?.[part - 1]?.fileKey;
}

/** The download name: of the part asked for, or of part 1 when the execution's own file is one. */
function fileNameOf(report: StoredReport, execution: StoredExecution, part: number | undefined): string {
  const numbered = part ?? (execution.parts ? 1 : undefined);
  return downloadFileName(report.name, execution.scheduledTime, report.format, report.compression, numbered);
}

export function registerDownloadRoutes(app: FastifyInstance, deps: DownloadDeps): void {
  const handler = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const deny = () => reply.status(403).send(errorEnvelope(403, DENIED));
    const verified = verifyDownloadToken(deps.linkKey, request.params.token, deps.now());
    if (!verified.ok) {
      request.log.info({ reason: verified.reason }, "download link refused");
      return deny();
    }
    const { executionId, tenant, part } = verified.claims;
    const execution = await deps.store.findExecution(tenant, executionId);
    const key = execution && executionFileKey(execution, part);
    if (execution?.status !== "Completed" || !key) return deny();
    const report = await deps.store.getReport({ tenant, program: execution.program }, execution.reportId);
    const stat = await deps.files.stat(key);
    if (!report || !stat) {
      return reply
        .status(404)
        .send(errorEnvelope(404, "The report file no longer exists (files are kept for a limited time)"));
    }
    const fileName = fileNameOf(report, execution, part);
    const method = request.method === "HEAD" ? "HEAD" : "GET";
    const plan = planDownload({
      method,
      rangeHeader: request.headers.range,
      size: stat.bytes,
      fileName,
      contentType: contentTypeFor(fileName),
    });
    reply.status(plan.status).headers(plan.headers);
    if (method === "HEAD" || plan.status === 416) return reply.send();
    return reply.send(await deps.files.read(key, plan.range));
  };
  const schema = { hide: true };
  app.get(`${DOWNLOAD_PATH}/:token`, { schema, exposeHeadRoute: false }, handler);
  app.head(`${DOWNLOAD_PATH}/:token`, { schema }, handler);
}
