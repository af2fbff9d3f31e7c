/**
 * A real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the console's
 * end-to-end tests. No browser download: the path is fixed, or OPENINSIGHTS_TEST_CHROMIUM.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.OPENINSIGHTS_TEST_CHROMIUM ?? "/usr/bin/chromium";

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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}

/** Where screenshots are kept for review (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(".tmp", "console-screenshots");

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
