/**
 * The console in a real Chromium, continued: each column's type on the datasets page (E1's
 * openInsightsColumnTypes), a calendar (cron) report created in the form and listed with its
 * schedule, the API's Schedule and TimeZone messages under their fields, and the confirmation a
 * replace load asks for (cancel sends nothing) — with axe-core and screenshots at 1280 and 390 px
 * in .tmp/console-screenshots/.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { screenshot } from "../support/browser.js";
import { axeViolations, consoleSuite, fitsWidth, listLoads, signInAs, signInAsOperator } from "./helpers.js";

const CONTOSO = DEMO_TENANTS[0]!;
const EXAMPLES = path.resolve(import.meta.dirname, "../../examples");
const ORDERS_CSV = path.join(EXAMPLES, "acme-orders.csv");
const REPLACE_TENANT = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const QUERY_NAME = "Revenue by customer";

const suite = consoleSuite({
  demo: true,
  demoRows: 300,
  env: { OPENINSIGHTS_CATALOGS: path.join(EXAMPLES, "acme-catalog.yaml") },
});

beforeAll(async () => {
  const query = await suite.app.call(CONTOSO.id, "POST", "/insights/v1/mpn/ScheduledQueries", {
    Name: QUERY_NAME,
    Query: "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_MONTH",
  });
  expect(query.status, JSON.stringify(query.body)).toBe(200);
});

function loadsOf(tenant: string) {
  return listLoads(suite.app, `tenantId=${tenant}`);
}

/** The message the API gives for this report body (what the form must show). */
async function apiMessage(body: Record<string, unknown>): Promise<string> {
  const res = await suite.app.call(CONTOSO.id, "POST", "/insights/v1/mpn/ScheduledReport", body);
  expect(res.status).toBe(400);
  return res.body.message;
}

/** Opens the report form with the name and query filled in and "Calendar (cron)" chosen. */
async function calendarForm(page: Page, name: string): Promise<void> {
  await page.goto(`${suite.app.baseUrl}/console#/reports`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Query", { exact: true }).selectOption({ label: QUERY_NAME });
  await page.getByLabel("On a schedule").check();
  // The interval's fields until the calendar is chosen.
  await page.getByLabel("Every (hours)").waitFor();
  await page.getByLabel("Calendar (cron)").check();
  expect(await page.getByLabel("Every (hours)").count()).toBe(0);
  expect(await page.getByLabel("First run (UTC)").count()).toBe(0);
}

describe("datasets: column types", () => {
  it("shows each column's type from E1 beside it, at 1280 and 390 px", async () => {
    const api = await suite.app.call(
      CONTOSO.id,
      "GET",
      "/insights/v1/acme/ScheduledDataset?datasetName=Orders",
    );
    const orders = api.body.value[0] as {
      openInsightsColumnTypes: { name: string; type: string }[];
      availableMetrics: string[];
    };
    for (const width of [1280, 390]) {
      const { context, page } = await suite.open(width);
      await signInAs(page, CONTOSO);
      await page.getByLabel("Program").selectOption("acme");
      const card = page.locator("article.dataset", { has: page.getByRole("heading", { name: "Orders" }) });
      await card.waitFor();
      await card.getByText("Columns and metrics").click();
      // Every column with the API's type; metrics that are not columns have none.
      const chips = card.locator("li.chip");
      const shown = await chips.evaluateAll((items) =>
        items.map((item) => ({
          name: item.firstChild?.textContent ?? "",
          type: item.querySelector(".chip-type")?.textContent?.replace(/^, /, "") ?? null,
        })),
      );
      const columns = orders.openInsightsColumnTypes;
      expect(shown.slice(0, columns.length)).toEqual(columns);
      expect(shown.slice(columns.length).map((chip) => chip.type)).toEqual(
        orders.availableMetrics.filter((m) => !columns.some((c) => c.name === m)).map(() => null),
      );
      // Read aloud as "IsRenewal, boolean".
      expect(await card.locator("li.chip", { hasText: "IsRenewal" }).textContent()).toBe(
        "IsRenewal, boolean",
      );
      expect(await axeViolations(page)).toEqual([]);
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `datasets-types-${width}`);

      // The search finds columns as before, and the matching card shows their types.
      await page.getByLabel("Search datasets, columns and date ranges").fill("AmountUSD");
      await expect.poll(() => page.locator("article.dataset h2").allTextContents()).toEqual(["Orders"]);
      expect(await card.locator("li.chip", { hasText: "AmountUSD" }).textContent()).toBe(
        "AmountUSD, decimal",
      );
      await context.close();
    }
  });
});

describe("report form: calendar schedules", () => {
  it("creates a calendar report and lists it with its schedule", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await calendarForm(page, "Weekday mornings");
    await page.getByLabel("Schedule (cron)").fill("0 6 * * 1-5");
    await page.getByLabel("Time zone").fill("Europe/Paris");
    await page.getByLabel("Runs (empty: no end)").fill("10");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "reports-calendar-form-1280");
    await page.getByRole("button", { name: "Create report" }).click();
    await page.getByText("Report “Weekday mornings” created.").waitFor();

    const stored = await suite.app.call(
      CONTOSO.id,
      "GET",
      "/insights/v1/mpn/ScheduledReport?reportName=Weekday mornings",
    );
    const report = stored.body.value[0];
    expect(report).toMatchObject({
      schedule: "0 6 * * 1-5",
      timeZone: "Europe/Paris",
      recurrenceInterval: 0,
      recurrenceCount: 10,
      executeNow: false,
      reportStatus: "Active",
    });
    const row = page.locator("tr", {
      has: page.getByRole("link", { name: "Weekday mornings", exact: true }),
    });
    const startedAt = `${report.startTime.slice(0, 16).replace("T", " ")} UTC`;
    await expect
      .poll(() => row.locator("td").nth(2).textContent())
      .toBe(`Calendar 0 6 * * 1-5 (Europe/Paris) from ${startedAt}, 10 times`);
    await screenshot(page, "reports-calendar-list-1280");

    // The executions page says the same.
    await row.getByRole("link", { name: "Weekday mornings", exact: true }).click();
    await page.getByRole("heading", { name: "Executions of Weekday mornings" }).waitFor();
    await expect
      .poll(() => page.locator("section > p.help").first().textContent())
      .toContain("Calendar 0 6 * * 1-5 (Europe/Paris)");
    await screenshot(page, "executions-calendar-1280");
    await context.close();
  });

  it("shows the API's message for a bad cron under Schedule, and for a bad zone under Time zone", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    const queryId = (
      await suite.app.call(CONTOSO.id, "GET", `/insights/v1/mpn/ScheduledQueries?queryName=${QUERY_NAME}`)
    ).body.value[0].queryId;
    await calendarForm(page, "Bad cron");
    const schedule = page.getByLabel("Schedule (cron)");
    await schedule.fill("0 6 * *");
    await page.getByRole("button", { name: "Create report" }).click();
    const scheduleError = page.locator("#Schedule-error");
    await scheduleError.waitFor();
    expect(await scheduleError.textContent()).toBe(
      await apiMessage({ ReportName: "Bad cron", QueryId: queryId, Schedule: "0 6 * *" }),
    );
    expect(await scheduleError.textContent()).toContain("is not a 5-field cron expression");
    expect(await schedule.getAttribute("aria-invalid")).toBe("true");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "reports-calendar-error-1280");

    // Too often for the API (every 2 hours): its message, under Schedule again.
    await schedule.fill("0 */2 * * *");
    await page.getByRole("button", { name: "Create report" }).click();
    await expect
      .poll(() => scheduleError.textContent())
      .toContain("its times must be at least 4 hours apart");

    await schedule.fill("0 6 * * *");
    await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Create report" }).click();
    const zoneError = page.locator("#TimeZone-error");
    await zoneError.waitFor();
    expect(await zoneError.textContent()).toBe(
      await apiMessage({
        ReportName: "Bad cron",
        QueryId: queryId,
        Schedule: "0 6 * * *",
        TimeZone: "Mars/Olympus_Mons",
      }),
    );
    expect(await scheduleError.count()).toBe(0);
    expect(await page.getByLabel("Time zone").getAttribute("aria-invalid")).toBe("true");
    // Nothing was created.
    const stored = await suite.app.call(
      CONTOSO.id,
      "GET",
      "/insights/v1/mpn/ScheduledReport?reportName=Bad cron",
    );
    expect(stored.body.value).toEqual([]);
    await context.close();
  });

  it("fits 390 px with no serious accessibility violations", async () => {
    const { context, page } = await suite.open(390);
    await signInAs(page, CONTOSO);
    await calendarForm(page, "Narrow");
    await page.getByLabel("Schedule (cron)").fill("0 6 * *");
    await page.getByRole("button", { name: "Create report" }).click();
    await page.locator("#Schedule-error").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "reports-calendar-390");
    await context.close();
  });
});

describe("loads: a replace asks first", () => {
  async function replaceForm(page: Page, window?: { from: string; to: string }) {
    await signInAsOperator(page, suite.app);
    const form = page.getByRole("form", { name: "Load a file" });
    await form.getByLabel("Program").selectOption("acme");
    await form.getByLabel("Dataset").selectOption("Orders");
    await form.getByLabel("Tenant id").fill(REPLACE_TENANT);
    await form.getByLabel("File").setInputFiles(ORDERS_CSV);
    await form.getByLabel("Replace the tenant's rows").check();
    if (window) {
      await form.getByLabel(/^From day/).fill(window.from);
      await form.getByLabel(/^To day/).fill(window.to);
    }
    return form;
  }

  it("names dataset, tenant and window; cancel sends nothing, confirm loads", async () => {
    const { context, page } = await suite.open();
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/loads?")) sent.push(request.url());
    });
    const form = await replaceForm(page, { from: "2026-11-01", to: "2026-12-01" });
    await form.getByRole("button", { name: "Load file" }).click();
    const dialog = page.getByRole("dialog", { name: "Replace the tenant's rows?" });
    await dialog.waitFor();
    const text = await dialog.textContent();
    for (const part of ["Orders", "acme", REPLACE_TENANT, "from 2026-11-01", "not including, 2026-12-01"])
      expect(text).toContain(part);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "loads-replace-confirm-1280");

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    // Escape cancels as well.
    await form.getByRole("button", { name: "Load file" }).click();
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(sent).toEqual([]);
    expect(await page.locator("#load-progress").count()).toBe(0);
    expect(await loadsOf(REPLACE_TENANT)).toEqual([]);

    await form.getByRole("button", { name: "Load file" }).click();
    await dialog.getByRole("button", { name: "Replace rows" }).click();
    await page.locator(".load-record").waitFor();
    expect(sent).toHaveLength(1);
    expect(new URL(sent[0]!).searchParams.get("mode")).toBe("replace");
    expect(await loadsOf(REPLACE_TENANT)).toMatchObject([{ mode: "replace", status: "Completed" }]);
    await context.close();
  });

  it("says a replace without days takes all the rows; appending asks nothing; 390 px", async () => {
    const { context, page } = await suite.open(390);
    const form = await replaceForm(page);
    await form.getByRole("button", { name: "Load file" }).click();
    const dialog = page.getByRole("dialog", { name: "Replace the tenant's rows?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("all of them, whatever their date");
    expect(await axeViolations(page)).toEqual([]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "loads-replace-confirm-390");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    const before = (await loadsOf(REPLACE_TENANT)).length;
    await form.getByLabel("Append the rows").check();
    await form.getByRole("button", { name: "Load file" }).click();
    await page.locator(".load-record").waitFor();
    expect(await dialog.count()).toBe(0);
    expect(await loadsOf(REPLACE_TENANT)).toHaveLength(before + 1);
    await context.close();
  });
});
