// POST /v1/reference through app.request(): a site's reference statistics from its own measurements, exactly as
// training computes them, ready to send back as prediction attributes; bad input named by field.
import { afterAll, describe, expect, it } from "vitest";
import { referenceStats } from "../core/reference-stats.ts";
import { createApp } from "../serving/app.ts";
import { createModelRegistry } from "../serving/registry.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8 });
const { app, models } = await makeApp(fx.modelsDir);
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});

/** 400 days of a site following R = 1.5·2^((T − 10)/10)·exp(3(θ − 0.25) − 40(θ − 0.25)²), every 7th day unmeasured. */
function measuredSite(days = 400) {
  const tsoil = Array.from({ length: days }, (_, d) => 10 + 8 * Math.sin((2 * Math.PI * d) / 365));
  const swc = Array.from({ length: days }, (_, d) => 0.25 + 0.08 * Math.sin(d * 1.3) * Math.cos(d * 0.21));
  const flux = tsoil.map((t, d) =>
    d % 7 === 2
      ? null
      : 1.5 * 2 ** ((t - 10) / 10) * Math.exp(3 * (swc[d]! - 0.25) - 40 * (swc[d]! - 0.25) ** 2),
  );
  return { flux_mean: flux, tsoil_mean: tsoil, swc_mean: swc };
}

type Answer = { reference: Record<string, number | null>; days: Record<string, number> };

describe("POST /v1/reference", () => {
  it("answers the statistics training would compute, with the days behind them", async () => {
    const body = measuredSite();
    const res = await postJson(app, "/v1/reference", body);
    expect(res.status).toBe(200);
    const out = (await res.json()) as Answer;
    const nan = (v: number | null) => v ?? Number.NaN;
    const direct = referenceStats(body.flux_mean.map(nan), body.tsoil_mean.map(nan), body.swc_mean.map(nan));
    for (const [k, v] of Object.entries(out.reference))
      expect(v).toBeCloseTo(direct[k as keyof typeof direct], 9);
    expect(out.reference.flux_q10).toBeGreaterThan(1.8);
    expect(out.reference.flux_q10).toBeLessThan(2.2);
    expect(out.reference.flux_swc_c2!).toBeLessThan(0);
    expect(out.days).toEqual({ flux: 343, flux_and_tsoil: 343, flux_tsoil_and_swc: 343 });
  });

  it("gives null where a statistic needs data the request lacks", async () => {
    const res = await postJson(app, "/v1/reference", { flux_mean: [1.2, null, 2.4, 1.8] });
    const out = (await res.json()) as Answer;
    expect(out.reference.flux_ref).toBeCloseTo(1.8, 9);
    expect(out.reference.flux_q10).toBeNull();
    expect(out.reference.swc_ref).toBeNull();
    expect(out.days.flux_and_tsoil).toBe(0);
  });

  it("works on a server with no model loaded: the statistics belong to the data contract, not to a model", async () => {
    const bare = createApp({ registry: createModelRegistry([]) });
    const res = await postJson(bare, "/v1/reference", { flux_mean: [2, 3] });
    expect(res.status).toBe(200);
  });

  it("its answer, filtered to the model's attributes, is accepted by /v1/predict", async () => {
    const { reference } = (await (await postJson(app, "/v1/reference", measuredSite())).json()) as Answer;
    const schema = models.registry.get("soilco2-lstm")!.schema;
    const attributes = Object.fromEntries(
      schema.static.filter((f) => reference[f.name] != null).map((f) => [f.name, reference[f.name]]),
    );
    expect(Object.keys(attributes)).toContain("flux_ref");
    const site = demoSite(120);
    const res = await postJson(app, "/v1/predict", {
      sites: [{ ...site, static: { ...site.static, ...attributes } }],
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["a series of another length", { flux_mean: [1, 2, 3], tsoil_mean: [10, 11] }, "tsoil_mean"],
    ["a value out of range", { flux_mean: [1, 2, 3], swc_mean: [0.2, 0.3, 30] }, "swc_mean[2]"],
    ["an efflux out of range", { flux_mean: [1, 500] }, "flux_mean[1]"],
    ["an unknown field", { flux_mean: [1], tair_mean: [3] }, "tair_mean"],
    ["a string for a number", { flux_mean: [1, "2"] }, "flux_mean[1]"],
    ["no efflux", { tsoil_mean: [10] }, "flux_mean"],
  ])("refuses %s with a 400 naming the field", async (_what, body, path) => {
    const res = await postJson(app, "/v1/reference", body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; code: string; hint: string };
    expect(answer.code).toBe("invalid_input");
    expect(answer.error.startsWith(path)).toBe(true);
    expect(answer.hint.length).toBeGreaterThan(0);
  });

  it("is documented in /openapi.json", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain("/v1/reference");
  });
});
