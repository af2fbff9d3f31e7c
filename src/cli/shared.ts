/** What every CLI command shares: its shape, its I/O, and the few option helpers. */
import type { Writable } from "node:stream";
import type { ParseArgsConfig } from "node:util";
import { type Config, type Environment, loadConfig } from "../config/config.js";
import type { CatalogSet } from "../datasets/catalog.js";
import type { ProgramCatalog } from "../datasets/types.js";

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Environment;
}

export function processIo(): CliIo {
  // Output piped into a reader that stops early (`| head`): the reader has all it wants, so end
  // quietly and successfully instead of with an EPIPE stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  readonly env: Environment;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(context: CommandContext): Promise<number>;
}

export class UsageError extends Error {}

export const DATA_DIR_OPTION = { "data-dir": { type: "string" } } as const;
/** `--catalog FILE`, repeatable: catalog files defining more programs (replace OPENINSIGHTS_CATALOGS). */
export const CATALOG_OPTION = { catalog: { type: "string", multiple: true } } as const;

export function configFrom(context: CommandContext): Config {
  const dataDir = stringOption(context, "data-dir");
  const catalogFiles = stringsOption(context, "catalog");
  return loadConfig(context.env, {
    ...(dataDir ? { dataDir } : {}),
    ...(catalogFiles ? { catalogFiles } : {}),
  });
}

/** The values of a repeatable option, when given. */
export function stringsOption(context: CommandContext, name: string): string[] | undefined {
  const value = context.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === "string" ? value : undefined;
}

export function requiredOption(context: CommandContext, name: string): string {
  const value = stringOption(context, name);
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** A tenant id: Entra tenants are GUIDs, and a typo'd id would silently name an empty tenant. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tenantOption(context: CommandContext): string {
  const value = requiredOption(context, "tenant").trim();
  if (!GUID.test(value)) {
    throw new UsageError(
      `--tenant must be a tenant id (a GUID such as 8f3c2a91-5b7e-4d2a-9c41-6e0b3f7d2a58), not '${value}'`,
    );
  }
  return value;
}

/** The catalog of the `--program` given, among `catalogs`. */
export function programOption(context: CommandContext, catalogs: CatalogSet): ProgramCatalog {
  const value = requiredOption(context, "program");
  const catalog = catalogs.find(value);
  if (!catalog) {
    throw new UsageError(`--program must be one of ${catalogs.programs.join(", ")}, not '${value}'`);
  }
  return catalog;
}

export function integerOption(context: CommandContext, name: string, fallback: number, min = 0): number {
  const raw = stringOption(context, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${raw}'`);
  }
  return value;
}

/** Progress lines go to stderr so that stdout stays clean for results. */
export function progressTo(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`${message}\n`);
}
