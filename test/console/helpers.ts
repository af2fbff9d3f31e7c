/** What the console's browser tests share: opening the console, signing in, axe-core. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

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
