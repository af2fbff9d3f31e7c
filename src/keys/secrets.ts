/**
 * The service's master secret, from which every symmetric key is derived (download links,
 * later others) with `deriveKey(master, purpose)`.
 *
 * - When `OPENINSIGHTS_SECRET_KEY` is set (passed in as `fromEnv`), it is the secret: at least
 *   32 bytes written as hex or base64 (standard or URL-safe, padding optional); a `hex:` or
 *   `base64:` prefix removes any doubt. Nothing is read from or written to the data directory.
 * - Otherwise the secret lives in `<dataDir>/keys/master.key` (32 random bytes, stored as one
 *   line of base64, mode 0600), made on first start and re-used afterwards. Two processes that
 *   start at once agree on one file: each writes a private temporary file and links it into place;
 *   the loser reads the winner's.
 *
 * Processes sharing a data directory (or the same `OPENINSIGHTS_SECRET_KEY`) derive the same keys,
 * so a link signed by one verifies on another. To share a file-made secret with processes on other
 * machines, copy the file's line into their `OPENINSIGHTS_SECRET_KEY`.
 */
import { createHmac, randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { syncDirectory } from "../storage/durable.js";

/** Bytes of a generated master secret, and the least accepted from the environment. */
export const MASTER_SECRET_BYTES = 32;
export const SECRET_ENV_VAR = "OPENINSIGHTS_SECRET_KEY";

export interface LoadMasterSecretOptions {
  readonly dataDir: string;
  /** The value of OPENINSIGHTS_SECRET_KEY; undefined or blank means unset. */
  readonly fromEnv?: string | undefined;
}

export function masterKeyPath(dataDir: string): string {
  return path.join(dataDir, "keys", "master.key");
}

/** The master secret: from the environment when given, else from (or made in) the data directory. */
export async function loadMasterSecret(options: LoadMasterSecretOptions): Promise<Buffer> {
  const fromEnv = options.fromEnv?.trim() ?? "";
  if (fromEnv !== "") {
    const secret = parseSecret(fromEnv);
    if (secret === undefined) {
      throw new AppError(
        ERROR_CODES.INVALID_ARGUMENT,
        `${SECRET_ENV_VAR} must be at least ${MASTER_SECRET_BYTES} bytes written as hex or base64 ` +
          `(e.g. the output of 'openssl rand -base64 32')`,
      );
    }
    return secret;
  }

  const file = masterKeyPath(options.dataDir);
  const existing = await readSecretFile(file);
  if (existing !== undefined) return existing;

  const secret = randomBytes(MASTER_SECRET_BYTES);
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write and flush a private temporary file, then link it into place: link fails when another
  // process made the secret first, so concurrent starts agree and nobody reads a half-written file.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${secret.toString("base64")}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600); // exactly 0600, whatever the umask
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = await readSecretFile(file);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
  return secret;
}

/** A purpose-bound key: HMAC-SHA256(master, purpose). Different purposes give unrelated keys. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  if (master.length < MASTER_SECRET_BYTES) {
    throw new AppError(
      ERROR_CODES.INTERNAL,
      `the master secret must be at least ${MASTER_SECRET_BYTES} bytes`,
    );
  }
  if (purpose === "") throw new AppError(ERROR_CODES.INTERNAL, "a derived key needs a purpose");
  return createHmac("sha256", master).update(purpose, "utf8").digest();
}

/**
 * Decodes a secret written as hex or base64 (optionally prefixed `hex:` / `base64:`); undefined
 * when it is neither or shorter than MASTER_SECRET_BYTES. An unprefixed even-length string of hex
 * digits is read as hex.
 */
export function parseSecret(text: string): Buffer | undefined {
  const value = text.trim();
  const prefixed = /^(hex|base64):(.*)$/is.exec(value);
  const kind = prefixed ? prefixed[1]!.toLowerCase() : undefined;
  const body = prefixed ? prefixed[2]!.trim() : value;
  let bytes: Buffer | undefined;
  if (kind === "hex" || (kind === undefined && isHex(body))) {
    bytes = isHex(body) ? Buffer.from(body, "hex") : undefined;
  } else {
    bytes = decodeBase64(body);
  }
  return bytes !== undefined && bytes.length >= MASTER_SECRET_BYTES ? bytes : undefined;
}

function isHex(text: string): boolean {
  return text.length % 2 === 0 && /^[0-9a-f]+$/i.test(text);
}

/** Strict base64 / base64url: the alphabet only, correct padding, no stray bits. */
function decodeBase64(text: string): Buffer | undefined {
  const match = /^([A-Za-z0-9+/_-]+)(={0,2})$/.exec(text);
  if (!match) return undefined;
  const data = match[1]!;
  if (/[+/]/.test(data) && /[-_]/.test(data)) return undefined; // mixed alphabets
  const rest = data.length % 4;
  if (rest === 1) return undefined;
  if (match[2]!.length > 0 && (data.length + match[2]!.length) % 4 !== 0) return undefined;
  const bytes = Buffer.from(data.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  // Re-encoding must give the same characters (rejects non-zero unused bits).
  const again = bytes.toString("base64").replace(/=+$/, "");
  return again === data.replace(/-/g, "+").replace(/_/g, "/") ? bytes : undefined;
}

async function readSecretFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AppError(ERROR_CODES.INTERNAL, `cannot read the master secret ${file}`, undefined, {
      cause: error,
    });
  }
  const secret = parseSecret(text);
  if (secret === undefined) {
    throw new AppError(
      ERROR_CODES.INTERNAL,
      `the master secret ${file} is unusable (it must hold at least ${MASTER_SECRET_BYTES} bytes as base64 or hex); ` +
        "restore it from a backup, or move it away to have a new one made (download links issued before stop working)",
    );
  }
  return secret;
}
