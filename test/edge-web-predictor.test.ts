// The web predictor (edge/web-predictor.ts) on onnxruntime-web's wasm backend in Node: the shared parity cases within
// 1e-4 of tfjs, the demo site-year equal to onnxruntime-node, and readable refusals.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite, type SiteRequest } from "../core/request.ts";
import { spinUpSite } from "../core/spin-up.ts";
import type { OrtWeb } from "../edge/web-model.ts";
import { createWebPredictor, type WebPredictor } from "../edge/web-predictor.ts";
import { exportRun } from "../export/export-run.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { assertParity, loadParityCases, runParityCases } from "./helpers/parity-case.ts";

const ORT_DIST = new URL("../node_modules/onnxruntime-web/dist/", import.meta.url).pathname;
const demo = JSON.parse(
  await readFile(new URL("../edge/demo/site-d20200305_VARGAS.json", import.meta.url), "utf8"),
) as { site: SiteRequest };

const root = await mkdtemp(join(tmpdir(), "soilco2-edge-web-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Open a model directory with the web predictor (the ORT files from node_modules, as the widget ships them). */
async function openWeb(modelDir: string): Promise<WebPredictor> {
  const m = await readModelDir(modelDir);
  return createWebPredictor(
    ortWeb as unknown as OrtWeb,
    { bytes: m.modelBytes, manifest: m.manifest, where: modelDir },
    { wasmPaths: ORT_DIST },
  );
}

// a synthetic run, as test/export-parity.test.ts exports it
const runDir = join(root, "run");
const modelDir = join(root, "model");
await writeSyntheticRun(runDir, { hidden: 32, seed: 11 });
await exportRun({ runDir, outDir: modelDir });
const cases = await loadParityCases({ modelDir, runDir });
let web: WebPredictor;
beforeAll(async () => {
  web = await openWeb(modelDir);
});
afterAll(() => web?.release());
runParityCases("onnxruntime-web (edge/web-predictor, wasm SIMD, 1 thread)", (x) => web.run(x), cases);

describe("web predictor: requests", () => {
  it("runs wasm with SIMD on one thread outside a cross-origin isolated page", () => {
    expect(ortWeb.env.wasm.simd).toBe(true);
    expect(ortWeb.env.wasm.numThreads).toBe(1);
  });

  it("answers the demo site-year like onnxruntime-node on core's tensors", async () => {
    const r = await web.predict({ sites: [demo.site] });
    expect(r.sites).toHaveLength(1);
    const site = r.sites[0]!;
    expect(site.id).toBe("d20200305_VARGAS");
    expect(r.model).toEqual({ name: web.entry.name, version: web.entry.version, sha256: web.entry.sha256 });
    expect(site.dates).toHaveLength(365);
    expect(site.dates[0]).toBe("2007-01-01");
    const { schema } = web.entry;
    // spun up before its first date, as on every runtime (core/spin-up.ts)
    const enc = spinUpSite(encodeSite(demo.site, schema, "sites[0]"), schema, schema.warmupDays, "mirror");
    const node = await createOrtPredictor(ortNode, (await readModelDir(modelDir)).modelBytes);
    const y = await node.predict(stackSites([enc], schema.dynamic.length, staticWidth(schema)));
    await node.release();
    assertParity(
      site.efflux,
      Array.from(enc.rows, (row) => y[row]!),
    );
  });

  it("refuses a wrong date with the field path", async () => {
    await expect(web.predict({ sites: [{ ...demo.site, start: "2007-02-30" }] })).rejects.toThrow(
      /sites\[0\]\.start: .*date/i,
    );
  });

  it("refuses an unknown driver and a request without sites", async () => {
    await expect(
      web.predict({ sites: [{ ...demo.site, drivers: { ...demo.site.drivers, co2: [1] } }] }),
    ).rejects.toThrow(/co2/);
    await expect(web.predict({} as never)).rejects.toThrow(/sites/);
  });
});
