/**
 * The operators' load upload form in a real Chromium: a CSV loaded for a tenant with the upload's
 * progress, the load record and the history, the rows seen by the tenant through the public API;
 * the API's messages under the field they name (tenant id, dates, file); the whole path by
 * keyboard alone; axe-core at 1280 and 390 px. Screenshots go to .tmp/console-screenshots/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FileChooser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot } from "../support/browser.js";
import {
  axeViolations,
  consoleSuite,
  fitsWidth,
  listLoads,
  operatorToken,
  signInAsOperator,
  tabTo,
} from "./helpers.js";

const EXAMPLES = path.resolve(import.meta.dirname, "../../examples");
const ORDERS_CSV = path.join(EXAMPLES, "acme-orders.csv");
const ORDER_IDS = (await readFile(ORDERS_CSV, "utf8"))
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => line.split(",")[0]!)
  .sort();
const ORDERS_ROWS = ORDER_IDS.length;
const TENANT = "5d2e8f1a-3b4c-4d5e-9f6a-7b8c9d0e1f2a";
const KEYBOARD_TENANT = "6e3f9a2b-4c5d-4e6f-8a7b-8c9d0e1f2a3b";

const suite = consoleSuite({ env: { OPENINSIGHTS_CATALOGS: path.join(EXAMPLES, "acme-catalog.yaml") } });

/** The tenant's order ids through the public API (a try-query). */
async function orderIds(tenant: string): Promise<string[]> {
  const query = encodeURIComponent("SELECT OrderId FROM Orders TIMESPAN LIFETIME");
  const res = await suite.app.call(
    tenant,
    "GET",
    `/insights/v1/acme/ScheduledQueries/testQueryResult?exportQuery=${query}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.value.map((row: { OrderId: string }) => row.OrderId).sort();
}

describe("load upload", () => {
  it("loads a CSV with progress, shows the record and the history, and the tenant sees the rows", async () => {
    const { context, page } = await suite.open();
    await signInAsOperator(page, suite.app);
    await page.getByText("No loads match.").waitFor();
    const form = page.getByRole("form", { name: "Load a file" });
    await form.getByLabel("Program").selectOption("acme");
    expect(await form.getByLabel("Dataset").locator("option").allTextContents()).toEqual([
      "Choose a dataset…",
      "Orders",
      "Customers",
    ]);
    await form.getByLabel("Dataset").selectOption("Orders");
    await form.getByLabel("File").setInputFiles(ORDERS_CSV);
    expect(await form.getByLabel("Format").inputValue()).toBe("text/csv");
    // Dates only for replace.
    expect(await form.getByLabel(/^From day/).count()).toBe(0);

    // No tenant, then not a GUID: the API's message under the tenant id.
    await form.getByRole("button", { name: "Load file" }).click();
    const tenantError = page.locator("#load-tenantId-error");
    await expect.poll(() => tenantError.textContent()).toContain("tenantId is required");
    await form.getByLabel("Tenant id").fill("contoso");
    await form.getByRole("button", { name: "Load file" }).click();
    await expect.poll(() => tenantError.textContent()).toContain("tenantId must be a tenant id");
    expect(await form.getByLabel("Tenant id").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Tenant id").fill(TENANT);
    await form.getByRole("button", { name: "Load file" }).click();
    const record = page.locator(".load-record");
    await record.waitFor();
    expect(await tenantError.count()).toBe(0);
    const progress = page.locator("#load-progress");
    expect(await progress.getAttribute("value")).toBe(await progress.getAttribute("max"));
    expect(await page.locator(".upload-progress").textContent()).toContain("(100 %)");
    const load = (await listLoads(suite.app, `tenantId=${TENANT}`))[0]!;
    expect(load).toMatchObject({
      program: "acme",
      dataset: "Orders",
      tenantId: TENANT,
      mode: "append",
      status: "Completed",
      rowCount: ORDERS_ROWS,
    });
    const shown = await record.textContent();
    for (const part of [load.loadId, "Completed", `${ORDERS_ROWS} rows`, TENANT])
      expect(shown).toContain(part);

    // The history is read again and lists the load.
    const rows = page.locator("table.loads tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const row = await rows.first().textContent();
    for (const part of ["Orders", TENANT, "append", "Completed", String(ORDERS_ROWS)])
      expect(row).toContain(part);
    await screenshot(page, "loads-upload-1280");

    // The tenant sees the rows and the dataset's last refresh.
    const datasets = await suite.app.call(TENANT, "GET", "/insights/v1/acme/ScheduledDataset");
    const orders = datasets.body.value.find((d: { datasetName: string }) => d.datasetName === "Orders");
    expect(orders.lastRefreshedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await orderIds(TENANT)).toEqual(ORDER_IDS);

    // A bad value: the API's message (line and column) under the file; a Failed load in the history.
    await form.getByLabel("File").setInputFiles({
      name: "bad.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        "OrderId,OrderDate,CustomerName,Country,Product,IsRenewal,Quantity,AmountUSD\nB-1,2026-11-03,X,France,P,false,many,1.00\n",
      ),
    });
    await form.getByRole("button", { name: "Load file" }).click();
    const fileError = page.locator("#load-file-error");
    await fileError.waitFor();
    expect(await listLoads(suite.app, `tenantId=${TENANT}&status=Failed`)).toHaveLength(1);
    expect(await fileError.textContent()).toContain("Invalid value 'many' for column Quantity at line 2");
    expect(await page.locator(".load-record").count()).toBe(0);
    await expect.poll(() => rows.count()).toBe(2);
    expect(await orderIds(TENANT)).toHaveLength(ORDERS_ROWS);

    // Replace shows the days; a window backwards: the API's message under From.
    await form.getByLabel("Replace the tenant's rows").check();
    await form.getByLabel(/^From day/).fill("2026-12-01");
    await form.getByLabel(/^To day/).fill("2026-11-01");
    await form.getByLabel("File").setInputFiles(ORDERS_CSV);
    await form.getByRole("button", { name: "Load file" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Replace rows" }).click();
    await expect.poll(() => page.locator("#load-from-error").textContent()).toContain("must be before");
    expect(await fileError.count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "loads-upload-error-1280");
    await context.close();
  });

  it("loads a file by keyboard alone", async () => {
    const { context, page } = await suite.open();
    // Listening from the start turns on Playwright's file-chooser interception well before Space is
    // pressed: waitForEvent at the press itself raced it and missed the chooser on a loaded machine.
    const choosers: FileChooser[] = [];
    page.on("filechooser", (chooser) => choosers.push(chooser));
    await tabTo(page, /\|Access token$/);
    await page.keyboard.insertText(await operatorToken(suite.app));
    await tabTo(page, /^Sign in\|/);
    await page.keyboard.press("Enter");
    // Failed twice in full Node 22 runs: no Loads page 30 s after Enter, the sign-in page back with
    // no message. The likely cause, a token check that failed (not 401) after the token was kept and
    // bounced back without a word, is gone: SignIn.tsx keeps a token only once the check passed, and
    // shows why it did not. Should it fail again, say what the page showed instead.
    await page
      .getByRole("heading", { name: "Loads", level: 1 })
      .waitFor()
      .catch(async (error: unknown) => {
        const shown = await page.evaluate(() => ({
          hash: location.hash,
          title: document.title,
          focused: document.activeElement?.outerHTML.slice(0, 200),
          alerts: [...document.querySelectorAll("[role=alert], .notice")].map((n) => n.textContent),
        }));
        throw new Error(
          `No Loads page after signing in by keyboard; the page showed ${JSON.stringify(shown)}`,
          {
            cause: error,
          },
        );
      });
    await tabTo(page, /\|Program$/);
    await page.keyboard.type("acme");
    expect(await page.locator("#load-program").inputValue()).toBe("acme");
    await tabTo(page, /\|Dataset$/);
    await page.keyboard.type("Orders");
    expect(await page.locator("#load-dataset").inputValue()).toBe("Orders");
    await tabTo(page, /\|Tenant id$/);
    await page.keyboard.type(KEYBOARD_TENANT);
    await tabTo(page, /\|File$/);
    await page.keyboard.press("Space");
    await expect.poll(() => choosers.length, { timeout: 30_000 }).toBe(1);
    await choosers[0]!.setFiles(ORDERS_CSV);
    await tabTo(page, /^Load file\|/);
    await page.keyboard.press("Enter");
    await page.locator(".load-record").waitFor();
    expect(await page.locator(".load-record").textContent()).toContain(`${ORDERS_ROWS} rows`);
    expect(await orderIds(KEYBOARD_TENANT)).toHaveLength(ORDERS_ROWS);
    await context.close();
  });

  it("has no serious or critical accessibility violations and fits 390 px", async () => {
    const { context, page } = await suite.open(390);
    await signInAsOperator(page, suite.app);
    const form = page.getByRole("form", { name: "Load a file" });
    await form.getByLabel("Program").selectOption("acme");
    await form.getByLabel("Dataset").selectOption("Orders");
    await form.getByLabel("Tenant id").fill(TENANT);
    await form.getByLabel("Replace the tenant's rows").check();
    await form.getByLabel(/^From day/).fill("2026-11-01");
    await form.getByLabel(/^To day/).fill("2026-12-01");
    await form.getByLabel("File").setInputFiles(ORDERS_CSV);
    await form.getByRole("button", { name: "Load file" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Replace rows" }).click();
    await page.locator(".load-record").waitFor();
    expect(await page.locator(".load-record").textContent()).toContain("replace");
    expect(await orderIds(TENANT)).toHaveLength(ORDERS_ROWS);
    expect(await axeViolations(page)).toEqual([]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "loads-upload-390");
    await context.close();
  });
});
