/** Authentication on every endpoint: missing, expired, wrong key, wrong audience, and friends (§6.9). */
import { generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AUDIENCE } from "../../src/auth/config.js";
import { ensureLocalKey, issueLocalToken, LOCAL_ISSUER } from "../../src/auth/local-key.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { TOKEN_PROBLEMS } from "../../src/auth/verifier.js";
import { nowSeconds, sign } from "../auth/helpers.js";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  HOUR,
  MPN,
  raw,
  snapshot,
  wire,
} from "./helpers.js";

const TENANT = "a1000000-0000-4000-8000-000000000001";
const CMP_ROLE = "Analytics.Read";
let t: TestApp;
let kid: string;
const ids: Record<string, { queryId: string; reportId: string }> = {};

beforeAll(async () => {
  t = await startTestApp({ env: { OPENINSIGHTS_AUTH_ROLE_CMP: CMP_ROLE } });
  kid = (await ensureLocalKey(t.dataDir)).kid;
  const q = await createQuery(t, TENANT, MPN, "mpn");
  const r = await createReport(t, TENANT, MPN, "mpn", q.queryId, null);
  ids[MPN] = { queryId: q.queryId, reportId: r.reportId };
  // cmp needs the role: make its objects with a role-bearing token.
  const token = await roleToken(CMP_ROLE);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const cq = await raw(t, "POST", `${CMP11}/ScheduledQueries`, {
    headers,
    body: JSON.stringify({ Name: "q", Query: "SELECT MarketplaceSubscriptionId FROM ISVUsage" }),
  });
  const queryId = expectOk(cq).value[0].queryId;
  const cr = await raw(t, "POST", `${CMP11}/ScheduledReport`, {
    headers,
    body: JSON.stringify({
      ReportName: "r",
      QueryId: queryId,
      StartTime: wire(new Date(Date.now() + 24 * HOUR)),
      RecurrenceInterval: 24,
    }),
  });
  ids[CMP11] = { queryId, reportId: expectOk(cr).value[0].reportId };
});
afterAll(async () => t?.close());

function roleToken(...roles: string[]): Promise<string> {
  return issueLocalToken({
    dataDir: t.dataDir,
    tenant: TENANT,
    user: "u@example.com",
    ttlSeconds: 600,
    audience: DEFAULT_AUDIENCE,
    roles,
  });
}

/** The twelve operations, with real ids so that only authentication can fail. */
const OPS = ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11", "E12"] as const;

function endpoint(base: string, op: (typeof OPS)[number]): [string, string, unknown?] {
  const { queryId, reportId } = ids[base]!;
  const start = wire(new Date(Date.now() + 24 * HOUR));
  const table: Record<(typeof OPS)[number], [string, string, unknown?]> = {
    E1: ["GET", `${base}/ScheduledDataset`],
    E2: ["POST", `${base}/ScheduledQueries`, { Name: "n", Query: "SELECT X FROM Y" }],
    E3: ["GET", `${base}/ScheduledQueries`],
    E4: ["DELETE", `${base}/ScheduledQueries/${queryId}`],
    E5: ["GET", `${base}/ScheduledQueries/testQueryResult?queryId=${queryId}`],
    E6: [
      "POST",
      `${base}/ScheduledReport`,
      { ReportName: "r", QueryId: queryId, StartTime: start, RecurrenceInterval: 24 },
    ],
    E7: ["GET", `${base}/ScheduledReport`],
    E8: ["PUT", `${base}/ScheduledReport/${reportId}`, { ReportName: "changed", StartTime: start }],
    E9: ["DELETE", `${base}/ScheduledReport/${reportId}`],
    E10: ["PUT", `${base}/ScheduledReport/pause/${reportId}`],
    E11: ["PUT", `${base}/ScheduledReport/resume/${reportId}`],
    E12: ["GET", `${base}/ScheduledReport/execution/${reportId}?executionStatus=Pending`],
  };
  return table[op];
}

/** Calls one operation with the given headers (plus a JSON content type when it has a body). */
async function callOp(base: string, op: (typeof OPS)[number], headers: Record<string, string>) {
  const [method, path, body] = endpoint(base, op);
  return raw(t, method, path, {
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

type Headers = () => Promise<Record<string, string>>;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const P = TOKEN_PROBLEMS;
/** A way a request's credentials fail, and the class of problem its 401 names. */
const failures: [string, Headers, string][] = [
  ["no credentials", async () => ({}), P.missing],
  [
    "an expired token",
    async () =>
      bearer(
        await issueLocalToken({
          dataDir: t.dataDir,
          tenant: TENANT,
          ttlSeconds: 600,
          audience: DEFAULT_AUDIENCE,
          roles: [CMP_ROLE],
          now: new Date(Date.now() - 2 * HOUR),
        }),
      ),
    P.expired,
  ],
  [
    "a token signed with the wrong key",
    async () => {
      const { privateKey } = await generateKeyPair("ES256");
      const claims = { iss: LOCAL_ISSUER, aud: DEFAULT_AUDIENCE, tid: TENANT, upn: "u", roles: [CMP_ROLE] };
      return bearer(
        await sign({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 600 }, privateKey, {
          alg: "ES256",
          kid,
        }),
      );
    },
    P.signature,
  ],
  [
    "a token for the wrong audience",
    async () =>
      bearer(
        await issueLocalToken({
          dataDir: t.dataDir,
          tenant: TENANT,
          ttlSeconds: 600,
          audience: "https://graph.windows.net",
          roles: [CMP_ROLE],
        }),
      ),
    P.audienceOrIssuer,
  ],
  [
    "a token naming a key id nobody has",
    async () => {
      const { privateKey } = await generateKeyPair("ES256");
      const claims = { iss: LOCAL_ISSUER, aud: DEFAULT_AUDIENCE, tid: TENANT, upn: "u", roles: [CMP_ROLE] };
      return bearer(
        await sign({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 600 }, privateKey, {
          alg: "ES256",
          kid: "no-such-key",
        }),
      );
    },
    P.unknownKey,
  ],
  ["a malformed token", async () => bearer("not.a.jwt"), P.malformed],
  [
    "a Basic scheme",
    async () => ({ authorization: `Basic ${Buffer.from("u:p").toString("base64")}` }),
    P.malformed,
  ],
  ["Bearer without a token", async () => ({ authorization: "Bearer " }), P.malformed],
  [
    "a token not yet valid (nbf in an hour)",
    async () => {
      const key = await ensureLocalKey(t.dataDir);
      const claims = { iss: LOCAL_ISSUER, aud: DEFAULT_AUDIENCE, tid: TENANT, upn: "u", roles: [CMP_ROLE] };
      const nbf = nowSeconds() + 3600;
      return bearer(
        await sign({ ...claims, iat: nowSeconds(), nbf, exp: nbf + 600 }, key.privateKey, {
          alg: "ES256",
          kid,
        }),
      );
    },
    P.notYetValid,
  ],
  [
    "an unsigned token (alg none)",
    async () => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const claims = {
        iss: LOCAL_ISSUER,
        aud: DEFAULT_AUDIENCE,
        tid: TENANT,
        upn: "u",
        exp: nowSeconds() + 600,
      };
      return bearer(`${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`);
    },
    P.malformed,
  ],
  [
    "a token from another issuer (local key, wrong iss)",
    async () => {
      const key = await ensureLocalKey(t.dataDir);
      const claims = { iss: "someone-else", aud: DEFAULT_AUDIENCE, tid: TENANT, upn: "u", roles: [CMP_ROLE] };
      return bearer(
        await sign({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 600 }, key.privateKey, {
          alg: "ES256",
          kid,
        }),
      );
    },
    P.audienceOrIssuer,
  ],
  [
    "a token without a tenant (tid)",
    async () => {
      const key = await ensureLocalKey(t.dataDir);
      const claims = { iss: LOCAL_ISSUER, aud: DEFAULT_AUDIENCE, upn: "u", roles: [CMP_ROLE] };
      return bearer(
        await sign({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 600 }, key.privateKey, {
          alg: "ES256",
          kid,
        }),
      );
    },
    P.claims,
  ],
];

describe.each([MPN, CMP11])("401 Unauthorized at %s", (base) => {
  let before: unknown;
  beforeAll(async () => {
    before = await snapshotWith(base);
  });
  afterAll(async () => {
    // No rejected request changed anything.
    expect(await snapshotWith(base)).toEqual(before);
  });

  describe.each(failures)("with %s", (_label, headers, problem) => {
    it.each(OPS)("%s", async (op) => {
      const res = await callOp(base, op, await headers());
      expectError(res, 401, "Unauthorized");
      expect(res.body.message).toBe("Unauthorized");
      // RFC 6750: the challenge names the class of problem, and nothing about keys.
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer realm="OpenInsights", error="invalid_token", error_description="${problem}"`,
      );
    });
  });
});

/** A snapshot through a token that passes both programs' checks. */
async function snapshotWith(base: string): Promise<unknown> {
  if (base === MPN) return snapshot(t, TENANT, base);
  const token = await roleToken(CMP_ROLE);
  const get = async (p: string) => expectOk(await raw(t, "GET", p, { headers: bearer(token) }));
  return {
    queries: (await get(`${base}/ScheduledQueries?includeSystemQueries=false`)).value,
    reports: (await get(`${base}/ScheduledReport`)).value,
  };
}

describe("what is accepted", () => {
  it("authentication comes before validation: a bad body without a token is 401, not 400", async () => {
    const res = await raw(t, "POST", `${MPN}/ScheduledReport`, {
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expectError(res, 401, "Unauthorized");
  });

  it("authentication comes before lookup: an unknown id without a token is 401, not 404", async () => {
    const res = await raw(t, "DELETE", `${MPN}/ScheduledReport/00000000-0000-4000-8000-000000000000`);
    expectError(res, 401, "Unauthorized");
  });

  it("X-AadUserTicket with the raw token works as Authorization does (pcapi.py)", async () => {
    const token = await t.token(TENANT);
    expectOk(await raw(t, "GET", `${MPN}/ScheduledReport`, { headers: { "X-AadUserTicket": token } }));
  });

  it("the Bearer scheme is case-insensitive", async () => {
    const token = await t.token(TENANT);
    expectOk(
      await raw(t, "GET", `${MPN}/ScheduledDataset`, { headers: { authorization: `bearer ${token}` } }),
    );
  });

  it("the user of created objects is the token's user", async () => {
    const token = await issueLocalToken({
      dataDir: t.dataDir,
      tenant: TENANT,
      user: "ada@contoso.example",
      ttlSeconds: 600,
      audience: DEFAULT_AUDIENCE,
    });
    const res = await raw(t, "POST", `${MPN}/ScheduledQueries`, {
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify({ Name: "mine", Query: "SELECT CustomerTenantId FROM OfficeUsage" }),
    });
    expect(expectOk(res).value[0].user).toBe("ada@contoso.example");
  });
});

describe("403 without the configured role (OPENINSIGHTS_AUTH_ROLE_CMP)", () => {
  it.each(OPS)("%s at cmp → 403", async (op) => {
    const res = await callOp(CMP11, op, bearer(await roleToken("Some.Other.Role")));
    expectError(res, 403, "");
  });

  it("the same token is fine for mpn, which requires no role", async () => {
    const token = await roleToken("Some.Other.Role");
    expectOk(await raw(t, "GET", `${MPN}/ScheduledReport`, { headers: bearer(token) }));
  });

  it("with the role, cmp answers", async () => {
    const token = await roleToken(CMP_ROLE);
    expectOk(await raw(t, "GET", `${CMP11}/ScheduledReport`, { headers: bearer(token) }));
  });
});

describe("operators (role OpenInsights.Admin) and the /admin/ API", () => {
  const ADMIN_PATHS = [
    ["GET", "/admin/v1/loads"],
    ["POST", "/admin/v1/mpn/datasets/OfficeUsage/loads?tenantId=t&mode=append"],
    ["GET", "/admin/anything/else"],
  ] as const;

  it.each(ADMIN_PATHS)(
    "%s %s: 401 without a token, 403 with a tenant's, even one with other roles",
    async (method, path) => {
      expectError(await raw(t, method, path), 401, "");
      const forbidden = await raw(t, method, path, { headers: bearer(await roleToken(CMP_ROLE)) });
      expectError(forbidden, 403, "");
      expect(forbidden.body.message).toContain("needs an operator's token, with the role OpenInsights.Admin");
    },
  );

  it("an operator's token passes the /admin/ check (an unknown admin path is then 404)", async () => {
    const res = await raw(t, "GET", "/admin/anything/else", { headers: bearer(await roleToken(ADMIN_ROLE)) });
    expectError(res, 404, "No route for GET /admin/anything/else");
  });

  it.each(OPS)("%s with an operator's token → 403: it is not a tenant's", async (op) => {
    const res = await callOp(MPN, op, bearer(await roleToken(ADMIN_ROLE)));
    expectError(res, 403, "An operator's token (role OpenInsights.Admin) is not a tenant's");
  });
});
