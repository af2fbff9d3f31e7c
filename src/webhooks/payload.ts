/**
 * The JSON body of a POST callback (documented in docs/callbacks.md). Field names are camelCase
 * like the execution objects of the API, times are UTC `yyyy-MM-ddTHH:mm:ssZ`.
 */

export interface CallbackPayloadInput {
  readonly reportId: string;
  readonly executionId: string;
  /** "Completed", or "Failed" for reports with CallbackOnFailure. */
  readonly status: string;
  /** The download link as GET executions returns it (null when the service has no public URL for it). */
  readonly reportAccessSecureLink: string | null;
  readonly reportExpiryTime: Date | null;
  readonly reportGeneratedTime: Date | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  /** Hex SHA-256 of the report file as downloaded. */
  readonly sha256: string | null;
  /** Why a Failed execution failed (null when Completed). */
  readonly failure: { readonly code: string; readonly reason: string } | null;
}

/** The body as sent and signed; the key order is fixed. */
export function callbackPayload(input: CallbackPayloadInput): string {
  return JSON.stringify({
    reportId: input.reportId,
    executionId: input.executionId,
    status: input.status,
    reportAccessSecureLink: input.reportAccessSecureLink,
    reportExpiryTime: time(input.reportExpiryTime),
    reportGeneratedTime: time(input.reportGeneratedTime),
    rowCount: input.rowCount,
    bytes: input.bytes,
    sha256: input.sha256,
    failure: input.failure,
  });
}

function time(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 19)}Z` : null;
}
