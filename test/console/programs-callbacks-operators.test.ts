/**
 * The console in a real Chromium, continued: catalog-file programs in the program selector and
 * their datasets' freshness, every field of the report form, callbacks with their attempts and
 * "Send again", and the operator pages (load history, audit log) under an operator's token — at
 * 1280 and 390 px, by keyboard, with axe-core. Screenshots go to .tmp/console-screenshots/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { screenshot } from "../support/browser.js";
import { startReceiver } from "../support/receiver.js";
import {
  axeViolations,
  consoleSuite,
  fitsWidth,
  operatorToken,
  signInAs,
  signInAsOperator,
  tabTo,
} from "./helpers.js";

const CONTOSO = DEMO_TENANTS[0]!;
const FABRIKAM = DEMO_TENANTS[1]!;
const EXAMPLES = path.resolve(import.meta.dirname, "../../examples");
const ACME_ORDERS = await readFile(path.join(EXAMPLES, "acme-orders.csv"), "utf8");
/** Refused changes written to the audit log before the tests: more than one page of 50. */
const REFUSED_CHANGES = 57;

const suite = consoleSuite({
  demo: true,
  demoRows: 500,
  background: true,
  rows: [{ program: "acme", dataset: "Orders", tenant: CONTOSO.id, csv: ACME_ORDERS }],
  env: {
    OPENINSIGHTS_CATALOGS: path.join(EXAMPLES, "acme-catalog.yaml"),
    OPENINSIGHTS_POLL_INTERVAL_MS: "50",
    OPENINSIGHTS_SCHEDULER_INTERVAL_MS: "50",
    OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
  },
});

beforeAll(async () => {
  // Fabrikam's refused query creations: audit entries (outcome failure) for the paging test.
  for (let i = 0; i < REFUSED_CHANGES; i++) {
    const refused = await suite.app.call(FABRIKAM.id, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: `Refused ${i}`,
      Query: "SELEC nothing",
    });
    expect(refused.status).toBe(400);
  }
});

/** A saved query and an ExecuteNow report on it, made through the API; the report's id. */
async function executeNowReport(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const query = await suite.app.call(CONTOSO.id, "POST", "/insights/v1/mpn/ScheduledQueries", {
    Name: `${name} query`,
    Query: "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_1_YEAR",
  });
  const report = await suite.app.call(CONTOSO.id, "POST", "/insights/v1/mpn/ScheduledReport", {
    ReportName: name,
    QueryId: query.body.value[0].queryId,
    ExecuteNow: true,
    ...extra,
  });
  expect(report.status, JSON.stringify(report.body)).toBe(200);
  return report.body.value[0].reportId;
}

describe("programs", () => {
  it("lists every program the service serves, catalog files' included, without a token", async () => {
    const listed = await suite.app.call(null, "GET", "/insights/v1/programs");
    expect(listed.status).toBe(200);
    expect(listed.body.value).toEqual([
      expect.objectContaining({ program: "mpn", basePaths: ["/insights/v1/mpn"] }),
      expect.objectContaining({ program: "cmp", basePaths: ["/insights/v1/cmp", "/insights/v1.1/cmp"] }),
      { program: "acme", basePaths: ["/insights/v1/acme"], datasets: ["Orders", "Customers"] },
    ]);
    expect(listed.body.value[0].datasets).toContain("CustomersAndTenants");
  });

  it("offers catalog programs in the selector and shows each dataset's last refresh", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    const program = page.getByLabel("Program");
    await expect
      .poll(() => program.locator("option").allTextContents())
      .toEqual(["Partner Center (mpn)", "Marketplace (cmp)", "acme"]);
    await program.selectOption("acme");
    await expect
      .poll(() => page.locator("article.dataset h2").allTextContents())
      .toEqual(["Orders", "Customers"]);
    const api = await suite.app.call(CONTOSO.id, "GET", "/insights/v1/acme/ScheduledDataset");
    const orders = api.body.value.find((d: { datasetName: string }) => d.datasetName === "Orders");
    expect(orders.lastRefreshedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const card = (name: string) =>
      page.locator("article.dataset", { has: page.getByRole("heading", { name }) });
    expect(await card("Orders").locator(".refreshed time").getAttribute("datetime")).toBe(
      orders.lastRefreshedTime,
    );
    expect(await card("Customers").locator(".refreshed").textContent()).toBe("no load recorded");
    await screenshot(page, "datasets-acme-1280");
    // The choice holds across pages: the queries page lists acme's system queries.
    await page.getByRole("link", { name: "Queries" }).click();
    await page.getByRole("heading", { name: /^System/ }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("openinsights.program"))).toBe("acme");
    await context.close();
  });
});

describe("report form", () => {
  it("offers every format and compression the API takes and sends the extension fields", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await page.goto(`${suite.app.baseUrl}/console#/reports`);
    const format = page.getByLabel("Format", { exact: true });
    const compression = page.getByLabel("Compression", { exact: true });
    expect(await format.locator("option").allTextContents()).toEqual([
      "CSV",
      "TSV",
      "Parquet",
      "JSON (one object per line)",
    ]);
    expect(await compression.locator("option").allTextContents()).toEqual(["None", "gzip", "zstd"]);
    await compression.selectOption("gzip");
    await format.selectOption("parquet");
    // Parquet takes no whole-file compression: gzip is gone, and the choice is back at none.
    expect(await compression.locator("option").allTextContents()).toEqual(["None"]);
    expect(await compression.inputValue()).toBe("none");
    await page.getByText("Parquet files compress their own columns").waitFor();
    await format.selectOption("json");
    await compression.selectOption("zstd");

    await page.getByLabel("Name", { exact: true }).fill("Every field");
    await page.getByLabel("Query", { exact: true }).selectOption({ index: 1 });
    await page.getByLabel("On a schedule").check();
    await page
      .getByLabel("First run (UTC)")
      .fill(new Date(Date.now() + 86_400_000).toISOString().slice(0, 16));
    await page.getByLabel("Every (hours)").fill("24");
    await page.getByLabel("Data of each run").selectOption("SinceLastSuccess");
    await page.getByLabel("Spreadsheet-safe text cells").selectOption("true");
    await page.getByLabel("Callback URL (optional)").fill("http://127.0.0.1:9/hook");
    await page.getByLabel("Callback on failure").selectOption("true");
    await screenshot(page, "reports-every-field-1280");
    await page.getByRole("button", { name: "Create report" }).click();
    await page.getByText("Report “Every field” created.").waitFor();
    const row = page.locator("tr", { has: page.getByRole("link", { name: "Every field", exact: true }) });
    expect(await row.textContent()).toContain("json (zstd)");
    expect(await row.textContent()).toContain("new rows since the last success");

    const stored = await suite.app.call(
      CONTOSO.id,
      "GET",
      "/insights/v1/mpn/ScheduledReport?reportName=Every field",
    );
    expect(stored.body.value[0]).toMatchObject({
      format: "json",
      compression: "zstd",
      spreadsheetSafe: true,
      queryWindow: "SinceLastSuccess",
      callbackUrl: "http://127.0.0.1:9/hook",
      callbackMethod: "POST",
      callbackOnFailure: true,
    });
    await context.close();
  });
});

describe("callbacks", () => {
  it("shows each attempt's outcome, follows the retry, and sends a callback again by keyboard", async () => {
    const receiver = await startReceiver();
    receiver.respondWith(500);
    const reportId = await executeNowReport("Callback report", { CallbackUrl: `${receiver.url}/ready` });
    const { context, page } = await suite.open();
    try {
      await signInAs(page, CONTOSO);
      await page.goto(`${suite.app.baseUrl}/console#/executions/${reportId}`);
      await page.getByText("Callback: Pending (1 attempt)").click({ timeout: 30_000 });
      await page.getByText(/#1 .*: HTTP 500 in \d+ ms/).waitFor();
      await screenshot(page, "executions-callback-failed-1280");
      // The receiver is fixed; the next automatic attempt (5–10 s later) delivers.
      receiver.respondWith(200);
      await page.getByText("Callback: Delivered (2 attempts)").waitFor({ timeout: 30_000 });
      await page.getByText(/#2 .*: HTTP 200 in \d+ ms/).waitFor();

      await page.locator("body").focus();
      await tabTo(page, /^Send again the callback of /);
      await page.keyboard.press("Enter");
      await page.getByText("Callback queued for redelivery").waitFor();
      await page.getByText("Callback: Delivered (3 attempts)").waitFor({ timeout: 30_000 });
      await screenshot(page, "executions-callback-redelivered-1280");
      expect(receiver.received).toHaveLength(3);
      // The same event every time: receivers that de-duplicate see repeats.
      expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
      const listed = await suite.app.call(
        CONTOSO.id,
        "GET",
        `/insights/v1/mpn/ScheduledReport/execution/${reportId}/deliveries`,
      );
      expect(listed.body.value[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([
        500, 200, 200,
      ]);
      // The run's chart: one bar per completed run in each.
      expect(await page.locator("figure.chart").count()).toBe(2);
      expect(await page.locator("figure.chart").first().locator("rect.bar").count()).toBe(1);
    } finally {
      await context.close();
      await receiver.close();
    }
  });
});

describe("operators", () => {
  it("signs in with an operator's token and shows the load history with its filters", async () => {
    const { context, page } = await suite.open();
    await signInAsOperator(page, suite.app);
    const nav = page.getByRole("navigation", { name: "Pages" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Loads", "Audit log"]);
    expect(await page.locator("header").getByLabel("Program").count()).toBe(0);
    const rows = page.locator("table.loads tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const loads = await suite.app.call(null, "GET", "/admin/v1/loads", undefined, {
      authorization: `Bearer ${await operatorToken(suite.app)}`,
    });
    const load = loads.body.value[0];
    expect(load).toMatchObject({
      program: "acme",
      dataset: "Orders",
      tenantId: CONTOSO.id,
      status: "Completed",
    });
    const text = await rows.first().textContent();
    for (const part of ["Orders", "acme", CONTOSO.id, "append", "Completed", String(load.rowCount)]) {
      expect(text).toContain(part);
    }
    await screenshot(page, "loads-1280");

    const filters = page.getByRole("form", { name: "Filter the loads" });
    await filters.getByLabel("Program").selectOption("acme");
    expect(await filters.getByLabel("Dataset").locator("option").allTextContents()).toEqual([
      "All",
      "Orders",
      "Customers",
    ]);
    await filters.getByLabel("Dataset").selectOption("Customers");
    await filters.getByRole("button", { name: "Show loads" }).click();
    await page.getByText("No loads match.").waitFor();
    await filters.getByLabel("Dataset").selectOption("Orders");
    await filters.getByRole("button", { name: "Show loads" }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await filters.getByLabel("Status").selectOption("Failed");
    await filters.getByRole("button", { name: "Show loads" }).click();
    await page.getByText("No loads match.").waitFor();
    await context.close();
  });

  it("shows the audit log filtered, a page at a time", async () => {
    const admin = { authorization: `Bearer ${await operatorToken(suite.app)}` };
    const { context, page } = await suite.open();
    await signInAsOperator(page, suite.app);
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await page.locator("table.audit tbody tr").first().waitFor();

    await page.getByLabel("Tenant").fill(FABRIKAM.id);
    await page.getByLabel("Action").fill("createQuery");
    await page.getByLabel("Outcome").selectOption("failure");
    await page.getByRole("button", { name: "Show entries" }).click();
    const rows = page.locator("table.audit tbody tr");
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.locator(".pager").textContent()).toContain("Page 1");
    const firstPage = await rows.allTextContents();
    expect(firstPage.every((row) => row.includes("createQuery") && row.includes("failure"))).toBe(true);
    await screenshot(page, "audit-1280");

    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => page.locator(".pager").textContent()).toContain("Page 2");
    await expect.poll(() => rows.count()).toBe(REFUSED_CHANGES - 50);
    expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    // The API's own listing: the same entries, page by page.
    const filter = `tenant=${FABRIKAM.id}&action=createQuery&outcome=failure`;
    const api = await suite.app.call(
      null,
      "GET",
      `/admin/v1/audit?${filter}&pageSize=1000`,
      undefined,
      admin,
    );
    expect(api.body.value).toHaveLength(REFUSED_CHANGES);
    const secondPage = await rows.allTextContents();
    expect(secondPage.some((row) => firstPage.includes(row))).toBe(false);

    await page.getByRole("button", { name: "Previous page" }).click();
    await expect.poll(() => page.locator(".pager").textContent()).toContain("Page 1");
    await expect.poll(() => rows.allTextContents()).toEqual(firstPage);

    // A filter the API refuses is shown, not swallowed.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Outcome").selectOption("success");
    await page.getByRole("button", { name: "Show entries" }).click();
    // Until the filtered page arrives, the unfiltered one (failures included) is still shown.
    await expect
      .poll(async () => {
        const shown = await rows.allTextContents();
        return shown.length > 0 && shown.every((row) => row.includes("success"));
      })
      .toBe(true);
    await context.close();
  });

  it("refuses the operator pages to a tenant's token, and the tenant pages to an operator's", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await page.goto(`${suite.app.baseUrl}/console#/audit`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    const tenantToken = await page.evaluate(() => sessionStorage.getItem("openinsights.token"));
    const refused = await fetch(`${suite.app.baseUrl}/admin/v1/audit`, {
      headers: { authorization: `Bearer ${tenantToken}` },
    });
    expect(refused.status).toBe(403);
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInAsOperator(page, suite.app);
    await page.goto(`${suite.app.baseUrl}/console#/datasets`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await context.close();
  });

  it("runs the operator's audit search by keyboard alone", async () => {
    const { context, page } = await suite.open();
    await tabTo(page, /\|Access token$/);
    await page.keyboard.insertText(await operatorToken(suite.app));
    await tabTo(page, /^Sign in\|/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Loads", level: 1 }).waitFor();
    await tabTo(page, /^Audit log\|/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await tabTo(page, /\|Tenant$/);
    await page.keyboard.type(FABRIKAM.id);
    await tabTo(page, /^Show entries/);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".pager").count()).toBe(1);
    await tabTo(page, /^Next page/);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".pager").textContent()).toContain("Page 2");
    await context.close();
  });
});

describe("new pages at 1280 and 390 px", () => {
  it("have no serious or critical accessibility violations and fit the width", async () => {
    const reportId = await executeNowReport("Narrow report", { CallbackUrl: "http://127.0.0.1:9/nobody" });
    for (const width of [1280, 390]) {
      const tenant = await suite.open(width);
      const operator = await suite.open(width);
      const pages: [string, Page, () => Promise<void>][] = [
        [
          "datasets-acme",
          tenant.page,
          async () => {
            await signInAs(tenant.page, CONTOSO);
            await tenant.page.getByLabel("Program").selectOption("acme");
            await tenant.page.getByRole("heading", { name: "Customers" }).waitFor();
          },
        ],
        [
          "reports-form",
          tenant.page,
          async () => {
            await tenant.page.goto(`${suite.app.baseUrl}/console#/reports`);
            await tenant.page.getByRole("heading", { name: "New report" }).waitFor();
            await tenant.page.getByLabel("On a schedule").check();
          },
        ],
        [
          "executions-callback",
          tenant.page,
          async () => {
            await tenant.page.getByLabel("Program").selectOption("mpn");
            await tenant.page.goto(`${suite.app.baseUrl}/console#/executions/${reportId}`);
            await tenant.page.getByText(/^Callback: /).click({ timeout: 30_000 });
            await tenant.page.locator(".attempts li").first().waitFor({ timeout: 30_000 });
          },
        ],
        ["loads", operator.page, async () => signInAsOperator(operator.page, suite.app)],
        [
          "audit",
          operator.page,
          async () => {
            await operator.page.getByRole("link", { name: "Audit log" }).click();
            await operator.page.locator("table.audit tbody tr").first().waitFor();
          },
        ],
      ];
      for (const [name, page, show] of pages) {
        await show();
        expect(await axeViolations(page), `${name} at ${width} px`).toEqual([]);
        expect(await fitsWidth(page), `${name} at ${width} px fits`).toBe(true);
        await screenshot(page, `${name}-${width}`);
      }
      await tenant.context.close();
      await operator.context.close();
    }
  });
});
