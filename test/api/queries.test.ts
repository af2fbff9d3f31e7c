/** E2–E5: report queries — create, list, delete, try (reference §1.5.2–§1.5.5). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  BASES,
  Clock,
  CMP,
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  GUID,
  type Item,
  MPN,
  NO_ITEM,
  QUERY_TEXT,
  SYSTEM_QUERY,
  snapshot,
  UNKNOWN_ID,
  wire,
} from "./helpers.js";

const clock = new Clock();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    rows: [
      {
        program: "mpn",
        dataset: "Profile",
        tenant: "q5000000-0000-4000-8000-000000000001",
        csv: "MpnId,PartnerName,City\n1001,Alpha,Oslo\n1002,Beta,Bergen\n",
      },
    ],
  });
});
afterAll(async () => t?.close());

describe("E2 create report query", () => {
  const TENANT = "q2000000-0000-4000-8000-000000000001";

  it.each(BASES)("creates a query at $base and answers with the Query object", async ({ base, program }) => {
    const res = await t.call(TENANT, "POST", `${base}/ScheduledQueries`, {
      Name: "Monthly usage",
      Description: "All customers",
      Query: QUERY_TEXT[program],
    });
    const body = expectOk(res);
    expect(body.message).toBe("Query created successfully");
    expect(body.nextLink).toBeNull();
    expect(body.value).toHaveLength(1);
    expect(body.value[0]).toEqual({
      queryId: expect.stringMatching(GUID),
      name: "Monthly usage",
      description: "All customers",
      query: QUERY_TEXT[program],
      type: "userDefined",
      user: "tester@example.com",
      createdTime: wire(clock.now()),
      modifiedTime: null,
    });
  });

  it.each([
    ["camelCase", { name: "camel", description: "d", query: QUERY_TEXT.mpn }],
    ["UPPERCASE", { NAME: "upper", DESCRIPTION: "d", QUERY: QUERY_TEXT.mpn }],
    ["mixed", { nAmE: "mixed", DeScRiPtIoN: "d", qUeRy: QUERY_TEXT.mpn }],
  ])("reads %s field names", async (_label, body) => {
    const created = expectOk(await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, body)).value[0];
    const name = Object.entries(body).find(([k]) => k.toLowerCase() === "name")![1];
    expect(created).toMatchObject({ name, description: "d", query: QUERY_TEXT.mpn });
  });

  it("Description is optional (empty string)", async () => {
    const created = expectOk(
      await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, { Name: "nodesc", Query: QUERY_TEXT.mpn }),
    ).value[0];
    expect(created.description).toBe("");
  });

  it("echoes the query text as given (keywords in any case, newlines)", async () => {
    const text =
      "select customertenantid,\n  paidavailableunits\nfrom officeusage\nwhere PaidAvailableUnits > 10 timespan last_month";
    const created = await createQuery(t, TENANT, MPN, "mpn", { Query: text });
    expect(created.query).toBe(text);
  });

  it("accepts the documented Content-Type spelling Application/JSON", async () => {
    const res = await t.call(
      TENANT,
      "POST",
      `${MPN}/ScheduledQueries`,
      { Name: "ct", Query: QUERY_TEXT.mpn },
      { "content-type": "Application/JSON" },
    );
    expectOk(res);
  });

  describe("rejects bad bodies with 400 and stores nothing", () => {
    const OTHER = "q2000000-0000-4000-8000-000000000002";
    const valid = { Name: "ok", Query: QUERY_TEXT.mpn };
    it.each([
      ["missing Name", { Query: QUERY_TEXT.mpn }, "Null or missing value"],
      ["null Name", { Name: null, Query: QUERY_TEXT.mpn }, "Null or missing value"],
      ["empty Name", { Name: "", Query: QUERY_TEXT.mpn }, "Null or missing value"],
      ["blank Name", { Name: "   ", Query: QUERY_TEXT.mpn }, "Null or missing value"],
      ["missing Query", { Name: "x" }, "Null or missing value"],
      ["empty Query", { Name: "x", Query: "" }, "Null or missing value"],
      ["numeric Name", { Name: 42, Query: QUERY_TEXT.mpn }, ""],
      ["array Query", { Name: "x", Query: [QUERY_TEXT.mpn] }, ""],
      ["object Description", { ...valid, Description: { a: 1 } }, ""],
      ["Name of 257 characters", { ...valid, Name: "n".repeat(257) }, ""],
      [
        "unknown dataset",
        { Name: "x", Query: "SELECT CustomerTenantId FROM NoSuchTable" },
        "Invalid table name",
      ],
      [
        "a cmp dataset under mpn",
        { Name: "x", Query: "SELECT MarketplaceSubscriptionId FROM ISVUsage" },
        "Invalid table name",
      ],
      [
        "unknown column",
        { Name: "x", Query: "SELECT NoSuchColumn FROM OfficeUsage TIMESPAN LAST_MONTH" },
        "Incorrect column name",
      ],
      ["syntax error", { Name: "x", Query: "SELECT FROM WHERE" }, ""],
      ["not a query", { Name: "x", Query: "DROP TABLE OfficeUsage" }, ""],
      [
        "a TIMESPAN the dataset lacks",
        { Name: "x", Query: "SELECT CustomerTenantId FROM OfficeUsage TIMESPAN LAST_3_YEARS" },
        "",
      ],
      ["LIMIT 0", { Name: "x", Query: "SELECT CustomerTenantId FROM OfficeUsage LIMIT 0" }, ""],
    ])("%s", async (_label, body, prefix) => {
      const before = await snapshot(t, OTHER, MPN);
      const res = await t.call(OTHER, "POST", `${MPN}/ScheduledQueries`, body);
      expectError(res, 400, prefix);
      expect(res.body.message.length).toBeGreaterThan(5);
      expect(await snapshot(t, OTHER, MPN)).toEqual(before);
    });

    it("a query error carries the diagnostics with line and column", async () => {
      const res = await t.call(OTHER, "POST", `${MPN}/ScheduledQueries`, {
        Name: "x",
        Query: "SELECT CustomerTenantId,\n NoSuchColumn FROM OfficeUsage",
      });
      expectError(res, 400, "Incorrect column name");
      expect(res.body.diagnostics?.[0]).toMatchObject({ line: 2, column: 2 });
    });
  });
});

describe("E3 get report queries", () => {
  const TENANT = "q3000000-0000-4000-8000-000000000001";
  let mine: Item[];

  beforeAll(async () => {
    // Listed by creation time: one second apart so that the order is known.
    clock.advance(1000);
    const first = await createQuery(t, TENANT, CMP, "cmp", { Name: "First" });
    clock.advance(1000);
    const second = await createQuery(t, TENANT, CMP, "cmp", { Name: "Second" });
    mine = [first, second];
  });

  it("returns system and user-defined queries by default", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries`));
    const types = new Set(body.value.map((q) => q.type));
    expect(types).toEqual(new Set(["system", "userDefined"]));
    expect(body.value.filter((q) => q.type === "userDefined")).toEqual(mine);
    const system = body.value.find((q) => q.queryId === SYSTEM_QUERY.cmp);
    expect(system).toMatchObject({
      type: "system",
      name: expect.any(String),
      query: expect.stringMatching(/^SELECT/i),
    });
    expect(body.nextLink).toBeNull();
  });

  it("includeSystemQueries=false gives only user-defined queries", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?includeSystemQueries=false`));
    expect(body.value).toEqual(mine);
  });

  it("includeOnlySystemQueries=true gives only system queries", async () => {
    const body = expectOk(
      await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?includeOnlySystemQueries=true`),
    );
    expect(body.value.length).toBeGreaterThan(0);
    expect(body.value.every((q) => q.type === "system")).toBe(true);
  });

  it("parameter names are case-insensitive (IncludeSystemQueries, as the doc table spells it)", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?IncludeSystemQueries=FALSE`));
    expect(body.value).toEqual(mine);
  });

  it("queryId selects one user-defined query", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?queryId=${mine[1]!.queryId}`));
    expect(body.value).toEqual([mine[1]]);
  });

  it("queryId selects one system query", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?queryId=${SYSTEM_QUERY.cmp}`));
    expect(body.value).toHaveLength(1);
    expect(body.value[0]).toMatchObject({ queryId: SYSTEM_QUERY.cmp, type: "system" });
  });

  it("queryName selects by exact name, case-insensitively", async () => {
    const body = expectOk(
      await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?queryName=second&includeSystemQueries=false`),
    );
    expect(body.value).toEqual([mine[1]]);
  });

  it("v1 and v1.1 cmp bases see the same queries", async () => {
    const v1 = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?includeSystemQueries=false`));
    const v11 = expectOk(await t.call(TENANT, "GET", `${CMP11}/ScheduledQueries?includeSystemQueries=false`));
    expect(v11.value).toEqual(v1.value);
  });

  it("an unknown queryId → 404 No item found with given filters.", async () => {
    expectError(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?queryId=${UNKNOWN_ID}`), 404, NO_ITEM);
  });

  it.each(["includeSystemQueries=yes", "includeOnlySystemQueries=1", "includeSystemQueries=tru"])(
    "%s → 400",
    async (q) => {
      expectError(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?${q}`), 400, "");
    },
  );
});

describe("E3 default page sizes (OPENINSIGHTS_PAGE_SIZE 100, OPENINSIGHTS_MAX_PAGE_SIZE 1000)", () => {
  const TENANT = "q3100000-0000-4000-8000-000000000001";

  beforeAll(async () => {
    for (let i = 0; i < 85; i++) await createQuery(t, TENANT, MPN, "mpn", { Name: `bulk ${i}` });
  });

  it("pages hold 100 items by default", async () => {
    const first = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries`));
    expect(first.value).toHaveLength(100);
    expect(first.nextLink).toEqual(
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/insights\/v1\/mpn\/ScheduledQueries\?/),
    );
    const link = new URL(first.nextLink ?? "");
    const second = expectOk(await t.call(TENANT, "GET", `${link.pathname}${link.search}`));
    expect(second.nextLink).toBeNull();
    const all = [...first.value, ...second.value].map((q) => q.queryId);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(100);
  });

  it("pageSize=1000 is allowed; 1001 → 400", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries?pageSize=1000`));
    expect(body.nextLink).toBeNull();
    expectError(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries?pageSize=1001`), 400, "");
  });
});

describe("E4 delete report query", () => {
  const TENANT = "q4000000-0000-4000-8000-000000000001";

  it("deletes a user-defined query and answers with it", async () => {
    const query = await createQuery(t, TENANT, MPN, "mpn", { Name: "Doomed" });
    const body = expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${query.queryId}`));
    expect(body.value).toEqual([query]);
    expectError(
      await t.call(TENANT, "GET", `${MPN}/ScheduledQueries?queryId=${query.queryId}`),
      404,
      NO_ITEM,
    );
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${query.queryId}`), 404, NO_ITEM);
  });

  it("an unknown id → 404", async () => {
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${UNKNOWN_ID}`), 404, NO_ITEM);
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/not-a-guid`), 404, NO_ITEM);
  });

  it("a system query cannot be deleted (400) and stays listed", async () => {
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${SYSTEM_QUERY.mpn}`), 400, "");
    expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries?queryId=${SYSTEM_QUERY.mpn}`));
  });

  it("a query used by a report cannot be deleted until the report is gone", async () => {
    const query = await createQuery(t, TENANT, MPN, "mpn", { Name: "In use" });
    const report = await createReport(t, TENANT, MPN, "mpn", query.queryId, clock);
    const before = await snapshot(t, TENANT, MPN);
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${query.queryId}`), 400, "");
    expect(await snapshot(t, TENANT, MPN)).toEqual(before);
    expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledReport/${report.reportId}`));
    expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledQueries/${query.queryId}`));
  });
});

describe("E5 try report query", () => {
  const TENANT = "q5000000-0000-4000-8000-000000000001";
  const PROFILE = "SELECT MpnId, PartnerName FROM Profile";

  it("runs exportQuery and answers with rows keyed by the selected columns", async () => {
    const body = expectOk(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(PROFILE)}`,
      ),
    );
    expect(body.message).toBeNull();
    expect(body.nextLink).toBeNull();
    const rows = [...body.value].sort((a, b) => String(a.MpnId).localeCompare(String(b.MpnId)));
    expect(rows).toEqual([
      { MpnId: "1001", PartnerName: "Alpha" },
      { MpnId: "1002", PartnerName: "Beta" },
    ]);
  });

  it("runs a system query by queryId", async () => {
    const body = expectOk(
      await t.call(TENANT, "GET", `${MPN}/ScheduledQueries/testQueryResult?queryId=${SYSTEM_QUERY.mpn}`),
    );
    expect(body.value).toHaveLength(2);
  });

  it("runs a user-defined query by queryId", async () => {
    const query = await createQuery(t, TENANT, MPN, "mpn", { Query: `${PROFILE} WHERE City = 'Oslo'` });
    const body = expectOk(
      await t.call(TENANT, "GET", `${MPN}/ScheduledQueries/testQueryResult?queryId=${query.queryId}`),
    );
    expect(body.value).toEqual([{ MpnId: "1001", PartnerName: "Alpha" }]);
  });

  it.each(BASES)("answers 200 with no rows on an empty dataset at $base", async ({ base, program }) => {
    const body = expectOk(
      await t.call(
        TENANT,
        "GET",
        `${base}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(QUERY_TEXT[program])}`,
      ),
    );
    expect(body.value).toEqual([]);
  });

  it("accepts startTime/endTime overrides", async () => {
    const q = encodeURIComponent(QUERY_TEXT.mpn);
    expectOk(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${q}&startTime=2030-01-01T00:00:00Z&endTime=2030-02-01T00:00:00Z`,
      ),
    );
  });

  const q = encodeURIComponent(QUERY_TEXT.mpn);
  it.each([
    ["neither exportQuery nor queryId", "", ""],
    ["both exportQuery and queryId", `exportQuery=${q}&queryId=${SYSTEM_QUERY.mpn}`, ""],
    ["an unknown queryId", `queryId=${UNKNOWN_ID}`, "Invalid QueryId"],
    ["a cmp system queryId under mpn", `queryId=${SYSTEM_QUERY.cmp}`, "Invalid QueryId"],
    ["an unknown dataset", `exportQuery=${encodeURIComponent("SELECT A FROM Nope")}`, "Invalid table name"],
    [
      "an unknown column",
      `exportQuery=${encodeURIComponent("SELECT Nope FROM OfficeUsage")}`,
      "Incorrect column name",
    ],
    ["a syntax error", `exportQuery=${encodeURIComponent("SELEC x")}`, ""],
    ["a malformed startTime", `exportQuery=${q}&startTime=2030-13-01T00:00:00Z`, ""],
    ["a date-only endTime", `exportQuery=${q}&endTime=2030-01-01`, ""],
    [
      "endTime before startTime",
      `exportQuery=${q}&startTime=2030-02-01T00:00:00Z&endTime=2030-01-01T00:00:00Z`,
      "",
    ],
  ])("%s → 400", async (_label, query, prefix) => {
    expectError(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries/testQueryResult?${query}`), 400, prefix);
  });
});
