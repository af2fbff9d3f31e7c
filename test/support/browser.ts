/**
 * A real Chromium (Debian's /usr/bin/chromium, a test service) driven by playwright-core, for the
 * console's end-to-end tests. No browser download: playwright-core only drives a browser it is given.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumPath, requireService } from "./services.js";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  await requireService("chromium");
  return chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
}

/** Where screenshots are kept for review (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(".tmp", "console-screenshots");

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
