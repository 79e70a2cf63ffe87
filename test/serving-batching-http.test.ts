// Batching that never hurts, through app.request(): an idle model answers at once; under load, batches form and respect the site-day cap.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawBatch } from "../core/batch.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createApp } from "../serving/app.ts";
import { createModelRegistry, type ModelEntry } from "../serving/registry.ts";
import { demoSite, makeModelRoot, postJson, type ServingFixture } from "./serving-fixture.ts";

let fx: ServingFixture;
let base: Omit<ModelEntry, "predictor">;
beforeAll(async () => {
  fx = await makeModelRoot({ hidden: 8, versions: ["1"] });
  const m = await readModelDir(join(fx.modelsDir, "soilco2-lstm", "1"));
  base = {
    name: "soilco2-lstm",
    version: "1",
    schema: m.schema,
    manifest: m.manifest,
    sha256: m.sha256,
    ready: true,
    executionProvider: "cpu",
  };
}, 120_000);
afterAll(() => fx.cleanup());

/** A predictor that takes `ms` per call and records each call's batch shape. */
function slowPredictor(ms: number) {
  const calls: { batch: number; time: number }[] = [];
  return {
    calls,
    predict: async (x: RawBatch) => {
      calls.push({ batch: x.batch, time: x.time });
      await new Promise((r) => setTimeout(r, ms));
      return new Float32Array(x.batch * x.time).fill(1);
    },
  };
}

describe("micro-batching over HTTP", () => {
  it("an idle model answers a lone request at once, even with --max-wait-ms set", async () => {
    const p = slowPredictor(0);
    const app = createApp({
      registry: createModelRegistry([{ ...base, predictor: p }]),
      batching: { maxWaitMs: 3000 }, // long enough that no stall of a loaded machine is mistaken for it
    });
    await postJson(app, "/v1/predict", { sites: [demoSite(30)] }); // compiles the body schema
    const t0 = performance.now();
    const r = await postJson(app, "/v1/predict", { sites: [demoSite(30)] });
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it("under load, requests that queue while a batch runs share the next call, capped in site-days", async () => {
    const p = slowPredictor(60);
    const app = createApp({
      registry: createModelRegistry([{ ...base, predictor: p }]),
      batching: { maxInflight: 1, maxBatchDays: 3 * 365 },
    });
    const rs = await Promise.all(
      // cold starts, so each site is exactly 365 days long (a spin-up would add the model's warm-up days)
      Array.from({ length: 8 }, () =>
        postJson(app, "/v1/predict", { sites: [{ ...demoSite(365), spin_up: "none" }] }),
      ),
    );
    expect(rs.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(p.calls[0]!.batch).toBe(1);
    expect(Math.max(...p.calls.map((c) => c.batch))).toBe(3);
    expect(p.calls.reduce((n, c) => n + c.batch, 0)).toBe(8);
  });
});
