// The edge worker (edge/worker/) bundled by build-worker.ts and run in workerd (miniflare), called over HTTP:
// health, POST /v1/predict and KServe v2 infer answer like onnxruntime-node within 1e-4, and pass the parity cases.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import * as ortNode from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawBatch } from "../core/batch.ts";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite, type SiteRequest } from "../core/request.ts";
import { spinUpSite } from "../core/spin-up.ts";
import { buildWorker, WORKER_MODULES } from "../edge/worker/build-worker.ts";
import { exportRun } from "../export/export-run.ts";
import { type ModelDir, readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor, type OrtPredictor } from "../model/ort-predict.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { assertParity, goldenParityCases, runParityCases } from "./helpers/parity-case.ts";

const demo = JSON.parse(
  await readFile(new URL("../edge/demo/site-d20200305_VARGAS.json", import.meta.url), "utf8"),
) as { site: SiteRequest };

const root = await mkdtemp(join(tmpdir(), "soilco2-edge-worker-"));
const modelDir = join(root, "model");
await writeSyntheticRun(join(root, "run"), { hidden: 32, seed: 3 });
await exportRun({ runDir: join(root, "run"), outDir: modelDir });
const golden = await goldenParityCases(modelDir);

let mf: Miniflare;
let url: URL;
let model: ModelDir;
let node: OrtPredictor;

beforeAll(async () => {
  const outDir = await buildWorker({ modelDir, outDir: join(root, "worker") });
  mf = new Miniflare({
    modules: WORKER_MODULES.map((m) => ({ type: m.type, path: join(outDir, m.path) })),
    modulesRoot: outDir,
    compatibilityDate: "2025-01-01",
    bindings: { CORS_ORIGINS: "*", API_KEYS: "edge-key-1,edge-key-2", RATE_LIMIT: "100000" },
  });
  url = await mf.ready;
  model = await readModelDir(modelDir);
  node = await createOrtPredictor(ortNode, model.modelBytes);
});
afterAll(async () => {
  await node?.release();
  await mf?.dispose();
  await rm(root, { recursive: true, force: true });
});

async function call(
  path: string,
  body?: unknown,
  key: string | null = "edge-key-2",
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, url), {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "content-type": "application/json",
      origin: "https://partner.example",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A raw batch through POST /v2/models/{name}/infer (NaN sent as null). */
async function inferV2(x: RawBatch): Promise<Float32Array> {
  const data = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
  const { status, json } = await call(`/v2/models/${model.manifest.name}/infer`, {
    inputs: [
      { name: "dynamic", datatype: "FP32", shape: [x.batch, x.time, x.dynamicCols], data: data(x.dynamic) },
      { name: "static", datatype: "FP32", shape: [x.batch, x.staticCols], data: data(x.static) },
    ],
  });
  if (status !== 200) throw new Error(`infer answered ${status}: ${JSON.stringify(json)}`);
  return Float32Array.from((json.outputs as { data: number[] }[])[0]!.data);
}

describe("edge worker in workerd", () => {
  it("is live and ready", async () => {
    expect(await call("/v2/health/live")).toEqual({ status: 200, json: { live: true } });
    expect(await call("/v2/health/ready")).toEqual({ status: 200, json: { ready: true } });
    const meta = await call(`/v2/models/${model.manifest.name}`);
    expect(meta.status).toBe(200);
  });

  it("answers POST /v1/predict for the demo site-year like onnxruntime-node", async () => {
    const { status, json } = await call("/v1/predict", { sites: [demo.site] });
    expect(status).toBe(200);
    expect(json.model).toEqual({
      name: model.manifest.name,
      version: model.manifest.version,
      sha256: model.sha256,
    });
    const site = (json.sites as { id: string; dates: string[]; efflux: number[] }[])[0]!;
    expect(site.dates).toHaveLength(365);
    // the worker spins the series up before its first date, as every runtime does (core/spin-up.ts)
    const enc = spinUpSite(
      encodeSite(demo.site, model.schema, "sites[0]"),
      model.schema,
      model.schema.warmupDays,
      "mirror",
    );
    const y = await node.predict(stackSites([enc], model.schema.dynamic.length, staticWidth(model.schema)));
    const r = assertParity(
      site.efflux,
      Array.from(enc.rows, (row) => y[row]!),
    );
    console.log(
      `workerd /v1/predict vs onnxruntime-node: ${r.values} values, max abs ${r.maxAbs.toExponential(2)}`,
    );
  });

  it("answers KServe v2 infer on the golden inputs like onnxruntime-node", async () => {
    for (const c of golden) {
      assertParity(await inferV2(c.input), await node.predict(c.input));
    }
  });

  it("refuses a wrong date with serving's error body", async () => {
    const { status, json } = await call("/v1/predict", { sites: [{ ...demo.site, start: "2007-02-30" }] });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: "invalid_input", path: "sites[0].start" });
    expect(typeof json.error).toBe("string");
  });

  it("takes API keys from its bindings: every route but health needs one", async () => {
    expect((await call("/v2/health/ready", undefined, null)).status).toBe(200);
    for (const path of ["/v2", `/v2/models/${model.manifest.name}`, "/openapi.json"])
      expect((await call(path, undefined, null)).status, path).toBe(401);
    expect((await call("/v1/predict", { sites: [demo.site] }, "wrong")).status).toBe(401);
    expect((await call("/v2", undefined, "edge-key-1")).status).toBe(200);
  });
});

runParityCases("workerd (edge worker, KServe v2 infer)", inferV2, golden);
