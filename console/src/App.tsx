/** The shell: sign-in until there is a session, then the header, navigation and the routed page. */
import { useEffect, useState } from "preact/hooks";
import { AuditPage } from "./pages/Audit";
import { DatasetsPage } from "./pages/Datasets";
import { ExecutionsPage } from "./pages/Executions";
import { LoadsPage } from "./pages/Loads";
import { QueriesPage } from "./pages/Queries";
import { ReportsPage } from "./pages/Reports";
import { SignInPage } from "./pages/SignIn";
import { programTitle, servedPrograms } from "./programs";
import { href, useRoute } from "./router";
import { currentProgram, currentSession, onSessionChange, setProgram, signOut } from "./session";
import { useLoad } from "./useLoad";

const TENANT_PAGES = [
  { route: "datasets", label: "Datasets" },
  { route: "queries", label: "Queries" },
  { route: "reports", label: "Reports" },
] as const;

/** An operator's token reads the admin API only: no tenant's datasets, queries or reports. */
const OPERATOR_PAGES = [
  { route: "loads", label: "Loads" },
  { route: "audit", label: "Audit log" },
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
  const operator = session?.operator === true;
  const pages: readonly { route: string; label: string }[] = operator ? OPERATOR_PAGES : TENANT_PAGES;
  const page = route[0] ?? pages[0]!.route;
  useEffect(() => {
    const name = page === "executions" ? "Executions" : pages.find((p) => p.route === page)?.label;
    document.title = session ? `${name ?? "Not found"} · OpenInsights` : "Sign in · OpenInsights";
  }, [page, session, pages]);

  if (!session) return <SignInPage />;
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href(pages[0]!.route)}>
          OpenInsights
        </a>
        <nav aria-label="Pages">
          {pages.map((p) => (
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
          {!operator && <ProgramSelector program={program} />}
          <span class="tenant" title={operator ? "Operator" : `Tenant ${session.tenant}`}>
            {operator ? "Operator" : (session.label ?? session.tenant)}
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
        {/* Keyed by the page shown, not the address: sign-in's move from "" to "#/loads" (the same
            page) must not remount it and lose what the person began to type. */}
        <Page
          key={`${program}/${[page, ...route.slice(1)].join("/")}`}
          page={page}
          args={route.slice(1)}
          operator={operator}
        />
      </main>
    </>
  );
}

/** Every program the API serves (catalog files' included); a program it no longer serves is left. */
function ProgramSelector({ program }: { program: string }) {
  const programs = useLoad(servedPrograms);
  const names = programs.data?.map((p) => p.program);
  useEffect(() => {
    if (names && names.length > 0 && !names.includes(program)) setProgram(names[0]!);
  }, [names?.join(), program]);
  // Without the list (service unreachable: the page says so), the selector keeps the current program.
  return (
    <label>
      <span class="visually-hidden">Program</span>
      <select value={program} onChange={(e) => setProgram(e.currentTarget.value)} aria-label="Program">
        {(names ?? [program]).map((name) => (
          <option key={name} value={name}>
            {programTitle(name)}
          </option>
        ))}
      </select>
    </label>
  );
}

function Page({ page, args, operator }: { page: string; args: string[]; operator: boolean }) {
  switch (operator ? `operator:${page}` : page) {
    case "datasets":
      return <DatasetsPage />;
    case "queries":
      return <QueriesPage />;
    case "reports":
      return <ReportsPage />;
    case "executions":
      return <ExecutionsPage reportId={args[0] ?? ""} />;
    case "operator:loads":
      return <LoadsPage />;
    case "operator:audit":
      return <AuditPage />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page here. Go to the{" "}
            {operator ? <a href={href("loads")}>loads</a> : <a href={href("datasets")}>datasets</a>}.
          </p>
        </section>
      );
  }
}
