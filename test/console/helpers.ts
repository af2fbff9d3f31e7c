/** What the console's browser tests share: opening the console, signing in, axe-core. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { wireLoad } from "../../src/api/wire.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { ADMIN_TOKEN_TENANT } from "../../src/cli/token.js";
import { startTestApp, type TestApp, type TestAppOptions } from "../support/app.js";
import { launchChromium } from "../support/browser.js";

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface ConsoleSuite {
  /** The app under test; there from the file's first beforeAll on. */
  readonly app: TestApp;
  readonly browser: Browser;
  /** A fresh browser context on the app's console at `width` px. */
  open(width?: number): Promise<{ context: BrowserContext; page: Page }>;
}

/** A test file's app and Chromium: started together before its tests, closed after them. */
export function consoleSuite(options: TestAppOptions): ConsoleSuite {
  let started: { app: TestApp; browser: Browser } | undefined;
  beforeAll(async () => {
    const [app, browser] = await Promise.all([startTestApp(options), launchChromium()]);
    started = { app, browser };
  });
  afterAll(async () => {
    await started?.browser.close();
    await started?.app.close();
  });
  const running = () => {
    if (!started) throw new Error("the console suite starts in beforeAll");
    return started;
  };
  return {
    get app() {
      return running().app;
    },
    get browser() {
      return running().browser;
    },
    open: (width) => openConsole(running().browser, running().app.baseUrl, width),
  };
}

/** A fresh browser context (its own session storage) on the console at `width` px. */
export async function openConsole(
  browser: Browser,
  baseUrl: string,
  width = 1280,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/console`);
  return { context, page };
}

/** Signs in as a demo tenant (`serve --demo`) and waits for the datasets. */
export async function signInAs(page: Page, tenant: { name: string }): Promise<void> {
  await page.getByRole("button", { name: `Sign in as ${tenant.name}` }).click();
  await page.getByRole("heading", { name: "Datasets", level: 1 }).waitFor();
}

/** An operator's token (the admin role), signed with the app's local key. */
export function operatorToken(app: TestApp): Promise<string> {
  return app.token(ADMIN_TOKEN_TENANT, { roles: [ADMIN_ROLE], user: "operator@example.com" });
}

/** The headers of an operator's call to the admin API. */
export async function operatorHeaders(app: TestApp): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await operatorToken(app)}` };
}

/** The load records `GET /admin/v1/loads?<query>` lists, read with an operator's token. */
export async function listLoads(app: TestApp, query: string): Promise<ReturnType<typeof wireLoad>[]> {
  const res = await app.call(null, "GET", `/admin/v1/loads?${query}`, undefined, await operatorHeaders(app));
  if (res.status !== 200)
    throw new Error(`GET /admin/v1/loads?${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.value;
}

/** Signs in with an operator's token pasted into the token field and waits for the Loads page. */
export async function signInAsOperator(page: Page, app: TestApp): Promise<void> {
  await page.getByLabel("Access token").fill(await operatorToken(app));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Loads", level: 1 }).waitFor();
}

/** The page is no wider than the window: nothing needs sideways scrolling but the tables' own boxes. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays as it is.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/** Presses Tab until the focused element's text or label matches `name`; fails after 80 presses. */
export async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const label = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : "";
      return `${el?.textContent?.trim() ?? ""}|${label ?? ""}`;
    });
    if (name.test(focused)) return;
  }
  throw new Error(`nothing matching ${name} could be reached with Tab`);
}
