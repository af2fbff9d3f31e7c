/**
 * The console in a real Chromium against the real app over loopback: sign-in, the query editor's
 * diagnostics, reports and their files, tenant isolation, the keyboard, accessibility, failure
 * paths. Screenshots of every page at 1280 and 390 px go to .tmp/console-screenshots/.
 */

import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp } from "../support/app.js";
import { screenshot } from "../support/browser.js";
import { startOidcProvider } from "../support/oidc-provider.js";
import { startReceiver } from "../support/receiver.js";
import { axeViolations, consoleSuite, signInAs, tabTo as tabToOn } from "./helpers.js";

const CONTOSO = DEMO_TENANTS[0]!;
const FABRIKAM = DEMO_TENANTS[1]!;

const suite = consoleSuite({
  demo: true,
  demoRows: 3000,
  background: true,
  env: {
    OPENINSIGHTS_POLL_INTERVAL_MS: "50",
    OPENINSIGHTS_SCHEDULER_INTERVAL_MS: "50",
    OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
  },
});

/** Saves a query through the editor and returns its id (read from the confirmation). */
async function saveQuery(page: Page, name: string, text: string): Promise<string> {
  await page.goto(`${suite.app.baseUrl}/console#/queries`);
  await page.locator("#query-text").fill(text);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save query" }).click();
  return (await page.locator(".notice.success code").textContent())!;
}

/** Fills and submits the new-report form on the reports page. */
async function createReport(
  page: Page,
  fields: { name: string; query: string; schedule?: { start: string; every: string }; callbackUrl?: string },
): Promise<void> {
  await page.goto(`${suite.app.baseUrl}/console#/reports`);
  await page.getByLabel("Name", { exact: true }).fill(fields.name);
  await page.getByLabel("Query", { exact: true }).selectOption({ label: fields.query });
  if (fields.callbackUrl) await page.getByLabel("Callback URL (optional)").fill(fields.callbackUrl);
  if (fields.schedule) {
    await page.getByLabel("On a schedule").check();
    await page.getByLabel("First run (UTC)").fill(fields.schedule.start);
    await page.getByLabel("Every (hours)").fill(fields.schedule.every);
  }
  await page.getByRole("button", { name: "Create report" }).click();
}

/** A datetime-local value a day from now. */
function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
}

describe("console: serving", () => {
  it("serves the page and its files under a strict Content-Security-Policy", async () => {
    const page = await fetch(`${suite.app.baseUrl}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe");
    const html = await page.text();
    const script = html.match(/src="(\/console\/assets\/[^"]+\.js)"/)![1]!;
    const asset = await fetch(`${suite.app.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${suite.app.baseUrl}/console/assets/nothing.js`)).status).toBe(404);
  });

  it("mints demo tokens for demo tenants only", async () => {
    const options = await suite.app.call(null, "GET", "/console/sign-in-options");
    expect(options.body.value[0].demoTenants.map((v: { name: string }) => v.name)).toEqual(
      DEMO_TENANTS.map((d) => d.name),
    );
    expect(options.body.value[0].oidc).toBeNull();
    const minted = await suite.app.call(null, "POST", "/console/demo/tokens", { tenantId: FABRIKAM.id });
    const token = minted.body.value[0].token as string;
    const datasets = await fetch(`${suite.app.baseUrl}/insights/v1/mpn/ScheduledDataset`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(datasets.status).toBe(200);
    const other = await suite.app.call(null, "POST", "/console/demo/tokens", {
      tenantId: "11111111-2222-4333-8444-555555555555",
    });
    expect(other.status).toBe(400);
  });

  it("has no demo sign-in without --demo, nor when an identity provider is configured", async () => {
    for (const options of [
      { demo: false },
      { demo: true, env: { OPENINSIGHTS_AUTH_JWKS_URLS: "http://127.0.0.1:9/keys" } },
    ]) {
      const other = await startTestApp(options);
      try {
        const offered = await other.call(null, "GET", "/console/sign-in-options");
        expect(offered.body.value[0].demoTenants).toEqual([]);
        const minted = await other.call(null, "POST", "/console/demo/tokens", { tenantId: CONTOSO.id });
        expect(minted.status).toBe(404);
      } finally {
        await other.close();
      }
    }
  });
});

describe("console in Chromium", () => {
  it("signs in as a demo tenant and searches the datasets", async () => {
    const { context, page } = await suite.open();
    await screenshot(page, "signin-1280");
    await signInAs(page, CONTOSO);
    await expect.poll(() => page.locator("article.dataset").count()).toBeGreaterThan(3);
    await screenshot(page, "datasets-1280");
    await page.getByLabel("Search datasets, columns and date ranges").fill("BilledRevenueUSD");
    const names = await page.locator("article.dataset h2").allTextContents();
    expect(names).toContain("CustomersAndTenants");
    expect(names.length).toBeLessThan(5);
    // The token lives in session storage, never in the address.
    expect(page.url()).not.toContain("eyJ");
    expect(await page.evaluate(() => sessionStorage.getItem("openinsights.token"))).toMatch(/^eyJ/);
    await context.close();
  });

  it("shows a misspelt column's diagnostic at its column, and the suggestion fixes it", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await page.getByRole("link", { name: "Queries" }).click();
    await page
      .locator("#query-text")
      .fill("SELECT CustomerName, BilledRevenueUSDD\nFROM CustomersAndTenants\nTIMESPAN LAST_MONTH");
    const diagnostic = page.locator(".diagnostic");
    await expect.poll(() => diagnostic.count()).toBe(1);
    expect(await diagnostic.locator(".where").textContent()).toBe("Line 1, column 22");
    expect(await page.locator(".marked").first().textContent()).toBe("BilledRevenueUSDD");
    await screenshot(page, "queries-diagnostic-1280");
    await page.getByRole("button", { name: "Use BilledRevenueUSD" }).click();
    expect(await page.locator("#query-text").inputValue()).toBe(
      "SELECT CustomerName, BilledRevenueUSD\nFROM CustomersAndTenants\nTIMESPAN LAST_MONTH",
    );
    await page.getByText("The API accepts this query.").waitFor();
    await page.getByRole("button", { name: "Try query" }).click();
    await page.getByRole("heading", { name: "Preview" }).waitFor();
    expect(await page.locator("table th").allTextContents()).toEqual(["CustomerName", "BilledRevenueUSD"]);
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);
    await screenshot(page, "queries-preview-1280");
    await context.close();
  });

  it("creates an ExecuteNow report, sees it Completed with its callback, and downloads the API's file byte for byte", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    const queryId = await saveQuery(
      page,
      "Revenue by customer",
      "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_1_YEAR",
    );
    const receiver = await startReceiver();
    await createReport(page, {
      name: "Revenue now",
      query: "Revenue by customer",
      callbackUrl: `${receiver.url}/ready`,
    });
    await page.getByRole("link", { name: "See its executions" }).click();
    const download = page.getByRole("link", { name: /^Download/ });
    await download.waitFor({ timeout: 30_000 });
    expect(await page.locator(".execution .status").first().textContent()).toBe("Completed");
    // The page follows the callback until it is delivered, and shows its attempt.
    const callback = page.getByText("Callback: Delivered (1 attempt)");
    await callback.waitFor({ timeout: 30_000 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.url).toMatch(/^\/ready/);
    await receiver.close();
    await callback.click();
    await page.getByText(/#1 .*: HTTP 200 in \d+ ms/).waitFor();
    await screenshot(page, "executions-1280");
    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    const inBrowser = await readFile((await file.path())!);

    const reports = await suite.app.call(
      CONTOSO.id,
      "GET",
      `/insights/v1/mpn/ScheduledReport?queryId=${queryId}`,
    );
    const reportId = reports.body.value[0].reportId;
    const executions = await suite.app.call(
      CONTOSO.id,
      "GET",
      `/insights/v1/mpn/ScheduledReport/execution/${reportId}`,
    );
    const fromApi = Buffer.from(
      await (await fetch(executions.body.value[0].reportAccessSecureLink)).arrayBuffer(),
    );
    expect(inBrowser.length).toBeGreaterThan(0);
    expect(inBrowser.equals(fromApi)).toBe(true);
    await page.getByText("Manifest").click();
    expect(await page.locator("code.hash").textContent()).toBe(executions.body.value[0].manifest.sha256);
    await context.close();
  });

  it("pauses and resumes a scheduled report, and deletes one after confirmation", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await saveQuery(
      page,
      "Daily revenue",
      "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_MONTH",
    );
    await createReport(page, {
      name: "Daily",
      query: "Daily revenue",
      schedule: { start: tomorrow(), every: "24" },
    });
    await page.getByText("Report “Daily” created.").waitFor();
    const row = page.locator("tr", { has: page.getByRole("link", { name: "Daily", exact: true }) });
    await row.getByRole("button", { name: "Pause Daily" }).click();
    await row.locator(".status", { hasText: "Paused" }).waitFor();
    await screenshot(page, "reports-1280");
    await row.getByRole("button", { name: "Resume Daily" }).click();
    await row.locator(".status", { hasText: "Active" }).waitFor();
    const stored = await suite.app.call(
      CONTOSO.id,
      "GET",
      "/insights/v1/mpn/ScheduledReport?reportName=Daily",
    );
    expect(stored.body.value[0].reportStatus).toBe("Active");

    await row.getByRole("button", { name: "Delete Daily" }).click();
    await screenshot(page, "reports-delete-dialog-1280");
    await page.getByRole("dialog").getByRole("button", { name: "Delete report" }).click();
    await row.waitFor({ state: "detached" });
    const gone = await suite.app.call(CONTOSO.id, "GET", "/insights/v1/mpn/ScheduledReport?reportName=Daily");
    expect(gone.body.value).toEqual([]);
    await context.close();
  });

  it("shows a second tenant none of the first tenant's queries or reports", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await saveQuery(page, "Contoso only", "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH");
    await createReport(page, { name: "Contoso report", query: "Contoso only" });
    await page.getByText("Report “Contoso report” created.").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();

    await signInAs(page, FABRIKAM);
    await page.getByRole("link", { name: "Queries" }).click();
    await page.getByRole("heading", { name: "System", exact: false }).waitFor();
    expect(await page.getByRole("heading", { name: "Yours (0)" }).count()).toBe(1);
    expect(await page.getByText("Contoso only").count()).toBe(0);
    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByText("No reports yet").waitFor();
    expect(await page.getByText("Contoso report").count()).toBe(0);
    await context.close();
  });

  it("runs the main flow by keyboard alone", async () => {
    const { context, page } = await suite.open();
    const tabTo = (name: RegExp) => tabToOn(page, name);
    await tabTo(/^Sign in as Contoso/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Datasets", level: 1 }).waitFor();
    await tabTo(/^Reports\|/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "New report" }).waitFor();
    await tabTo(/\|Name$/);
    await page.keyboard.type("Keyboard report");
    await tabTo(/\|Query$/);
    await page.keyboard.press("ArrowDown");
    await tabTo(/^Create report/);
    await page.keyboard.press("Enter");
    await page.getByText("Report “Keyboard report” created.").waitFor();
    await tabTo(/^See its executions/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Executions of Keyboard report" }).waitFor();
    await context.close();
  });

  it("has no serious or critical accessibility violations on any page, at 1280 and 390 px", async () => {
    for (const width of [1280, 390]) {
      const { context, page } = await suite.open(width);
      const pages: [string, () => Promise<void>][] = [
        ["signin", async () => page.getByRole("button", { name: "Sign in as Contoso" }).waitFor()],
        ["datasets", async () => signInAs(page, CONTOSO)],
        [
          "queries",
          async () => {
            await page.goto(`${suite.app.baseUrl}/console#/queries`);
            await page
              .locator("#query-text")
              .fill("SELECT CustmerName FROM CustomersAndTenants TIMESPAN LAST_MONTH");
            await page.locator(".diagnostic").waitFor();
          },
        ],
        [
          "reports",
          async () => {
            await page.goto(`${suite.app.baseUrl}/console#/reports`);
            await page.getByRole("heading", { name: "New report" }).waitFor();
          },
        ],
        [
          "executions",
          async () => {
            await page
              .getByRole("link", { name: /^Executions of / })
              .first()
              .click();
            await page.getByRole("heading", { name: /^Executions of / }).waitFor();
            await page.locator(".execution").first().waitFor();
          },
        ],
      ];
      for (const [name, show] of pages) {
        await show();
        const serious = await axeViolations(page);
        expect(serious, `${name} at ${width} px`).toEqual([]);
        await screenshot(page, `${name}-${width}`);
      }
      await context.close();
    }
  });
});

describe("console sign-in through an OpenID Connect issuer", () => {
  it("signs in with the authorization-code flow and PKCE, and keeps no code in the address", async () => {
    const audience = "api://openinsights";
    const idp = await startOidcProvider({ clientId: "console", audience, tenant: FABRIKAM.id });
    const other = await startTestApp({
      env: {
        OPENINSIGHTS_AUTH_ISSUERS: idp.issuer,
        OPENINSIGHTS_AUTH_AUDIENCES: audience,
        OPENINSIGHTS_CONSOLE_OIDC_CLIENT_ID: "console",
      },
    });
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${other.baseUrl}/console#/reports`);
      const csp = (await page.request.get(`${other.baseUrl}/console`)).headers()["content-security-policy"];
      expect(csp).toContain(`connect-src 'self' ${idp.issuer}`);
      expect(await page.getByRole("button", { name: /^Sign in as / }).count()).toBe(0);
      await screenshot(page, "signin-oidc-1280");
      await page.getByRole("button", { name: `Sign in with ${new URL(idp.issuer).host}` }).click();
      await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
      expect(page.url()).toBe(`${other.baseUrl}/console#/reports`);
      expect(idp.refusals).toEqual([]);
      const token = await page.evaluate(() => sessionStorage.getItem("openinsights.token"));
      const claims = JSON.parse(Buffer.from(token!.split(".")[1]!, "base64url").toString());
      expect(claims).toMatchObject({ iss: idp.issuer, tid: FABRIKAM.id });
      expect(await page.evaluate(() => Object.keys(sessionStorage).includes("openinsights.oidc"))).toBe(
        false,
      );
    } finally {
      await context.close();
      await other.close();
      await idp.close();
    }
  });

  it("refuses a console issuer the API does not trust", async () => {
    await expect(startTestApp({ env: { OPENINSIGHTS_CONSOLE_OIDC_CLIENT_ID: "console" } })).rejects.toThrow(
      /OPENINSIGHTS_CONSOLE_OIDC_ISSUER must be one of the issuers in OPENINSIGHTS_AUTH_ISSUERS/,
    );
  });
});

/**
 * The console of an app of its own (which `stop` closes, once) with a tenant's token pasted in the
 * sign-in form: for what happens when the service goes away.
 */
async function onAppOfItsOwn(run: (page: Page, stop: () => Promise<void>) => Promise<void>): Promise<void> {
  const other = await startTestApp();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await other.close();
  };
  const context = await suite.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${other.baseUrl}/console`);
    await page.getByLabel("Access token").fill(await other.token(CONTOSO.id));
    await run(page, stop);
  } finally {
    await context.close();
    await stop();
  }
}

/** A token of Contoso's signed with the app's key that expired an hour ago. */
function expiredToken(): Promise<string> {
  return issueLocalToken({
    dataDir: suite.app.dataDir,
    tenant: CONTOSO.id,
    ttlSeconds: 60,
    audience: suite.app.config.auth.audiences[0]!,
    now: new Date(Date.now() - 3_600_000),
  });
}

describe("console failure paths", () => {
  it("goes back to sign-in with a message when the token expires", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    const expired = await expiredToken();
    await page.evaluate((token) => sessionStorage.setItem("openinsights.token", token), expired);
    // Navigates by address, not by the header link: the link can be re-rendered while the datasets
    // page finishes loading, and a click on a detached element then times out under load.
    await page.goto(`${suite.app.baseUrl}/console#/reports`);
    await page.getByText("Your session has ended").waitFor();
    expect(await page.getByRole("heading", { name: "Bearer token" }).count()).toBe(1);
    await screenshot(page, "signin-expired-1280");
    await context.close();
  });

  it("shows the API's 4xx message next to the field it is about", async () => {
    const { context, page } = await suite.open();
    await signInAs(page, CONTOSO);
    await page.goto(`${suite.app.baseUrl}/console#/reports`);
    await page.getByLabel("Name", { exact: true }).fill("Too often");
    await page.getByLabel("Query", { exact: true }).selectOption({ index: 1 });
    await page.getByLabel("On a schedule").check();
    await page.getByLabel("First run (UTC)").fill(tomorrow());
    await page.getByLabel("Every (hours)").fill("0");
    await page.getByRole("button", { name: "Create report" }).click();
    const error = page.locator("#RecurrenceInterval-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("Recurrence Interval must be between");
    expect(await page.getByLabel("Every (hours)").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "reports-field-error-1280");
    await context.close();
  });

  it("keeps a pasted token only once the API accepted it, and says why it refused one", async () => {
    const { context, page } = await suite.open();
    const expired = await expiredToken();
    await page.getByLabel("Access token").fill(expired);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The API refused this token").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("openinsights.token"))).toBeNull();
    expect(await page.evaluate(() => location.hash)).toBe("");
    // The same page, a good token: in.
    await page.getByLabel("Access token").fill(await suite.app.token(CONTOSO.id));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Datasets", level: 1 }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe("#/datasets");
    await context.close();
  });

  it("stays on sign-in and says so when the service cannot be reached to check the token", async () => {
    await onAppOfItsOwn(async (page, stop) => {
      await stop();
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByText("cannot be reached").waitFor();
      expect(await page.getByRole("heading", { name: "Bearer token" }).count()).toBe(1);
      expect(await page.evaluate(() => sessionStorage.getItem("openinsights.token"))).toBeNull();
    });
  });

  it("says so when the server cannot be reached", async () => {
    await onAppOfItsOwn(async (page, stop) => {
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "Datasets", level: 1 }).waitFor();
      await stop();
      await page.getByRole("link", { name: "Reports" }).click();
      await page.getByText("Service unreachable.").waitFor();
      await screenshot(page, "unreachable-1280");
    });
  });
});
