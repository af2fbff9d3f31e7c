/** The API's objects as the console reads them (docs/api.md). */
export interface Dataset {
  datasetName: string;
  selectableColumns: string[];
  availableMetrics: string[];
  availableDateRanges: string[];
  minimumRecurrenceInterval: number;
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
  callbackDelivery: {
    status: string;
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
  } | null;
}

export const EXECUTION_STATUSES = ["Pending", "Running", "Paused", "Completed", "Failed"] as const;
