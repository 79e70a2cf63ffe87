/** `npm run bench:edge`: one site-year on onnxruntime-web in Node and in headless Chromium against onnxruntime-node in the same run, and the browser's cold start (model + wasm load to first answer, target < 500 ms). */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Hono } from "hono";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite, type SiteRequest } from "../core/request.ts";
import { launchChromium, listen } from "../edge/browser-harness.ts";
import { createDemoApp } from "../edge/demo/demo-app.ts";
import { dropZodLocales } from "../edge/esbuild-plugins.ts";
import type { OrtWeb } from "../edge/web-model.ts";
import { createWebPredictor } from "../edge/web-predictor.ts";
import { BUILD_RECORD, buildWidget, ORT_DIST } from "../edge/widget/build-widget.ts";
import { exportRun } from "../export/export-run.ts";
import { defaultModelDir } from "../model/node/model-dirs.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

/** Target for the browser's cold start, ms. */
export const COLD_START_TARGET_MS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const COLD_ROUNDS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** The in-page benchmark, bundled like the widget: `window.soilco2Bench(modelUrl, request, rounds)`. */
const PAGE_ENTRY = `
import * as ort from "onnxruntime-web/wasm";
import { stackSites } from "./core/batch.ts";
import { fetchModelFiles } from "./edge/model-files.ts";
import { createWebPredictor } from "./edge/web-predictor.ts";
window.soilco2Bench = async (modelUrl, request, rounds) => {
  const t0 = performance.now();
  const files = await fetchModelFiles(modelUrl);
  const t1 = performance.now();
  const p = await createWebPredictor(ort, files, { wasmPaths: { wasm: new URL(__ORT_WASM__, import.meta.url).href, mjs: new URL(__ORT_MJS__, import.meta.url).href } });
  const t2 = performance.now();
  await p.predict(request);
  const cold = performance.now() - t0;
  const phases = { files: t1 - t0, session: t2 - t1, first: t0 + cold - t2 };
  const time = async (fn) => { for (let i = 0; i < 5; i++) await fn(); const ts = []; for (let i = 0; i < rounds; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); } return ts.sort((a, b) => a - b)[Math.floor(rounds / 2)]; };
  return { cold, phases, predict: await time(() => p.predict(request)), threads: ort.env.wasm.numThreads, isolated: self.crossOriginIsolated };
};`;

const root = await mkdtemp(join(tmpdir(), "soilco2-bench-edge-"));
try {
  // SOILCO2_MODEL, else the default model under models/ (as `soilco2 serve`), else a synthetic 64-unit export
  let modelDir = process.env.SOILCO2_MODEL ?? (await defaultModelDir().catch(() => undefined));
  if (!modelDir) {
    modelDir = join(root, "model");
    await writeSyntheticRun(join(root, "run"), { hidden: 64, seed: 1 });
    await exportRun({ runDir: join(root, "run"), outDir: modelDir });
  }
  const model = await readModelDir(modelDir);
  const { site } = JSON.parse(
    await readFile(new URL("../edge/demo/site-d20200305_VARGAS.json", import.meta.url), "utf8"),
  ) as { site: SiteRequest };
  const request = { sites: [site] };
  const batch = stackSites(
    [encodeSite(site, model.schema)],
    model.schema.dynamic.length,
    staticWidth(model.schema),
  );
  console.log(`model ${model.manifest.name} ${model.manifest.version}; one site-year = ${batch.time} days`);

  const node = await createOrtPredictor(ortNode, model.modelBytes);
  const tNode = await time(() => node.predict(batch));
  const t0 = performance.now();
  const web = await createWebPredictor(
    ortWeb as unknown as OrtWeb,
    { bytes: model.modelBytes, manifest: model.manifest, where: modelDir },
    { wasmPaths: ORT_DIST },
  );
  await web.predict(request);
  const webCold = performance.now() - t0;
  const tWebRun = await time(() => web.run(batch));
  const tWebPredict = await time(() => web.predict(request));

  // headless Chromium: the widget folder plus the bench page, served by the demo mount
  const widgetDir = await buildWidget({ outDir: join(root, "widget") });
  // the ORT files under the widget's content-hashed names (immutable: cached by the browser for good)
  const { ort } = JSON.parse(await readFile(join(widgetDir, BUILD_RECORD), "utf8")) as {
    ort: Record<string, string>;
  };
  await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: join(import.meta.dirname, ".."), loader: "js" },
    outfile: join(widgetDir, "bench.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    conditions: ["onnxruntime-web-use-extern-wasm"],
    define: {
      __ORT_WASM__: JSON.stringify(ort["ort-wasm-simd-threaded.wasm"]),
      __ORT_MJS__: JSON.stringify(ort["ort-wasm-simd-threaded.mjs"]),
    },
    plugins: [dropZodLocales],
    logLevel: "warning",
  });
  const server = await listen(new Hono().route("/demo", createDemoApp({ modelDir, widgetDir })).fetch);
  const browser = await launchChromium();
  const colds: number[] = [];
  /** Per fresh context: model files fetched, onnxruntime-web initialised with its session, first answer (ms). */
  type Phases = { files: number; session: number; first: number };
  const phases: Phases[] = [];
  const widgetColds: number[] = [];
  const widgetWarm: number[] = [];
  let warm: { predict: number; threads: number; isolated: boolean } | undefined;
  try {
    // round 0 is discarded (first reads of the files from disk)
    for (let i = 0; i <= COLD_ROUNDS; i++) {
      const context = await browser.newContext(); // empty caches: a first visit
      const page = await context.newPage();
      // a blank page on the server's origin, so nothing else on it competes for the CPU
      await page.route(`${server.origin}/blank.html`, (r) =>
        r.fulfill({ contentType: "text/html", body: "<!doctype html>" }),
      );
      await page.goto(`${server.origin}/blank.html`);
      await page.addScriptTag({ type: "module", url: `${server.origin}/demo/widget/bench.js` });
      await page.waitForFunction(() => "soilco2Bench" in window);
      const r = await page.evaluate(
        ([url, req, n]) =>
          (window as unknown as { soilco2Bench: (...a: unknown[]) => Promise<never> }).soilco2Bench(
            url,
            req,
            n,
          ),
        [`${server.origin}/demo/widget/model/`, request, ROUNDS] as const,
      );
      if (i > 0) {
        colds.push((r as { cold: number }).cold);
        phases.push((r as { phases: Phases }).phases);
      }
      warm ??= r;
      await context.close();
      const fresh = await browser.newContext();
      const demo = await fresh.newPage();
      const start = Date.now();
      await demo.goto(`${server.origin}/demo/`);
      await demo.waitForFunction(
        () => document.querySelector("soil-co2-chart")?.getAttribute("data-state") === "ready",
      );
      if (i > 0) widgetColds.push(Date.now() - start);
      const again = Date.now(); // a returning visitor: 304s, V8's cache of the compiled wasm
      await demo.reload();
      await demo.waitForFunction(
        () => document.querySelector("soil-co2-chart")?.getAttribute("data-state") === "ready",
      );
      if (i > 0) widgetWarm.push(Date.now() - again);
      await fresh.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const ratio = (v: number) => `${(v / tNode).toFixed(2)}x onnxruntime-node`;
  console.log(`one site-year (${batch.time} days), median of ${ROUNDS}:`);
  console.log(`  onnxruntime-node (CPU)                           ${ms(tNode)}`);
  console.log(`  onnxruntime-web in Node, model run               ${ms(tWebRun)}  ${ratio(tWebRun)}`);
  console.log(`  onnxruntime-web in Node, POST /v1/predict path   ${ms(tWebPredict)}  ${ratio(tWebPredict)}`);
  console.log(
    `  headless Chromium, POST /v1/predict path         ${ms(warm!.predict)}  ${ratio(warm!.predict)} (threads ${warm!.threads}, cross-origin isolated ${warm!.isolated})`,
  );
  console.log("cold start (model + wasm fetch, compile, session, first answer):");
  console.log(`  onnxruntime-web in Node                          ${ms(webCold)}`);
  const cold = median(colds);
  console.log(
    `  headless Chromium, median of ${COLD_ROUNDS} fresh contexts     ${ms(cold)} (target < ${COLD_START_TARGET_MS} ms: ${cold < COLD_START_TARGET_MS ? "met" : "MISSED"}; best ${Math.min(...colds).toFixed(0)} ms; all: ${colds.map((c) => c.toFixed(0)).join(", ")})`,
  );
  const phase = (k: keyof Phases) => ms(median(phases.map((x) => x[k])));
  console.log(
    `    of which (medians): model files ${phase("files")}, onnxruntime-web init + session ${phase("session")}, first answer ${phase("first")}`,
  );
  console.log(`  demo page load to chart drawn (widget, fresh)    ${ms(median(widgetColds))}`);
  console.log(`  the same, returning visitor (page reload)        ${ms(median(widgetWarm))}`);
  const [l1, l5] = loadavg();
  console.log(
    `machine: ${cpus().length} CPUs, load average ${l1!.toFixed(1)} (1 min), ${l5!.toFixed(1)} (5 min)`,
  );
  await node.release();
  await web.release();
} finally {
  await rm(root, { recursive: true, force: true });
}
