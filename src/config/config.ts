/**
 * The only reader of the environment. Configuration is read once, validated, frozen and passed
 * down; command-line flags override environment variables, which override defaults.
 * Every variable is listed in docs/configuration.md.
 */
import path from "node:path";
import { OPERATION_NAMES } from "../api/operations.js";
import { type AuthConfig, parseAuthConfig } from "../auth/config.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { MAX_FILE_SIZE_MB } from "../reports/model.js";

export interface Quotas {
  /** User-defined queries per tenant and program. */
  readonly queries: number;
  /** Reports that are not Inactive, per tenant and program. */
  readonly activeReports: number;
  readonly executeNow: number;
  readonly executeNowWindowMinutes: number;
}

export interface Config {
  /** Everything the service keeps: analytics database, metadata, report files, keys. */
  readonly dataDir: string;
  /** Catalog files (YAML or JSON) defining programs besides the built-in mpn and cmp, absolute. */
  readonly catalogFiles: readonly string[];
  readonly port: number;
  readonly host: string;
  /** Base of absolute links (nextLink); when unset, taken from each request's Host header. */
  readonly publicUrl: string | null;
  readonly logLevel: string;
  readonly duckdb: {
    readonly memoryLimit: string;
    readonly threads: number;
    /** A CSV/TSV load body is loaded in segments of this size while the rest arrives: OPENINSIGHTS_LOAD_SEGMENT_MB. */
    readonly loadSegmentBytes: number;
  };
  readonly quotas: Quotas;
  readonly testQuery: { readonly maxRows: number; readonly timeoutSeconds: number };
  /** Minimum hours between now and a scheduled report's StartTime (the real service uses 4). */
  readonly startTimeLeadHours: number;
  /** The default of reports' SpreadsheetSafe (prefix formula-like text cells with '). */
  readonly spreadsheetSafe: boolean;
  /** MaxFileSizeMB of reports that do not say (OPENINSIGHTS_MAX_FILE_SIZE_MB); null: one file. */
  readonly maxFileSizeMB: number | null;
  readonly pagination: { readonly defaultPageSize: number; readonly maxPageSize: number };
  readonly maxBodyBytes: number;
  /** Largest load body (`POST /admin/v1/…/loads`), received and decompressed: OPENINSIGHTS_LOAD_MAX_BYTES. */
  readonly loadMaxBytes: number;
  /** Minutes a superseded dataset file is kept before it is deleted (docs/loading.md). */
  readonly datasetFilesGraceMinutes: number;
  readonly auth: AuthConfig;
  /** OPENINSIGHTS_SECRET_KEY: the master secret (links, callback secrets); else a key file in the data dir. */
  readonly secretKey: string | null;
  readonly links: { readonly ttlHours: number };
  readonly executions: {
    /** Worker loops in this process. */
    readonly workers: number;
    readonly pollIntervalMs: number;
    readonly schedulerIntervalMs: number;
    readonly leaseSeconds: number;
    /** Attempts before a transient failure is final. */
    readonly maxAttempts: number;
    /** Executions and their files are deleted this many days after their slot. */
    readonly retentionDays: number;
  };
  readonly callbacks: { readonly allow: string | null; readonly timeoutMs: number };
  /** OPENINSIGHTS_DATABASE_URL: PostgreSQL for metadata; null = SQLite in the data directory. */
  readonly databaseUrl: string | null;
  /**
   * The analytics data: OPENINSIGHTS_ANALYTICS_URL, PostgreSQL (null = DuckDB in the data directory),
   * its pool size per process and the statement timeout of exports and loads
   * (docs/analytics-postgres.md). Try-query streams keep OPENINSIGHTS_TEST_QUERY_TIMEOUT_SECONDS.
   */
  readonly analytics: {
    readonly url: string | null;
    readonly poolSize: number;
    readonly exportTimeoutSeconds: number;
  };
  /** Report files on disk (when not on S3): OPENINSIGHTS_FILES_DIR, default <data-dir>/files. */
  readonly filesDir: string;
  /** S3-compatible object storage for report files; null = filesDir on disk. */
  readonly s3: {
    readonly bucket: string;
    readonly prefix: string;
    readonly endpoint: string | null;
    readonly region: string;
    readonly forcePathStyle: boolean;
  } | null;
  /** `service`: links on this service (default); `presigned`: the object store's presigned URLs (S3 only). */
  readonly downloadLinks: "service" | "presigned";
  /** OPENINSIGHTS_METRICS_PORT: serve /metrics on this port (same host) instead of the API port; null = API port. */
  readonly metricsPort: number | null;
  /** An execution not started this many minutes after its slot is overdue (OPENINSIGHTS_OVERDUE_MINUTES). */
  readonly overdueMinutes: number;
  /** Per-tenant request rates (token buckets); 0 = no limit. */
  readonly rateLimit: {
    /** OPENINSIGHTS_RATE_LIMIT_PER_MINUTE: all operations of a tenant together. */
    readonly perMinute: number;
    /** OPENINSIGHTS_RATE_LIMIT_OPERATIONS: operations with a rate (and a bucket) of their own. */
    readonly operations: Readonly<Record<string, number>>;
  };
  /** The web console's sign-in through an OpenID Connect issuer (authorization code + PKCE); null = off. */
  readonly consoleOidc: ConsoleOidcConfig | null;
  /**
   * OPENINSIGHTS_COMPAT: `documented` answers as the reference documents (default); `observed` as
   * the real service is seen to answer where the two differ (docs/compatibility.md).
   */
  readonly compat: CompatProfile;
  /** Test clocks (OPENINSIGHTS_TEST_CLOCKS, on with `serve --demo`): off, their routes answer 404. */
  readonly testClocks: {
    readonly enabled: boolean;
    /** OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS: executions one advance may create, at most. */
    readonly maxExecutionsPerAdvance: number;
  };
  /** Faults on demand (OPENINSIGHTS_FAULTS; never implied by --demo): off, /admin/v1/faults answers 404. */
  readonly faults: { readonly enabled: boolean };
}

export const COMPAT_PROFILES = ["documented", "observed"] as const;
export type CompatProfile = (typeof COMPAT_PROFILES)[number];

export interface ConsoleOidcConfig {
  /** One of the trusted issuers (OPENINSIGHTS_AUTH_ISSUERS), so that its tokens are accepted. */
  readonly issuer: string;
  /** The console's client id at that issuer (a public client: no secret). */
  readonly clientId: string;
  /** Space-separated scopes asked for; they must yield an access token for this API's audience. */
  readonly scopes: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ConfigOverrides {
  readonly dataDir?: string;
  /** `--catalog` flags: replace OPENINSIGHTS_CATALOGS when any is given. */
  readonly catalogFiles?: readonly string[];
  readonly port?: string;
  /** `serve --demo`: test clocks on unless OPENINSIGHTS_TEST_CLOCKS says otherwise. */
  readonly demo?: boolean;
}

export function loadConfig(env: Environment, overrides: ConfigOverrides = {}): Config {
  const read = (name: string, fallback: string) => env[name] ?? fallback;
  const dataDir = path.resolve(overrides.dataDir ?? read("OPENINSIGHTS_DATA_DIR", "./data"));
  const memoryLimit = read("OPENINSIGHTS_DUCKDB_MEMORY_LIMIT", "1GB");
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$/i.test(memoryLimit)) {
    throw invalid(`OPENINSIGHTS_DUCKDB_MEMORY_LIMIT must look like 1GB or 512MB, not '${memoryLimit}'`);
  }
  const publicUrl = env.OPENINSIGHTS_PUBLIC_URL ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw invalid(`OPENINSIGHTS_PUBLIC_URL must be an http(s) URL, not '${publicUrl}'`);
  }
  const number = (name: string, fallback: number, min: number, max: number) =>
    integer(name, read(name, String(fallback)), min, max);
  const defaultPageSize = number("OPENINSIGHTS_PAGE_SIZE", 100, 1, 100_000);
  const maxPageSize = number("OPENINSIGHTS_MAX_PAGE_SIZE", 1000, 1, 100_000);
  if (defaultPageSize > maxPageSize)
    throw invalid("OPENINSIGHTS_PAGE_SIZE must not exceed OPENINSIGHTS_MAX_PAGE_SIZE");

  const catalogFiles = overrides.catalogFiles?.length
    ? overrides.catalogFiles
    : (env.OPENINSIGHTS_CATALOGS ?? "")
        .split(",")
        .map((file) => file.trim())
        .filter(Boolean);
  const auth = parseAuthConfig(env);

  return deepFreeze({
    dataDir,
    catalogFiles: catalogFiles.map((file) => path.resolve(file)),
    port: integer("OPENINSIGHTS_PORT", overrides.port ?? read("OPENINSIGHTS_PORT", "8080"), 0, 65_535),
    host: read("OPENINSIGHTS_HOST", "127.0.0.1"),
    publicUrl: publicUrl?.replace(/\/+$/, "") ?? null,
    logLevel: read("OPENINSIGHTS_LOG_LEVEL", "info"),
    duckdb: {
      memoryLimit,
      threads: number("OPENINSIGHTS_DUCKDB_THREADS", 2, 1, 256),
      loadSegmentBytes: number("OPENINSIGHTS_LOAD_SEGMENT_MB", 128, 1, 1 << 20) * 1024 * 1024,
    },
    quotas: {
      queries: number("OPENINSIGHTS_QUOTA_QUERIES", 100, 0, 1_000_000),
      activeReports: number("OPENINSIGHTS_QUOTA_ACTIVE_REPORTS", 50, 0, 1_000_000),
      executeNow: number("OPENINSIGHTS_QUOTA_EXECUTE_NOW", 5, 0, 1_000_000),
      executeNowWindowMinutes: number("OPENINSIGHTS_QUOTA_EXECUTE_NOW_WINDOW_MINUTES", 60, 1, 525_600),
    },
    testQuery: {
      maxRows: number("OPENINSIGHTS_TEST_QUERY_MAX_ROWS", 100, 1, 100_000),
      timeoutSeconds: number("OPENINSIGHTS_TEST_QUERY_TIMEOUT_SECONDS", 100, 1, 3600),
    },
    startTimeLeadHours: number("OPENINSIGHTS_START_TIME_LEAD_HOURS", 0, 0, 8760),
    spreadsheetSafe: trueOrFalse("OPENINSIGHTS_SPREADSHEET_SAFE", env.OPENINSIGHTS_SPREADSHEET_SAFE, false),
    maxFileSizeMB: env.OPENINSIGHTS_MAX_FILE_SIZE_MB?.trim()
      ? integer("OPENINSIGHTS_MAX_FILE_SIZE_MB", env.OPENINSIGHTS_MAX_FILE_SIZE_MB, 1, MAX_FILE_SIZE_MB)
      : null,
    pagination: { defaultPageSize, maxPageSize },
    maxBodyBytes: number("OPENINSIGHTS_MAX_BODY_BYTES", 1_048_576, 1024, 1_073_741_824),
    // A load body, as received and after gunzip (issue #11): 10 GiB by default.
    loadMaxBytes: number("OPENINSIGHTS_LOAD_MAX_BYTES", 10 * 1024 ** 3, 1, 2 ** 50),
    // How long a dataset file a load superseded is kept for the queries and exports still reading it.
    datasetFilesGraceMinutes: number("OPENINSIGHTS_DATASET_FILES_GRACE_MINUTES", 1440, 1, 525_600),
    auth,
    secretKey: env.OPENINSIGHTS_SECRET_KEY?.trim() || null,
    links: { ttlHours: number("OPENINSIGHTS_LINK_TTL_HOURS", 24, 1, 8760) },
    executions: {
      workers: number("OPENINSIGHTS_WORKERS", 2, 0, 64),
      pollIntervalMs: number("OPENINSIGHTS_POLL_INTERVAL_MS", 1000, 10, 3_600_000),
      schedulerIntervalMs: number("OPENINSIGHTS_SCHEDULER_INTERVAL_MS", 5000, 10, 3_600_000),
      leaseSeconds: number("OPENINSIGHTS_LEASE_SECONDS", 60, 5, 86_400),
      maxAttempts: number("OPENINSIGHTS_MAX_ATTEMPTS", 3, 1, 100),
      retentionDays: number("OPENINSIGHTS_RETENTION_DAYS", 90, 1, 36_500),
    },
    databaseUrl: databaseUrl(env.OPENINSIGHTS_DATABASE_URL),
    analytics: {
      url: analyticsUrl(env.OPENINSIGHTS_ANALYTICS_URL),
      poolSize: number("OPENINSIGHTS_ANALYTICS_POOL_SIZE", 10, 1, 1000),
      exportTimeoutSeconds: number("OPENINSIGHTS_ANALYTICS_EXPORT_TIMEOUT_SECONDS", 3600, 1, 604_800),
    },
    filesDir: env.OPENINSIGHTS_FILES_DIR?.trim()
      ? path.resolve(env.OPENINSIGHTS_FILES_DIR.trim())
      : path.join(dataDir, "files"),
    s3: s3Config(env),
    downloadLinks: downloadLinks(env),
    metricsPort:
      env.OPENINSIGHTS_METRICS_PORT === undefined
        ? null
        : integer("OPENINSIGHTS_METRICS_PORT", env.OPENINSIGHTS_METRICS_PORT, 0, 65_535),
    overdueMinutes: number("OPENINSIGHTS_OVERDUE_MINUTES", 15, 1, 525_600),
    rateLimit: {
      perMinute: number("OPENINSIGHTS_RATE_LIMIT_PER_MINUTE", 1200, 0, 10_000_000),
      operations: operationRates(env.OPENINSIGHTS_RATE_LIMIT_OPERATIONS),
    },
    consoleOidc: consoleOidc(env, auth),
    callbacks: {
      allow: env.OPENINSIGHTS_CALLBACK_ALLOW?.trim() || null,
      timeoutMs: number("OPENINSIGHTS_CALLBACK_TIMEOUT_MS", 10_000, 100, 300_000),
    },
    compat: compatProfile(env.OPENINSIGHTS_COMPAT),
    testClocks: {
      enabled: trueOrFalse("OPENINSIGHTS_TEST_CLOCKS", env.OPENINSIGHTS_TEST_CLOCKS, overrides.demo ?? false),
      maxExecutionsPerAdvance: number("OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS", 1000, 1, 100_000),
    },
    faults: { enabled: trueOrFalse("OPENINSIGHTS_FAULTS", env.OPENINSIGHTS_FAULTS, false) },
  });
}

function databaseUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw invalid(
      "OPENINSIGHTS_DATABASE_URL must be a postgres:// URL (unset: SQLite in the data directory)",
    );
  }
  return value;
}

function compatProfile(raw: string | undefined): CompatProfile {
  const value = (raw?.trim() || "documented").toLowerCase();
  const profile = COMPAT_PROFILES.find((known) => known === value);
  if (!profile) throw invalid(`OPENINSIGHTS_COMPAT must be ${COMPAT_PROFILES.join(" or ")}, not '${raw}'`);
  return profile;
}

function analyticsUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw invalid(
      "OPENINSIGHTS_ANALYTICS_URL must be a postgres:// URL (unset: DuckDB in the data directory)",
    );
  }
  return value;
}

function trueOrFalse(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallback;
  if (value !== "true" && value !== "false") throw invalid(`${name} must be true or false, not '${raw}'`);
  return value === "true";
}

function s3Config(env: Environment): Config["s3"] {
  const bucket = env.OPENINSIGHTS_S3_BUCKET?.trim();
  if (!bucket) return null;
  const endpoint = env.OPENINSIGHTS_S3_ENDPOINT?.trim() || null;
  if (endpoint && !/^https?:\/\//.test(endpoint))
    throw invalid("OPENINSIGHTS_S3_ENDPOINT must be an http(s) URL");
  const pathStyle = env.OPENINSIGHTS_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (pathStyle && !["true", "false"].includes(pathStyle))
    throw invalid("OPENINSIGHTS_S3_FORCE_PATH_STYLE must be true or false");
  return {
    bucket,
    prefix: env.OPENINSIGHTS_S3_PREFIX?.trim() ?? "",
    endpoint,
    region: env.OPENINSIGHTS_S3_REGION?.trim() || env.AWS_REGION?.trim() || "us-east-1",
    // Path-style addressing by default with a custom endpoint (most S3-compatible servers want it).
    forcePathStyle: pathStyle ? pathStyle === "true" : endpoint !== null,
  };
}

function downloadLinks(env: Environment): Config["downloadLinks"] {
  const value = (env.OPENINSIGHTS_DOWNLOAD_LINKS?.trim() || "service").toLowerCase();
  if (value !== "service" && value !== "presigned") {
    throw invalid(`OPENINSIGHTS_DOWNLOAD_LINKS must be service or presigned, not '${value}'`);
  }
  if (value === "presigned" && !env.OPENINSIGHTS_S3_BUCKET?.trim()) {
    throw invalid("OPENINSIGHTS_DOWNLOAD_LINKS=presigned needs S3 storage (OPENINSIGHTS_S3_BUCKET)");
  }
  return value;
}

/** `testQuery=60,createReport=300`: operation names (docs/operations.md) and their rates per minute. */
function operationRates(raw: string | undefined): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const entry of (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name = "", value = ""] = entry.split("=").map((s) => s.trim());
    const operation = OPERATION_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
    if (!operation) {
      throw invalid(
        `OPENINSIGHTS_RATE_LIMIT_OPERATIONS: '${name}' is not an operation; use one of ${OPERATION_NAMES.join(", ")}`,
      );
    }
    rates[operation] = integer(`OPENINSIGHTS_RATE_LIMIT_OPERATIONS (${operation})`, value, 0, 10_000_000);
  }
  return rates;
}

function consoleOidc(env: Environment, auth: AuthConfig): ConsoleOidcConfig | null {
  const clientId = env.OPENINSIGHTS_CONSOLE_OIDC_CLIENT_ID?.trim();
  if (!clientId) return null;
  const trusted = auth.issuers.filter((i) => i.discoveryUrl).map((i) => i.issuer!);
  const issuer = env.OPENINSIGHTS_CONSOLE_OIDC_ISSUER?.trim() || trusted[0];
  if (!issuer || !trusted.includes(issuer)) {
    throw invalid(
      `OPENINSIGHTS_CONSOLE_OIDC_ISSUER must be one of the issuers in OPENINSIGHTS_AUTH_ISSUERS (${trusted.join(", ") || "none set"}), so that the tokens the console gets are accepted`,
    );
  }
  const scopes = env.OPENINSIGHTS_CONSOLE_OIDC_SCOPES?.trim() || "openid";
  return { issuer, clientId, scopes };
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
  }
  return value;
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
