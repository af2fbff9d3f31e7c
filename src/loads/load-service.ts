/**
 * Loads as the operator API and E1 see them: running one (recorded, heartbeat, metrics), the
 * listing (newest first, filtered, paged) and each dataset's freshness.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import { assertLoadable } from "../datasets/lookup.js";
import type { DatasetDef, Program } from "../datasets/types.js";
import type {
  AnalyticsEngine,
  LoadFilter,
  LoadInputFormat,
  LoadMode,
  MetadataStore,
  Scope,
} from "../storage/ports.js";
import { stagingWriteError } from "../storage/staging.js";
import type { StoredLoad } from "./model.js";
import { recordLoad } from "./record.js";

export interface LoadServiceDeps {
  readonly store: MetadataStore;
  /** Absent where the process cannot load (the listing and freshness need only the store). */
  readonly engine?: AnalyticsEngine;
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Called once per load that ran, whichever way it ended (metrics). */
  readonly onFinished?: (
    program: Program,
    status: "Completed" | "Failed",
    load: { rows: number; bytes: number; seconds: number },
  ) => void;
}

/**
 * A load to run: the body as a file on local disk (decompressed), whole or still arriving
 * (`file.arriving`, read by engines that load as the bytes come, else received whole first).
 */
export interface LoadJob {
  readonly program: Program;
  readonly dataset: DatasetDef;
  readonly tenant: string;
  readonly mode: LoadMode;
  readonly window?: { readonly from: Date; readonly to: Date };
  /** `path`: where a body that arrives is put whole, for an engine that reads whole files. */
  readonly file: {
    readonly path: string;
    readonly format: LoadInputFormat;
    readonly arriving?: AsyncIterable<Buffer>;
  };
  /** The body's size as received (the load record's `bytes`): read once the body has ended. */
  readonly bytes: () => number;
  /** When the body started arriving (the duration metric counts from there). */
  readonly startedAt: number;
  readonly signal?: AbortSignal;
}

export class LoadService {
  constructor(private readonly deps: LoadServiceDeps) {}

  /** Runs a load as a record: Running, then Completed, or Failed with the engine's error rethrown. */
  async run(job: LoadJob): Promise<StoredLoad> {
    const engine = this.deps.engine;
    if (!engine) throw new Error("This LoadService has no analytics engine");
    assertLoadable(job.program, job.dataset);
    const { path, format, arriving } = job.file;
    const streams = arriving !== undefined && (engine.readsArrivingFiles?.(format) ?? false);
    let rows = 0;
    try {
      const load = await recordLoad(
        {
          store: this.deps.store,
          now: this.deps.now ?? (() => new Date()),
          newId: this.deps.newId ?? (() => crypto.randomUUID()),
        },
        { program: job.program, dataset: job.dataset.name, tenant: job.tenant, mode: job.mode },
        async (record) => {
          // The record runs from the body's first byte: an upload that fails is a Failed load.
          if (arriving && !streams) await receiveWhole(arriving, path);
          const result = await engine.load({
            program: job.program,
            dataset: job.dataset,
            tenant: job.tenant,
            mode: job.mode,
            ...(job.window ? { window: job.window } : {}),
            file: streams && arriving ? { arriving, format } : { path, format },
            ...(job.signal ? { signal: job.signal } : {}),
            // A getter: the commit reads it after the last byte arrived.
            record: {
              loadId: record.id,
              get bytes() {
                return job.bytes();
              },
            },
          });
          rows = result.rowCount;
          return {
            rowCount: result.rowCount,
            bytes: job.bytes(),
            ...(result.committedAt ? { at: result.committedAt } : {}),
          };
        },
      );
      this.finished(job, "Completed", rows);
      return load;
    } catch (error) {
      this.finished(job, "Failed", 0);
      throw error;
    }
  }

  async list(filter: LoadFilter, page: PageParams): Promise<PageResult<StoredLoad>> {
    const after = page.token ? decodeCursor(decodeToken(page.token)) : undefined;
    const found = await this.deps.store.listLoads(filter, {
      limit: page.pageSize,
      ...(after ? { after } : {}),
    });
    return found.next ? { items: found.items, nextToken: encodeCursor(found.next) } : { items: found.items };
  }

  /** Dataset name → when the scope's tenant last had a load of it completed. */
  lastRefreshed(scope: Scope): Promise<Map<string, Date>> {
    return this.deps.store.lastLoadTimes(scope.tenant, scope.program);
  }

  private finished(job: LoadJob, status: "Completed" | "Failed", rows: number): void {
    this.deps.onFinished?.(job.program, status, {
      rows,
      bytes: job.bytes(),
      seconds: (performance.now() - job.startedAt) / 1000,
    });
  }
}

/** Chunks gathered into one write of the staging file. */
const WRITE_CHUNK = 1 << 20;

/** The body, whole, into the staging file: the body's own refusals as they are, a write failure as 503. */
async function receiveWhole(body: AsyncIterable<Buffer>, path: string): Promise<void> {
  await pipeline(Readable.from(body), createWriteStream(path, { highWaterMark: WRITE_CHUNK })).catch(
    (error: unknown) => {
      throw stagingWriteError(error);
    },
  );
}
