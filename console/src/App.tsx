/** The shell: sign-in until there is a session, then the header, navigation and the routed page. */
import { useEffect, useState } from "preact/hooks";
import { DatasetsPage } from "./pages/Datasets";
import { ExecutionsPage } from "./pages/Executions";
import { QueriesPage } from "./pages/Queries";
import { ReportsPage } from "./pages/Reports";
import { SignInPage } from "./pages/SignIn";
import { href, useRoute } from "./router";
import {
  currentProgram,
  currentSession,
  onSessionChange,
  type Program,
  setProgram,
  signOut,
} from "./session";

const PAGES = [
  { route: "datasets", label: "Datasets" },
  { route: "queries", label: "Queries" },
  { route: "reports", label: "Reports" },
] as const;

export function App() {
  const [session, setSession] = useState(currentSession);
  const [program, setProgramState] = useState(currentProgram);
  const route = useRoute();
  useEffect(
    () =>
      onSessionChange(() => {
        setSession(currentSession());
        setProgramState(currentProgram());
      }),
    [],
  );
  const page = route[0] ?? "datasets";
  useEffect(() => {
    const name = page === "executions" ? "Executions" : PAGES.find((p) => p.route === page)?.label;
    document.title = session ? `${name ?? "Not found"} · OpenInsights` : "Sign in · OpenInsights";
  }, [page, session]);

  if (!session) return <SignInPage />;
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href("datasets")}>
          OpenInsights
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a
              key={p.route}
              href={href(p.route)}
              aria-current={
                page === p.route || (p.route === "reports" && page === "executions") ? "page" : undefined
              }
            >
              {p.label}
            </a>
          ))}
        </nav>
        <div class="who">
          <label>
            <span class="visually-hidden">Program</span>
            <select
              value={program}
              onChange={(e) => setProgram(e.currentTarget.value as Program)}
              aria-label="Program"
            >
              <option value="mpn">Partner Center</option>
              <option value="cmp">Marketplace</option>
            </select>
          </label>
          <span class="tenant" title={`Tenant ${session.tenant}`}>
            {session.label ?? session.tenant}
          </span>
          <button
            type="button"
            class="quiet"
            onClick={() => {
              // The next person starts afresh, not on this one's page.
              history.replaceState(null, "", location.pathname);
              signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        <Page key={`${program}/${route.join("/")}`} page={page} args={route.slice(1)} />
      </main>
    </>
  );
}

function Page({ page, args }: { page: string; args: string[] }) {
  switch (page) {
    case "datasets":
      return <DatasetsPage />;
    case "queries":
      return <QueriesPage />;
    case "reports":
      return <ReportsPage />;
    case "executions":
      return <ExecutionsPage reportId={args[0] ?? ""} />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page here. Go to the <a href={href("datasets")}>datasets</a>.
          </p>
        </section>
      );
  }
}
