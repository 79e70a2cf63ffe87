// The network's own 10-90% interval: pooled calibration with a known answer, which requests get which interval, and
// the shipped model's interval through /v1/predict and the v2 endpoint's extra outputs (JSON and binary).
import { afterAll, describe, expect, it } from "vitest";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import {
  calibratePooledInterval,
  hasReference,
  medianSiteCoverage,
  type SitePairs,
} from "../core/network-interval.ts";
import { encodeSite } from "../core/request.ts";
import { demoSite, makeApp, postJson } from "./serving-fixture.ts";

/** Sites whose log-errors are a known evenly spread sample of ±`half` around 0, shuffled deterministically. */
function sites(n: number, days: number, half: number, phase: number): SitePairs[] {
  return Array.from({ length: n }, (_, s) => {
    const pred = Array.from({ length: days }, (_, t) => 1 + 0.5 * Math.sin(t + s));
    const obs = pred.map((p, t) => {
      const u = (((t * 37 + s * 11 + phase) % days) + 0.5) / days; // a permutation of evenly spaced quantiles
      return p * Math.exp(half * (2 * u - 1));
    });
    return { obs, pred };
  });
}

describe("calibratePooledInterval: a known answer", () => {
  it("widens by the ratio of the later errors' spread to the fitting period's, and then covers 80% of later days", () => {
    const fit = sites(12, 100, 0.4, 0);
    const check = sites(12, 100, 0.6, 5); // 1.5 times as spread
    const iv = calibratePooledInterval(fit, check)!;
    expect(iv.widening).toBe(1.5);
    expect(iv.checkCoverage).toBeCloseTo(0.8, 1);
    // A fresh period like the later one: the refitted interval (on both periods) still spans about 80% of it.
    expect(medianSiteCoverage(sites(12, 100, 0.6, 9), iv)).toBeGreaterThan(0.7);
  });
  it("keeps κ = 1 when the later period is like the fitting one", () => {
    const iv = calibratePooledInterval(sites(12, 100, 0.5, 0), sites(12, 100, 0.5, 3))!;
    expect(iv.widening).toBe(1);
    expect(Math.log(iv.upper)).toBeCloseTo(0.5 * 0.8, 1); // the 90% point of an even spread over ±0.5
  });
  it("gives none with too few days", () => {
    expect(calibratePooledInterval(sites(1, 10, 0.5, 0), sites(1, 10, 0.5, 1))).toBeNull();
  });
});

const shipped = await makeApp("models");
afterAll(async () => {
  await shipped.models.release();
});
const entry = shipped.models.registry.get("soilco2-lstm")!;
const intervals = entry.manifest.intervals!;
const withRef = { ...demoSite(60), static: { ...demoSite(60).static, flux_ref: 2.1, flux_sd: 0.9 } };

describe("which interval a request gets", () => {
  it("the shipped model carries both, the new-site one wider", () => {
    expect(intervals).toBeDefined();
    const width = (iv: { lower: number; upper: number }) => iv.upper / iv.lower;
    expect(width(intervals.withoutReference)).toBeGreaterThan(width(intervals.withReference));
  });
  it("with reference statistics only when the level and spread of the efflux are both given", () => {
    const row = (st: Record<string, number | string | null>) =>
      encodeSite({ ...withRef, static: st }, entry.schema, "s").static;
    expect(hasReference(entry.schema, row(withRef.static))).toBe(true);
    expect(hasReference(entry.schema, row(demoSite(60).static))).toBe(false);
    expect(hasReference(entry.schema, row({ ...withRef.static, flux_sd: null }))).toBe(false);
  });
});

interface SiteOut {
  efflux: number[];
  efflux_lower: number[] | null;
  efflux_upper: number[] | null;
  interval: string | null;
}
async function predict(site: unknown): Promise<SiteOut> {
  const r = await postJson(shipped.app, "/v1/predict", { sites: [site] });
  expect(r.status).toBe(200);
  return ((await r.json()) as { sites: SiteOut[] }).sites[0]!;
}

describe("/v1/predict without a calibration", () => {
  it.each([
    ["a new site", demoSite(60), intervals.withoutReference],
    ["a site with reference statistics", withRef, intervals.withReference],
  ])("answers %s with the model's interval for it", async (_what, site, iv) => {
    const out = await predict(site);
    expect(out.interval).toBe("network");
    out.efflux.forEach((v, i) => {
      expect(out.efflux_lower![i]!).toBeCloseTo(v * iv.lower, 5);
      expect(out.efflux_upper![i]!).toBeCloseTo(v * iv.upper, 5);
    });
  });
});

describe("v2 infer: the interval as extra outputs", () => {
  const schema = entry.schema;
  const encoded = [encodeSite(withRef, schema, "a"), encodeSite(demoSite(60), schema, "b")];
  const batch = stackSites(encoded, schema.dynamic.length, staticWidth(schema));
  const nullable = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
  const inputs = [
    {
      name: "dynamic",
      shape: [2, 60, schema.dynamic.length],
      datatype: "FP32",
      data: nullable(batch.dynamic),
    },
    { name: "static", shape: [2, staticWidth(schema)], datatype: "FP32", data: nullable(batch.static) },
  ];
  const INFER = "/v2/models/soilco2-lstm/infer";

  it("lists efflux_lower and efflux_upper in the model metadata", async () => {
    const meta = await (await shipped.app.request("/v2/models/soilco2-lstm")).json();
    expect(meta.outputs.map((o: { name: string }) => o.name)).toEqual([
      "efflux",
      "efflux_lower",
      "efflux_upper",
    ]);
  });
  it("gives every output by default, each row with the factors of its own static row", async () => {
    const r = await postJson(shipped.app, INFER, { inputs });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] };
    const [eff, lo, hi] = body.outputs;
    expect(body.outputs.map((o) => o.name)).toEqual(["efflux", "efflux_lower", "efflux_upper"]);
    expect(lo!.shape).toEqual([2, 60]);
    const ivOf = (row: number) => (row === 0 ? intervals.withReference : intervals.withoutReference);
    eff!.data.forEach((v, k) => {
      const iv = ivOf(Math.floor(k / 60));
      expect(lo!.data[k]!).toBeCloseTo(v * iv.lower, 4);
      expect(hi!.data[k]!).toBeCloseTo(v * iv.upper, 4);
    });
  });
  it("gives only the outputs asked for, binary where asked, JSON elsewhere", async () => {
    const json = await (await postJson(shipped.app, INFER, { inputs })).json();
    const r = await postJson(shipped.app, INFER, {
      inputs,
      outputs: [{ name: "efflux_upper", parameters: { binary_data: true } }, { name: "efflux" }],
    });
    expect(r.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = new Uint8Array(await r.arrayBuffer());
    const n = Number(r.headers.get("inference-header-content-length"));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, n)));
    expect(header.outputs.map((o: { name: string }) => o.name)).toEqual(["efflux_upper", "efflux"]);
    expect(header.outputs[1].data).toEqual(json.outputs[0].data);
    const view = new DataView(bytes.slice(n).buffer);
    const upper = Array.from({ length: 120 }, (_, k) => view.getFloat32(k * 4, true));
    for (const [k, v] of upper.entries()) expect(v).toBeCloseTo(json.outputs[2].data[k], 5);
  });
  it("refuses an output the model does not give, naming those it does", async () => {
    const r = await postJson(shipped.app, INFER, { inputs, outputs: [{ name: "efflux_sd" }] });
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toMatch(/efflux, efflux_lower, efflux_upper/);
  });
});
