/**
 * Benchmark 6: the console. Its bundle as served (every file gzipped at level 9; target under
 * 200 kB), and how soon its pages are interactive in Chromium over loopback (target under 1 s):
 * a fresh browser context each run (empty cache), timed from navigation start to the moment the
 * page's first control can be used — the sign-in page's demo button, then, after a click, the
 * datasets page with its datasets listed.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createApp } from "../src/app.js";
import { defaultConsoleDir, loadConsoleAssets } from "../src/console/assets.js";
import { DEMO_TENANTS } from "../src/demo/tenants.js";
import { launchChromium } from "../test/support/browser.js";
import { type Benchmark, fmtInt, fmtMs, median, percentile, progress } from "./common.js";
import { benchConfig } from "./data.js";

const BUNDLE_TARGET_BYTES = 200 * 1024;
const INTERACTIVE_TARGET_MS = 1000;

export const consoleBenchmark: Benchmark = {
  id: "console",
  title: "Console: bundle size and first page interactive",
  async run(context) {
    const dir = defaultConsoleDir();
    const assets = await loadConsoleAssets(dir);
    if (!assets.has("index.html")) throw new Error(`the console is not built in ${dir}: run npm run build`);
    const files = [...assets.entries()].map(([name, asset]) => ({
      name,
      bytes: asset.body.length,
      gzipped: gzipSync(asset.body, { level: 9 }).length,
    }));
    const total = files.reduce((sum, f) => sum + f.gzipped, 0);
    const html = await readFile(path.join(dir, "index.html"), "utf8");
    if (/<script(?![^>]*\bsrc=)/.test(html))
      throw new Error("index.html holds an inline script (the CSP forbids it)");

    const runs = context.settings.quick ? 5 : 15;
    const app = await createApp(benchConfig(await context.tempDir("console")), {
      background: false,
      demo: true,
    });
    const address = await app.listen(0, "127.0.0.1");
    const browser = await launchChromium();
    const signIn: number[] = [];
    const datasets: number[] = [];
    try {
      for (let run = 0; run < runs + 1; run++) {
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${address}/console`, { waitUntil: "commit" });
        const button = page.getByRole("button", { name: `Sign in as ${DEMO_TENANTS[0]!.name}` });
        await button.waitFor();
        const ready = await page.evaluate(() => performance.now());
        await button.click();
        await page.locator("article.dataset").first().waitFor();
        const listed = await page.evaluate(() => performance.now());
        // The first run warms the server (files read, JIT): not counted.
        if (run > 0) {
          signIn.push(ready);
          datasets.push(listed - ready);
        }
        await page.context().close();
      }
    } finally {
      await browser.close();
      await app.close();
    }
    progress(`sign-in page interactive: median ${fmtMs(median(signIn))} ms over ${runs} runs`);
    const p95 = (values: number[]) => percentile(Float64Array.from(values).sort(), 95);
    return {
      method: `The built files of dist/console gzipped at level 9 as a server would send them; then ${runs} cold page loads (fresh browser context each, after one warm-up) of /console in Debian's Chromium (headless, playwright-core) against the app on loopback, timed with the page's own clock from navigation start until the first demo sign-in button can be clicked, and from then until the datasets are listed after a click on it.`,
      tables: [
        {
          columns: ["File", "Bytes", "Gzipped bytes"],
          rows: [
            ...files.map((f) => [f.name, fmtInt(f.bytes), fmtInt(f.gzipped)]),
            ["Total", fmtInt(files.reduce((sum, f) => sum + f.bytes, 0)), fmtInt(total)],
          ],
        },
        {
          columns: ["Page", "Median ms", "p95 ms", "Runs"],
          rows: [
            [
              "Sign-in page interactive (from navigation start)",
              fmtMs(median(signIn)),
              fmtMs(p95(signIn)),
              String(runs),
            ],
            [
              "Datasets listed (from the sign-in page interactive, one click)",
              fmtMs(median(datasets)),
              fmtMs(p95(datasets)),
              String(runs),
            ],
          ],
        },
      ],
      targets: [
        {
          name: "Bundle, gzipped",
          target: `< ${fmtInt(BUNDLE_TARGET_BYTES / 1024)} kB`,
          actual: `${(total / 1024).toFixed(1)} kB`,
          pass: total < BUNDLE_TARGET_BYTES,
        },
        {
          name: "First page interactive (median)",
          target: `< ${fmtInt(INTERACTIVE_TARGET_MS)} ms`,
          actual: `${fmtMs(median(signIn))} ms`,
          pass: median(signIn) < INTERACTIVE_TARGET_MS,
        },
      ],
      notes: [],
      data: { files, gzippedTotal: total, signInMs: signIn, datasetsMs: datasets },
    };
  },
};
