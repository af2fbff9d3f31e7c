/**
 * The service's own signing key, so that local use needs no identity provider. It is made on
 * first use as an ES256 private JWK in `<dataDir>/keys/local-signing-key.json` (mode 0600) and
 * re-used afterwards; `openinsights token` signs with it and the verifier trusts it while local
 * authentication is enabled.
 */
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from "jose";
import { AppError, ERROR_CODES } from "../core/errors.js";

/** The `iss` of locally issued tokens. */
export const LOCAL_ISSUER = "openinsights-local";
export const LOCAL_KEY_ALG = "ES256";
const SUPPORTED_ALGS = new Set(["ES256", "RS256"]);

export interface LocalSigningKey {
  readonly path: string;
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** The public half, as a JWK with `kid`, `alg` and `use: "sig"` (no private members). */
  readonly publicJwk: JWK;
  /** True when this call made the key (first start). */
  readonly created: boolean;
}

export function localKeyPath(dataDir: string): string {
  return path.join(dataDir, "keys", "local-signing-key.json");
}

/** Loads the local signing key, making it first when the file does not exist. */
export async function ensureLocalKey(dataDir: string): Promise<LocalSigningKey> {
  const file = localKeyPath(dataDir);
  const existing = await readKeyFile(file);
  if (existing !== undefined) return fromJwk(file, existing, false);

  const { privateKey } = await generateKeyPair(LOCAL_KEY_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(jwk));
  const stored: JWK = { ...jwk, kid, alg: LOCAL_KEY_ALG, use: "sig" };

  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write a private temporary file, then link it into place: link fails when another process
  // made the key first, so two starts at once agree on one key and nobody reads a half-written file.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await chmod(temp, 0o600); // exactly 0600, whatever the umask
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = await readKeyFile(file);
    if (winner === undefined) throw error;
    return fromJwk(file, winner, false);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return fromJwk(file, stored, true);
}

export interface LocalTokenRequest {
  readonly dataDir: string;
  readonly tenant: string;
  /** Becomes the `upn` claim; default `local-user`. */
  readonly user?: string;
  readonly ttlSeconds: number;
  readonly audience: string;
  /** Put in the `roles` claim when non-empty. */
  readonly roles?: readonly string[];
  /** Issue time; default now. */
  readonly now?: Date;
}

export const DEFAULT_LOCAL_USER = "local-user";

/** Signs a token with the local key (made first if needed). */
export async function issueLocalToken(request: LocalTokenRequest): Promise<string> {
  const tenant = request.tenant.trim();
  if (tenant === "") throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "the tenant must not be empty");
  const user = (request.user ?? DEFAULT_LOCAL_USER).trim();
  if (user === "") throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "the user must not be empty");
  if (!Number.isSafeInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new AppError(
      ERROR_CODES.INVALID_ARGUMENT,
      "the token lifetime must be a positive number of seconds",
    );
  }
  const key = await ensureLocalKey(request.dataDir);
  const iat = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const roles = [...new Set(request.roles ?? [])];
  const claims: Record<string, unknown> = { tid: tenant, upn: user };
  if (roles.length > 0) claims.roles = roles;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(request.audience)
    .setSubject(user)
    .setIssuedAt(iat)
    .setExpirationTime(iat + request.ttlSeconds)
    .sign(key.privateKey);
}

async function readKeyFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AppError(ERROR_CODES.INTERNAL, `cannot read the local signing key ${file}`, undefined, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw broken(file, "it is not JSON", error);
  }
}

async function fromJwk(file: string, value: unknown, created: boolean): Promise<LocalSigningKey> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw broken(file, "it is not a JSON object");
  }
  const jwk = value as JWK;
  const alg = jwk.alg ?? "";
  if (!SUPPORTED_ALGS.has(alg)) throw broken(file, `its alg must be ES256 or RS256, not '${alg}'`);
  if (jwk.kty !== (alg === "ES256" ? "EC" : "RSA")) throw broken(file, `its kty does not fit alg ${alg}`);
  if (typeof jwk.kid !== "string" || jwk.kid === "") throw broken(file, "it has no kid");
  if (typeof jwk.d !== "string") throw broken(file, "it is not a private key");
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK(jwk, alg)) as CryptoKey;
  } catch (error) {
    throw broken(file, `it is not a valid ${alg} key`, error);
  }
  const publicJwk: JWK = { ...publicPart(jwk), kid: jwk.kid, alg, use: "sig" };
  return { path: file, kid: jwk.kid, alg, privateKey, publicJwk, created };
}

/** The public members of an EC or RSA JWK. */
function publicPart(jwk: JWK): JWK {
  if (jwk.kty === "EC") return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (jwk.kty === "RSA") return { kty: jwk.kty, n: jwk.n, e: jwk.e };
  throw new AppError(ERROR_CODES.INTERNAL, `unsupported local key type '${jwk.kty}'`);
}

function broken(file: string, why: string, cause?: unknown): AppError {
  return new AppError(
    ERROR_CODES.INTERNAL,
    `the local signing key ${file} is unusable (${why}); move it away to have a new one made`,
    undefined,
    { cause },
  );
}
