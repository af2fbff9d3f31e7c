/**
 * The layering of docs/architecture.md, checked on every `npm test` (`npm run depcheck`).
 * Type-only imports count: a pure module may not even name an adapter's types.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules do not import each other in a loop.",
      from: {},
      to: { circular: true },
    },
    {
      name: "pure-core",
      severity: "error",
      comment:
        "query/, datasets/, core/ and links/ know nothing of storage, HTTP or configuration: they import nothing from storage/, api/ or config/.",
      from: { path: "^src/(query|datasets|core|links)/" },
      to: { path: "^src/(storage|api|config)/" },
    },
    {
      name: "concrete-engines-from-the-composition-root",
      severity: "error",
      comment:
        "Only app.ts and stores.ts (the composition root), cli/ and demo/ pick a concrete storage engine (storage/<engine>/); everything else uses the ports in storage/ports.ts.",
      from: { path: "^src/", pathNot: "^src/(app\\.ts$|stores\\.ts$|cli/|demo/|storage/)" },
      to: { path: "^src/storage/[^/]+/" },
    },
    {
      name: "adapters-apart",
      severity: "error",
      comment: "Storage adapters never import each other; kysely/ holds what the SQLite and PostgreSQL stores share.",
      from: { path: "^src/storage/([^/]+)/" },
      to: { path: "^src/storage/[^/]+/", pathNot: ["^src/storage/$1/", "^src/storage/kysely/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
