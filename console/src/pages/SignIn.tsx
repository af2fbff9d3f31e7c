/**
 * Sign in through the configured OpenID Connect issuer, with a bearer token (checked against the
 * API before it is kept), or — when the service runs with `serve --demo` — as a demo tenant in
 * one click.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, programPath, request } from "../api";
import { ErrorNotice } from "../components/Status";
import { beginOidcSignIn, completeOidcSignIn, hasOidcAnswer, type OidcOptions } from "../oidc";
import { isOperatorToken, signIn, takeNotice } from "../session";

interface DemoTenant {
  tenantId: string;
  name: string;
}

interface SignInOptions {
  demoTenants: DemoTenant[];
  oidc: OidcOptions | null;
}

interface DemoToken {
  token: string;
  name: string;
}

export function SignInPage() {
  const [notice] = useState(takeNotice);
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<SignInOptions>({ demoTenants: [], oidc: null });
  const demo = options.demoTenants;

  useEffect(() => {
    if (hasOidcAnswer()) {
      setBusy(true);
      completeOidcSignIn().catch((error: unknown) => {
        setProblem(error);
        setBusy(false);
      });
    }
    request<SignInOptions>("GET", "/console/sign-in-options").then(
      (answer) => setOptions(answer.value[0]!),
      (error: unknown) => setProblem(error),
    );
  }, []);

  /**
   * Keeps the token only once the API accepted it: until then this page stays, so what went wrong
   * (a refused token, a busy or unreachable service) is shown here.
   */
  const start = async (candidate: string, label: string | null) => {
    setBusy(true);
    setProblem(null);
    // An operator's token reads the admin API only; a tenant's, the programs' API.
    const operator = isOperatorToken(candidate);
    try {
      await request(
        "GET",
        operator ? "/admin/v1/audit?pageSize=1" : programPath("/ScheduledDataset"),
        undefined,
        candidate,
      );
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 401
          ? new Error(
              "The API refused this token: it is expired, malformed or from an issuer it does not trust.",
            )
          : error,
      );
      setBusy(false);
      return;
    }
    if (!location.hash || location.hash === "#/") location.hash = operator ? "#/loads" : "#/datasets";
    signIn(candidate, label);
  };

  const demoSignIn = async (tenant: DemoTenant) => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await request<DemoToken>("POST", "/console/demo/tokens", { tenantId: tenant.tenantId });
      await start(answer.value[0]!.token, answer.value[0]!.name);
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  return (
    <main id="content" class="signin">
      <h1>OpenInsights</h1>
      <p class="lead">Report queries, scheduled reports and their files, for your tenant.</p>
      {notice && (
        <div class="notice warning" role="alert">
          {notice}
        </div>
      )}
      {problem !== null && <ErrorNotice error={problem} />}
      {options.oidc && (
        <section aria-labelledby="oidc-heading" class="card">
          <h2 id="oidc-heading">Organisation account</h2>
          <p>Sign in with your account at {new URL(options.oidc.issuer).host}.</p>
          <div class="buttons">
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void beginOidcSignIn(options.oidc!);
              }}
            >
              Sign in with {new URL(options.oidc.issuer).host}
            </button>
          </div>
        </section>
      )}
      {demo.length > 0 && (
        <section aria-labelledby="demo-heading" class="card">
          <h2 id="demo-heading">Demo tenants</h2>
          <p>This service runs with demo data. Sign in as one of its tenants:</p>
          <div class="buttons">
            {demo.map((tenant) => (
              <button type="button" key={tenant.tenantId} disabled={busy} onClick={() => demoSignIn(tenant)}>
                Sign in as {tenant.name}
              </button>
            ))}
          </div>
        </section>
      )}
      <section aria-labelledby="token-heading" class="card">
        <h2 id="token-heading">Bearer token</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim()) void start(token, null);
          }}
        >
          <label for="token">Access token</label>
          <textarea
            id="token"
            rows={4}
            spellcheck={false}
            autocomplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            aria-describedby="token-help"
          />
          <p id="token-help" class="help">
            A token from your identity provider, or from <code>openinsights token --tenant &lt;id&gt;</code>{" "}
            (an operator's: <code>openinsights token --admin</code>). It is kept in this tab only and sent in
            the Authorization header.
          </p>
          <button type="submit" disabled={busy || token.trim() === ""}>
            Sign in
          </button>
        </form>
      </section>
    </main>
  );
}
