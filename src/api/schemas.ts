/**
 * JSON schemas of the routes, for the OpenAPI document. Requests are validated by the domain
 * rules (case-insensitive field names, documented messages), not by these schemas.
 */
import { builtInCatalogs } from "../datasets/catalog.js";
import { COLUMN_TYPES, type Program } from "../datasets/types.js";
import { COMPRESSIONS, REPORT_FORMAT_NAMES } from "../reports/formats.js";

const envelopeOf = (item: object) => ({
  type: "object",
  properties: {
    value: { type: "array", items: item },
    nextLink: {
      type: ["string", "null"],
      description: "Full URL of the next page, or null on the last page",
    },
    totalCount: { type: "integer", description: "Number of items in value" },
    message: { type: ["string", "null"] },
    statusCode: { type: "integer" },
    dataRedacted: { type: "boolean" },
  },
});

const time = { type: ["string", "null"], description: "UTC, yyyy-MM-ddTHH:mm:ssZ" };
const errorResponse = { description: "Error: the envelope with message and statusCode", ...envelopeOf({}) };

const dataset = {
  type: "object",
  properties: {
    datasetName: { type: "string" },
    selectableColumns: { type: "array", items: { type: "string" } },
    availableMetrics: { type: "array", items: { type: "string" } },
    availableDateRanges: { type: "array", items: { type: "string" } },
    minimumRecurrenceInterval: { type: "integer" },
    lastRefreshedTime: {
      ...time,
      description:
        "Extension: when the calling tenant's last load of this dataset completed; null when never loaded",
    },
    openInsightsColumnTypes: {
      type: "array",
      description: "Extension: each selectable column, in selectableColumns order, with its catalog type",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          type: { type: "string", enum: COLUMN_TYPES },
        },
      },
    },
  },
};

const query = {
  type: "object",
  properties: {
    queryId: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    query: { type: "string" },
    type: { type: "string", enum: ["userDefined", "system"] },
    user: { type: "string" },
    createdTime: time,
    modifiedTime: time,
  },
};

const report = {
  type: "object",
  properties: {
    reportId: { type: "string" },
    reportName: { type: "string" },
    description: { type: "string" },
    queryId: { type: "string" },
    query: { type: "string" },
    user: { type: "string" },
    createdTime: time,
    modifiedTime: time,
    executeNow: { type: "boolean" },
    queryStartTime: time,
    queryEndTime: time,
    startTime: time,
    reportStatus: { type: "string", enum: ["Active", "Paused", "Inactive"] },
    recurrenceInterval: { type: "integer" },
    recurrenceCount: { type: ["integer", "null"] },
    callbackUrl: { type: ["string", "null"] },
    callbackMethod: { type: ["string", "null"], enum: ["GET", "POST", null] },
    callbackOnFailure: {
      type: "boolean",
      description: "Extension: also called back when an execution fails for good",
    },
    format: { type: "string", enum: REPORT_FORMAT_NAMES },
    compression: {
      type: "string",
      enum: COMPRESSIONS,
      description: "Extension: report files compressed whole with gzip or zstd (not Parquet)",
    },
    queryWindow: { type: ["string", "null"], enum: ["SinceLastSuccess", null], description: "Extension" },
    schedule: {
      type: ["string", "null"],
      description:
        "Extension: the 5-field cron expression of a calendar schedule, or null (RecurrenceInterval)",
    },
    timeZone: { type: ["string", "null"], description: "Extension: the IANA zone of schedule, or null" },
    spreadsheetSafe: {
      type: "boolean",
      description:
        "Extension: text cells starting with =, +, -, @, TAB or CR are prefixed with ' so spreadsheets do not run them as formulas",
    },
    maxFileSizeMB: {
      type: ["integer", "null"],
      description:
        "Extension: results larger than this many MB (1,048,576 bytes) are written in parts; null = the deployment's default (OPENINSIGHTS_MAX_FILE_SIZE_MB), else one file",
    },
    testClockId: {
      type: ["string", "null"],
      description:
        "Extension: the test clock the report lives on (docs/test-clocks.md); null = the wall clock",
    },
  },
};

const testClock = {
  type: "object",
  properties: {
    testClockId: { type: "string" },
    name: { type: "string" },
    frozenTime: { ...time, description: "The clock's time: reports on it see this instant as now" },
    status: {
      type: "string",
      enum: ["Ready", "Advancing"],
      description: "Ready once every due slot of its reports has its execution",
    },
    createdTime: time,
  },
};

const testClockIdParam = { type: "object", properties: { testClockId: { type: "string" } } };

const faultRule = {
  type: "object",
  description:
    "An HTTP rule (Path, optional Method, Status 429|500|503, optional LatencyMs) or a rule with Target execution|callback; Probability 0–1 (default 1)",
  properties: {
    Method: { type: "string", description: "HTTP method; absent = any" },
    Path: {
      type: "string",
      description: "Glob over the request path: * within a segment, ** across segments",
    },
    Status: { type: "integer", enum: [429, 500, 503] },
    LatencyMs: { type: "integer", minimum: 0, maximum: 60000 },
    Target: { type: "string", enum: ["execution", "callback"] },
    Probability: { type: "number", minimum: 0, maximum: 1, default: 1 },
  },
};

const faultRuleOut = {
  type: "object",
  properties: {
    method: { type: ["string", "null"] },
    path: { type: ["string", "null"] },
    status: { type: ["integer", "null"] },
    latencyMs: { type: "integer" },
    target: { type: "string", enum: ["http", "execution", "callback"] },
    probability: { type: "number" },
  },
};

const execution = {
  type: "object",
  properties: {
    executionId: { type: "string" },
    reportId: { type: "string" },
    recurrenceInterval: { type: "integer" },
    recurrenceCount: { type: ["integer", "null"] },
    callbackUrl: { type: ["string", "null"] },
    callbackMethod: { type: ["string", "null"] },
    format: { type: "string" },
    executionStatus: { type: "string", enum: ["Pending", "Running", "Paused", "Completed", "Failed"] },
    reportLocation: { type: ["string", "null"] },
    reportAccessSecureLink: { type: ["string", "null"] },
    reportExpiryTime: time,
    reportGeneratedTime: time,
    scheduledTime: { ...time, description: "Extension: the slot this execution runs for" },
    attempts: { type: "integer", description: "Extension: attempts made so far" },
    skippedSlots: { type: "integer", description: "Extension: earlier slots skipped after downtime" },
    manifest: {
      type: ["object", "null"],
      description: "Extension: the completed file",
      properties: {
        rowCount: { type: "integer" },
        bytes: { type: "integer" },
        sha256: { type: "string" },
        dataWindowStart: time,
        dataWindowEnd: time,
        dataVersion: {
          type: ["string", "null"],
          description:
            "Extension: the version of the dataset's rows (for the calling tenant) the file was made from; two files of one window with the same version hold the same rows",
        },
        parts: {
          type: "array",
          description:
            "Extension (MaxFileSizeMB): present when the result was written in parts; reportAccessSecureLink, bytes and sha256 are then part 1's, rowCount the sum of the parts'",
          items: {
            type: "object",
            properties: {
              part: { type: "integer", description: "1, 2, …" },
              rowCount: { type: "integer" },
              bytes: { type: "integer" },
              sha256: { type: "string" },
              reportAccessSecureLink: { type: ["string", "null"] },
              reportExpiryTime: time,
            },
          },
        },
      },
    },
    failure: {
      type: ["object", "null"],
      description: "Extension: the last failure",
      properties: { code: { type: "string" }, reason: { type: "string" }, willRetry: { type: "boolean" } },
    },
    callbackDelivery: {
      type: ["object", "null"],
      description: "Extension: the callback delivery and its attempts",
      properties: {
        status: { type: "string", enum: ["Pending", "Delivered", "Failed"] },
        url: { type: "string" },
        method: { type: "string" },
        attempts: { type: "array", items: { type: "object", additionalProperties: true } },
      },
    },
  },
};

const page = {
  pageSize: { type: "integer", description: "Items per page (extension)" },
  skipToken: { type: "string", description: "Continuation token; follow nextLink instead of building it" },
};

const reportBody = {
  type: "object",
  description: "Field names are case-insensitive (ReportName = reportName)",
  properties: {
    ReportName: { type: "string", maxLength: 256 },
    Description: { type: "string", maxLength: 256 },
    QueryId: { type: "string" },
    StartTime: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ" },
    ExecuteNow: { type: "boolean" },
    QueryStartTime: { type: "string" },
    QueryEndTime: { type: "string" },
    RecurrenceInterval: { type: "integer", minimum: 4, maximum: 2160 },
    RecurrenceCount: { type: "integer", minimum: 1 },
    Format: {
      type: "string",
      enum: ["CSV", "TSV", "Parquet", "JSON"],
      description: "Any case; Parquet and JSON are extensions",
    },
    Compression: { type: "string", enum: COMPRESSIONS },
    SpreadsheetSafe: {
      type: "boolean",
      description: "Prefix formula-like text cells with ' (default: OPENINSIGHTS_SPREADSHEET_SAFE, off)",
    },
    MaxFileSizeMB: {
      type: ["integer", "null"],
      minimum: 1,
      maximum: 1048576,
      description:
        "Extension: a result larger than this many MB is written as numbered parts, each with its own link (default: OPENINSIGHTS_MAX_FILE_SIZE_MB, else one file)",
    },
    CallbackUrl: { type: "string" },
    CallbackMethod: { type: "string", enum: ["GET", "POST"] },
    QueryWindow: {
      type: ["string", "null"],
      enum: ["SinceLastSuccess", null],
      description:
        "Extension, scheduled reports: each run covers from the previous completed run's window end to its slot",
    },
    Schedule: {
      type: ["string", "null"],
      description:
        "Extension, scheduled reports: a 5-field cron expression (minute hour day-of-month month day-of-week) whose times in TimeZone are the slots; excludes RecurrenceInterval, makes StartTime optional (docs/scheduling.md)",
    },
    TimeZone: {
      type: ["string", "null"],
      description: "Extension: the IANA time zone Schedule is read in (default UTC)",
    },
    CallbackOnFailure: {
      type: "boolean",
      default: false,
      description: "Extension: also call back, signed, when an execution fails for good (docs/callbacks.md)",
    },
    TestClockId: {
      type: "string",
      description:
        "Extension, scheduled reports, with OPENINSIGHTS_TEST_CLOCKS=true: the report lives on this test clock's time (docs/test-clocks.md)",
    },
  },
  required: ["ReportName", "QueryId"],
};

const responses = (item: object) => ({
  200: { description: "Success", ...envelopeOf(item) },
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
});

const reportIdParam = { type: "object", properties: { reportId: { type: "string" } } };

export const SCHEMAS = {
  callbackSecret: {
    summary: "Get the tenant's callback signing secret (extension; see docs/callbacks.md)",
    response: responses({
      type: "object",
      properties: { secret: { type: "string", description: "whsec_…" } },
    }),
  },
  datasets: {
    summary: "Get all datasets (E1)",
    querystring: { type: "object", properties: { datasetName: { type: "string" } } },
    response: responses(dataset),
  },
  createQuery: {
    summary: "Create report query (E2)",
    body: {
      type: "object",
      properties: { Name: { type: "string" }, Description: { type: "string" }, Query: { type: "string" } },
      required: ["Name", "Query"],
    },
    response: responses(query),
  },
  listQueries: {
    summary: "Get report queries (E3)",
    querystring: {
      type: "object",
      properties: {
        queryId: { type: "string" },
        queryName: { type: "string" },
        includeSystemQueries: { type: "boolean", default: true },
        includeOnlySystemQueries: { type: "boolean", default: false },
        ...page,
      },
    },
    response: responses(query),
  },
  deleteQuery: {
    summary: "Delete report query (E4)",
    params: { type: "object", properties: { queryId: { type: "string" } } },
    response: responses(query),
  },
  testQuery: {
    summary: "Try report query (E5)",
    querystring: {
      type: "object",
      properties: {
        exportQuery: { type: "string" },
        queryId: { type: "string" },
        startTime: { type: "string" },
        endTime: { type: "string" },
      },
    },
    response: responses({ type: "object", additionalProperties: true }),
  },
  createReport: { summary: "Create report (E6)", body: reportBody, response: responses(report) },
  listReports: {
    summary: "Get reports (E7)",
    querystring: {
      type: "object",
      properties: {
        reportId: { type: "string" },
        reportName: { type: "string" },
        queryId: { type: "string" },
        ...page,
      },
    },
    response: responses(report),
  },
  updateReport: {
    summary: "Update report (E8)",
    params: reportIdParam,
    body: reportBody,
    response: responses(report),
  },
  deleteReport: { summary: "Delete report (E9)", params: reportIdParam, response: responses(report) },
  pauseReport: {
    summary: "Pause report executions (E10)",
    params: reportIdParam,
    response: responses(report),
  },
  resumeReport: {
    summary: "Resume report executions (E11)",
    params: reportIdParam,
    response: responses(report),
  },
  backfillReport: {
    summary: "Backfill a scheduled report's past slots (extension; see docs/scheduling.md)",
    params: reportIdParam,
    body: {
      type: "object",
      description: "Field names are case-insensitive",
      properties: {
        From: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ, included" },
        To: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ, included; not in the future" },
      },
      required: ["From", "To"],
    },
    response: responses({
      type: "object",
      properties: {
        reportId: { type: "string" },
        from: time,
        to: time,
        slotCount: { type: "integer", description: "Slots of the schedule in From..To" },
        createdCount: { type: "integer", description: "Executions created (slots that had none)" },
        existingCount: { type: "integer", description: "Slots skipped: they had an execution already" },
        executions: {
          type: "array",
          items: {
            type: "object",
            properties: {
              executionId: { type: "string" },
              scheduledTime: time,
              executionStatus: { type: "string" },
            },
          },
        },
      },
    }),
  },
  executions: {
    summary: "Get report executions (E12)",
    params: reportIdParam,
    querystring: {
      type: "object",
      properties: {
        executionId: { type: "string" },
        executionStatus: { type: "string", default: "Completed" },
        getLatestExecution: { type: "boolean", default: true },
        ...page,
      },
    },
    response: responses(execution),
  },
  createTestClock: {
    summary: "Create a test clock (extension, OPENINSIGHTS_TEST_CLOCKS=true)",
    body: {
      type: "object",
      properties: {
        Name: { type: "string", maxLength: 256 },
        FrozenTime: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ" },
      },
      required: ["Name", "FrozenTime"],
      examples: [{ Name: "Daily report test", FrozenTime: "2026-01-01T00:00:00Z" }],
    },
    response: responses(testClock),
  },
  listTestClocks: { summary: "List test clocks (extension)", response: responses(testClock) },
  getTestClock: {
    summary: "Get a test clock (extension)",
    params: testClockIdParam,
    response: responses(testClock),
  },
  advanceTestClock: {
    summary:
      "Advance a test clock (extension): one execution per slot its reports pass, in slot order; never back",
    params: testClockIdParam,
    body: {
      type: "object",
      properties: {
        FrozenTime: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ, not before the clock's time" },
      },
      required: ["FrozenTime"],
    },
    response: responses(testClock),
  },
  deleteTestClock: {
    summary: "Delete a test clock and every report on it (extension)",
    params: testClockIdParam,
    response: responses(testClock),
  },
  putFaults: {
    summary: "Set the fault rules (operators, OPENINSIGHTS_FAULTS=true; docs/faults.md)",
    body: {
      type: "object",
      properties: { Rules: { type: "array", items: faultRule } },
      required: ["Rules"],
      examples: [
        {
          Rules: [
            {
              Method: "GET",
              Path: "/insights/v1/mpn/ScheduledReport/execution/*",
              Status: 503,
              Probability: 1,
            },
          ],
        },
      ],
    },
    response: responses(faultRuleOut),
  },
  getFaults: { summary: "Get the fault rules (operators)", response: responses(faultRuleOut) },
  deleteFaults: { summary: "Clear the fault rules (operators)", response: responses(faultRuleOut) },
} as const;

/**
 * Examples for the API reference that "Try it out" runs unedited against the demo data: the
 * README's query (mpn) or a cmp query of the same kind, and an ExecuteNow report of the program's
 * first system query.
 */
const EXAMPLE_QUERY: Readonly<Record<string, string>> = {
  mpn: "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants ORDER BY BilledRevenueUSD LIMIT 10 TIMESPAN LAST_MONTH",
  cmp: "SELECT OfferName, NormalizedUsage FROM ISVUsage ORDER BY NormalizedUsage LIMIT 10 TIMESPAN LAST_MONTH",
};

/** The schemas of one program's routes, with that program's examples (built-in programs only). */
export function programSchemas(program: Program) {
  const query = EXAMPLE_QUERY[program];
  const systemQueryId = builtInCatalogs.find(program)?.systemQueries[0]?.id;
  const { testQuery, createQuery, createReport } = SCHEMAS;
  if (query === undefined || systemQueryId === undefined) return { createQuery, testQuery, createReport };
  return {
    createQuery: {
      ...createQuery,
      body: { ...createQuery.body, examples: [{ Name: "Top customers", Query: query }] },
    },
    testQuery: {
      ...testQuery,
      querystring: {
        ...testQuery.querystring,
        properties: {
          ...testQuery.querystring.properties,
          exportQuery: { type: "string", examples: [query] },
        },
      },
    },
    createReport: {
      ...createReport,
      body: {
        ...createReport.body,
        examples: [{ ReportName: "Run once now", QueryId: systemQueryId, ExecuteNow: true }],
      },
    },
  };
}
