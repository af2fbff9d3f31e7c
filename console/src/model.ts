/** The API's objects as the console reads them (docs/api.md). */
export interface Dataset {
  datasetName: string;
  selectableColumns: string[];
  availableMetrics: string[];
  availableDateRanges: string[];
  minimumRecurrenceInterval: number;
  /** When the calling tenant's last load of the dataset completed; null when it never had one. */
  lastRefreshedTime: string | null;
  /** Each selectable column with its catalog type (string, integer, decimal, date, datetime, boolean). */
  openInsightsColumnTypes: { name: string; type: string }[];
}

/** A program the service serves (`GET /insights/v1/programs`). */
export interface ProgramInfo {
  program: string;
  basePaths: string[];
  datasets: string[];
}

export interface Query {
  queryId: string;
  name: string;
  description: string;
  query: string;
  type: "userDefined" | "system";
  user: string;
  createdTime: string;
  modifiedTime: string | null;
}

export interface Report {
  reportId: string;
  reportName: string;
  description: string;
  queryId: string;
  query: string;
  user: string;
  createdTime: string;
  executeNow: boolean;
  queryStartTime: string | null;
  queryEndTime: string | null;
  startTime: string | null;
  reportStatus: string;
  recurrenceInterval: number;
  recurrenceCount: number | null;
  callbackUrl: string | null;
  callbackMethod: string | null;
  format: string;
  compression: string;
  spreadsheetSafe: boolean;
  callbackOnFailure: boolean;
  queryWindow: string | null;
  /** A calendar schedule's 5-field cron expression; null for an interval (RecurrenceInterval) one. */
  schedule: string | null;
  /** The IANA zone the cron expression is read in; null for an interval schedule. */
  timeZone: string | null;
}

export interface Execution {
  executionId: string;
  reportId: string;
  executionStatus: "Pending" | "Running" | "Paused" | "Completed" | "Failed";
  reportAccessSecureLink: string | null;
  reportExpiryTime: string | null;
  reportGeneratedTime: string | null;
  scheduledTime: string | null;
  attempts: number;
  manifest: {
    rowCount: number;
    bytes: number;
    sha256: string;
    dataWindowStart: string | null;
    dataWindowEnd: string | null;
  } | null;
  failure: { code: string; reason: string; willRetry: boolean } | null;
  callbackDelivery: CallbackDelivery | null;
}

export interface CallbackDelivery {
  status: "Pending" | "Delivered" | "Failed";
  url: string;
  method: string;
  deliveredTime: string | null;
  nextAttemptTime: string | null;
  attempts: {
    attempt: number;
    time: string;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
  }[];
}

/** A callback as `…/execution/{reportId}/deliveries` lists it: whose it is, then the delivery. */
export interface ReportDelivery extends CallbackDelivery {
  reportId: string;
  executionId: string;
  webhookId: string;
}

/** A load of rows (`GET /admin/v1/loads`). */
export interface Load {
  loadId: string;
  program: string;
  dataset: string;
  tenantId: string;
  mode: "append" | "replace";
  status: "Running" | "Completed" | "Failed";
  rowCount: number | null;
  bytes: number | null;
  startedAt: string;
  finishedAt: string | null;
  failureReason: string | null;
}

/** An entry of the audit log (`GET /admin/v1/audit`). */
export interface AuditEntry {
  id: string;
  time: string;
  tenant: string;
  actor: string;
  requestId: string | null;
  action: string;
  program: string | null;
  target: string | null;
  outcome: "success" | "failure";
  statusCode: number | null;
  detail: string | null;
}

export const EXECUTION_STATUSES = ["Pending", "Running", "Paused", "Completed", "Failed"] as const;
