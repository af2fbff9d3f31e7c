/**
 * The console's built files (Vite writes them to `dist/console/` of the package): read once at
 * start, kept in memory (the whole console is a few hundred kilobytes) and served with their type.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly type: string;
  /** Vite puts a content hash in every file name under assets/: such files never change. */
  readonly immutable: boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** `dist/console` of the package this module belongs to (from `src/` in tests, from `dist/src/` when built). */
export function defaultConsoleDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("the openinsights package root was not found");
    dir = parent;
  }
  return path.join(dir, "dist", "console");
}

/** Every file of the built console by its path under /console/ (e.g. `assets/index-3f2a.js`); empty when not built. */
export async function loadConsoleAssets(dir: string): Promise<Map<string, ConsoleAsset>> {
  const assets = new Map<string, ConsoleAsset>();
  if (!existsSync(dir)) return assets;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const name = path.relative(dir, file).split(path.sep).join("/");
    assets.set(name, {
      body: await readFile(file),
      type: TYPES[path.extname(name)] ?? "application/octet-stream",
      immutable: name.startsWith("assets/"),
    });
  }
  return assets;
}
