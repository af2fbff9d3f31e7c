import { BUILT_IN_DATASETS, builtInCatalogs } from "../datasets/catalog.js";
import { DEFAULT_DEMO_ROWS, DEFAULT_DEMO_SEED, generateDemoData } from "../demo/generate.js";
import { DEMO_TENANTS } from "../demo/tenants.js";
import { openAnalytics } from "../stores.js";
import { type Command, configFrom, DATA_DIR_OPTION, integerOption, progressTo } from "./shared.js";

export const demoCommand: Command = {
  name: "demo",
  usage: "demo [--data-dir D] [--rows N] [--seed S]",
  summary: `Generates deterministic demo data for ${DEMO_TENANTS.length} demo tenants in every dataset of both programs (about ${DEFAULT_DEMO_ROWS.toLocaleString("en-US")} rows by default), replacing earlier demo data.`,
  options: { ...DATA_DIR_OPTION, rows: { type: "string" }, seed: { type: "string" } },
  async run(context) {
    const rows = integerOption(context, "rows", DEFAULT_DEMO_ROWS, 1);
    const seed = integerOption(context, "seed", DEFAULT_DEMO_SEED);
    const engine = await openAnalytics(configFrom(context), builtInCatalogs);
    try {
      const result = await generateDemoData(engine, {
        catalogs: BUILT_IN_DATASETS,
        rows,
        seed,
        now: new Date(),
        onProgress: progressTo(context.io),
      });
      context.io.stdout.write(
        `Generated ${result.rowCount.toLocaleString("en-US")} rows in ${(result.elapsedMs / 1000).toFixed(1)} s for tenants:\n`,
      );
      for (const tenant of DEMO_TENANTS) context.io.stdout.write(`  ${tenant.id}  ${tenant.name}\n`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
