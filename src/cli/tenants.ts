import { loadedDatasets } from "../datasets/lookup.js";
import { DEMO_TENANTS } from "../demo/tenants.js";
import { openAnalytics, openCatalogs } from "../stores.js";
import { CATALOG_OPTION, type Command, configFrom, DATA_DIR_OPTION } from "./shared.js";

export const tenantsCommand: Command = {
  name: "tenants",
  usage: "tenants [--data-dir D] [--catalog FILE]…",
  summary: "Lists the tenants that have data, with row counts per dataset.",
  options: { ...DATA_DIR_OPTION, ...CATALOG_OPTION },
  async run(context) {
    const config = configFrom(context);
    const catalogs = await openCatalogs(config);
    const engine = await openAnalytics(config, catalogs);
    try {
      const byTenant = new Map<string, { program: string; dataset: string; rows: number }[]>();
      for (const { program, datasets } of catalogs.all) {
        for (const counts of await engine.tableCounts(program, loadedDatasets(datasets))) {
          for (const { tenantId, rows } of counts.tenants) {
            const list = byTenant.get(tenantId) ?? [];
            list.push({ program, dataset: counts.dataset, rows });
            byTenant.set(tenantId, list);
          }
        }
      }
      const out = context.io.stdout;
      if (byTenant.size === 0) {
        out.write("No tenant has data yet: run 'openinsights demo' or 'openinsights load'.\n");
        return 0;
      }
      for (const [tenant, datasets] of [...byTenant].sort(([a], [b]) => a.localeCompare(b))) {
        const demo = DEMO_TENANTS.find((t) => t.id === tenant);
        const total = datasets.reduce((sum, d) => sum + d.rows, 0);
        out.write(`${tenant}${demo ? ` (demo: ${demo.name})` : ""}  ${total.toLocaleString("en-US")} rows\n`);
        for (const d of datasets)
          out.write(
            `  ${d.program}  ${d.dataset.padEnd(34)} ${d.rows.toLocaleString("en-US").padStart(12)}\n`,
          );
      }
      return 0;
    } finally {
      await engine.close();
    }
  },
};
