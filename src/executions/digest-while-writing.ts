/**
 * SHA-256 of a file computed while another writer (the analytics engine's export) is still writing
 * it: each chunk is read just after it was written, from the page cache, so once the writer is done
 * the digest needs no second pass over the file. Optionally flushes what was written so far to disk
 * every `flushEvery` bytes, so the file store's final fsync has only the tail left.
 *
 * The writer must write the file in place and front to back: create it at `file`, only append, never
 * rewrite bytes already written (the engine's exportTo does). As a safeguard, once the writer is done
 * the digest is checked to cover the file now at `file`, whole; when it does not (a writer that
 * wrote elsewhere and renamed), the file is hashed again from the start.
 */
import { createHash, type Hash } from "node:crypto";
import { type FileHandle, open, stat } from "node:fs/promises";

export interface FileDigest {
  readonly sha256: string;
  readonly bytes: number;
}

export interface DigestOptions {
  /** Flush the bytes written so far to disk (fdatasync) every this many bytes; 0 = never. */
  readonly flushEvery?: number;
  /** Bytes read at once. */
  readonly chunkBytes?: number;
  /** How long to wait when the reader has caught up with the writer, or the file is not there yet. */
  readonly pollMs?: number;
}

const DEFAULT_CHUNK_BYTES = 4 << 20;
const DEFAULT_POLL_MS = 3;
const MAX_IDLE_POLL_MS = 100;

/**
 * Follows `file` while `writing` runs. Resolves with the digest of the whole file once `writing`
 * resolved; rejects with `writing`'s error when it rejects, or with a read or flush error. It settles
 * only after `writing` settled, and its file handle is closed by then.
 */
export async function digestWhileWriting(
  file: string,
  writing: Promise<unknown>,
  options: DigestOptions = {},
): Promise<FileDigest> {
  const writer = watchSettlement(writing);
  try {
    const handle = await openOnceCreated(file, writer, options.pollMs ?? DEFAULT_POLL_MS);
    if (!handle) throw await writer.failure();
    try {
      const followed = await follow(handle, writer, options);
      return (await isWholeFile(handle, file, followed.bytes)) ? followed : await digestFile(file);
    } finally {
      await handle.close();
    }
  } catch (error) {
    await writer.settled;
    throw error;
  }
}

/**
 * The SHA-256 of a finished file, read from the start, through `buffer` (files hashed one after
 * the other can share one: each new buffer is memory until the next collection).
 */
export async function digestFile(
  file: string,
  buffer: Buffer = Buffer.allocUnsafeSlow(DEFAULT_CHUNK_BYTES),
): Promise<FileDigest> {
  const handle = await open(file, "r");
  try {
    const hash = createHash("sha256");
    const bytes = await readUntilEnd(handle, hash, buffer, 0);
    return { sha256: hash.digest("hex"), bytes };
  } finally {
    await handle.close();
  }
}

interface Settlement {
  /** Resolves (never rejects) once the watched promise settled. */
  readonly settled: Promise<void>;
  /** Waits `ms`, or less when the watched promise settles first. */
  sleep(ms: number): Promise<void>;
  state(): "running" | "resolved" | "rejected";
  /** The rejection reason (call once it rejected), or an error saying the writer made no file. */
  failure(): Promise<unknown>;
}

function watchSettlement(writing: Promise<unknown>): Settlement {
  let state: "running" | "resolved" | "rejected" = "running";
  let reason: unknown;
  // One listener for the whole follow: the sleep in progress, woken when the writer settles (a
  // race per sleep would leave a listener on `settled` each time, kept until the export ends).
  let wake: (() => void) | undefined;
  const settled = writing.then(
    () => {
      state = "resolved";
    },
    (error: unknown) => {
      state = "rejected";
      reason = error;
    },
  );
  void settled.then(() => wake?.());
  return {
    settled,
    sleep(ms) {
      if (state !== "running") return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    state: () => state,
    async failure() {
      await settled;
      return state === "rejected" ? reason : new Error("the writer finished without creating the file");
    },
  };
}

/** Opens `file` once the writer created it; undefined when the writer settled without creating it. */
async function openOnceCreated(
  file: string,
  writer: Settlement,
  pollMs: number,
): Promise<FileHandle | undefined> {
  for (;;) {
    const lastChance = writer.state() !== "running";
    try {
      return await open(file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (lastChance) return undefined;
    await writer.sleep(pollMs);
  }
}

/** Reads and hashes what the writer appends, until it is done and everything is read. */
async function follow(handle: FileHandle, writer: Settlement, options: DigestOptions): Promise<FileDigest> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafeSlow(options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const flusher = new Flusher(handle, options.flushEvery ?? 0);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  let idleMs = pollMs;
  let position = 0;
  try {
    for (;;) {
      // Read the writer's state before reading: if it was done then, an empty read is the end for good.
      const state = writer.state();
      if (state === "rejected") throw await writer.failure();
      const before = position;
      position = await readUntilEnd(handle, hash, buffer, position, (end) => flusher.wrote(end));
      flusher.check();
      if (state === "resolved") break;
      // A writer that writes nothing for a while (a long aggregation before its first row) is
      // polled less and less often, up to MAX_IDLE_POLL_MS; new bytes bring the pace back.
      idleMs = position > before ? pollMs : Math.min(MAX_IDLE_POLL_MS, idleMs * 2);
      await writer.sleep(idleMs);
    }
  } finally {
    await flusher.idle();
  }
  flusher.check();
  return { sha256: hash.digest("hex"), bytes: position };
}

/** Hashes from `position` to the current end of the file; returns the new position. */
async function readUntilEnd(
  handle: FileHandle,
  hash: Hash,
  buffer: Buffer,
  position: number,
  onRead?: (position: number) => void,
): Promise<number> {
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return position;
    hash.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    position += bytesRead;
    onRead?.(position);
  }
}

/**
 * Flushes the file to disk in the background each time `flushEvery` more bytes were written, one
 * flush at a time. A failed flush is kept and thrown by `check()`: an fsync error must not be lost
 * (a later fsync may succeed although the pages it failed to write are gone).
 */
class Flusher {
  private flushedTo = 0;
  private running: Promise<void> | undefined;
  private error: unknown;
  private failed = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly flushEvery: number,
  ) {}

  wrote(position: number): void {
    if (this.flushEvery <= 0 || this.running || this.failed) return;
    if (position - this.flushedTo < this.flushEvery) return;
    // fdatasync through the read-only descriptor flushes the file's pages (Linux, the service's platform).
    this.running = this.handle.datasync().then(
      () => {
        this.flushedTo = position;
        this.running = undefined;
      },
      (error: unknown) => {
        this.failed = true;
        this.error = error;
        this.running = undefined;
      },
    );
  }

  check(): void {
    if (this.failed) throw this.error;
  }

  async idle(): Promise<void> {
    await this.running;
  }
}

/**
 * Whether the followed handle is the file now at `file` and was read to its end: a guard against a
 * writer that wrote elsewhere and renamed, not against one that rewrites bytes in place (writers
 * must only append, see the file comment).
 */
async function isWholeFile(handle: FileHandle, file: string, bytes: number): Promise<boolean> {
  const [followed, current] = await Promise.all([handle.stat(), stat(file)]);
  return followed.ino === current.ino && followed.dev === current.dev && current.size === bytes;
}
