// /v1/predict per site: spin-up before the first date, warm-up flags, a site calibration applied with its interval,
// and the README's short example on the shipped model.
import { afterAll, describe, expect, it } from "vitest";
import { stackSites } from "../core/batch.ts";
import { calibrateSite } from "../core/calibrate-request.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { applyBlends } from "../core/site-calibration.ts";
import { spinUpSite } from "../core/spin-up.ts";
import type { ModelEntry } from "../serving/registry.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, versions: ["1.0.0"] });
const { app, models } = await makeApp(fx.modelsDir);
const shipped = await makeApp("models");
afterAll(async () => {
  await models.release();
  await shipped.models.release();
  await fx.cleanup();
});
const entry = models.registry.get("soilco2-lstm")!;
const warm = entry.schema.warmupDays;

interface SiteOut {
  efflux: number[];
  efflux_lower: number[] | null;
  efflux_upper: number[] | null;
  warmup: boolean[];
  spin_up_days: number;
  calibrated: boolean;
  warmup_until: string | null;
}
async function predict(a: typeof app, site: unknown): Promise<SiteOut> {
  const r = await postJson(a, "/v1/predict", { sites: [site] });
  expect(r.status).toBe(200);
  return ((await r.json()) as { sites: SiteOut[] }).sites[0]!;
}
async function direct(e: ModelEntry, enc: ReturnType<typeof encodeSite>): Promise<number[]> {
  const batch = stackSites([enc], e.schema.dynamic.length, staticWidth(e.schema));
  const y = await e.predictor.predict(batch);
  return Array.from(enc.rows, (r) => y[r]!);
}

describe("spin-up", () => {
  it("by default runs the model over the series' mirrored first days before it, and flags no value as warm-up", async () => {
    const site = demoSite(30);
    const out = await predict(app, site);
    expect(out.spin_up_days).toBe(warm);
    expect(out.warmup.every((w) => !w)).toBe(true);
    expect(out.warmup_until).toBeNull();
    const want = await direct(
      entry,
      spinUpSite(encodeSite(site, entry.schema), entry.schema, warm, "mirror"),
    );
    expect(out.efflux).toEqual(want);
  });
  it("with spin_up none starts cold and flags the first warm-up days", async () => {
    const site = { ...demoSite(warm + 10), spin_up: "none" as const };
    const out = await predict(app, site);
    expect(out.spin_up_days).toBe(0);
    expect(out.warmup.filter(Boolean)).toHaveLength(warm);
    expect(out.warmup[warm]).toBe(false);
    expect(out.efflux).toEqual(await direct(entry, encodeSite(site, entry.schema)));
  });
  it("the README's four flat days on the shipped model no longer fall from a cold-start spike", async () => {
    const site = {
      static: { latitude: 51.08, elevation: 430, mat: 8.3, map: 750, igbp: "DBF" },
      start: "2020-01-01",
      drivers: {
        tsoil_mean: [2.1, 2.4, null, 3.0],
        swc_mean: [0.31, 0.31, 0.3, 0.3],
        tair_mean: [1.5, 3.2, 4.0, 2.2],
      },
    };
    const cold = await predict(shipped.app, { ...site, spin_up: "none" });
    const spun = await predict(shipped.app, site);
    const spread = (v: number[]) => Math.max(...v) / Math.min(...v);
    expect(spread(cold.efflux)).toBeGreaterThan(1.3); // the cold start's fall
    expect(spread(spun.efflux)).toBeLessThan(1.15);
  });
});

describe("a site calibration in the request", () => {
  const days = 200;
  const base = demoSite(days, { id: "cal" });
  const flux = base.drivers.tsoil_mean.map(
    (t, d) => 0.8 * 2 ** (((t ?? 10) - 10) / 10) * (1 + 0.2 * Math.sin(d / 4)),
  );
  const calibrate = async (sha256: string) =>
    calibrateSite(
      { site: base, flux_mean: flux },
      entry.schema,
      { name: entry.name, version: entry.version, sha256 },
      async (e) => {
        const batch = stackSites([e], entry.schema.dynamic.length, staticWidth(entry.schema));
        return entry.predictor.predict(batch);
      },
    );
  it("is applied per date (blends of the site's process models), with its reference statistics and interval", async () => {
    const cal = await calibrate(entry.sha256);
    const site = { ...base, spin_up: "none", calibration: cal };
    const out = await predict(app, site);
    expect(out.calibrated).toBe(true);
    const enc = encodeSite({ ...base, static: { ...base.static, ...cal.reference } }, entry.schema);
    const network = await direct(entry, enc);
    const want = Array.from(
      applyBlends(
        network,
        base.drivers.tsoil_mean.map((v) => v ?? Number.NaN),
        base.drivers.swc_mean.map((v) => v ?? Number.NaN),
        cal.blends,
      ),
    );
    for (const [i, v] of out.efflux.entries()) expect(v).toBeCloseTo(want[i]!, 5);
    expect(cal.interval).not.toBeNull();
    out.efflux.forEach((v, i) => {
      expect(out.efflux_lower![i]!).toBeLessThanOrEqual(v);
      expect(out.efflux_upper![i]!).toBeGreaterThanOrEqual(v);
    });
  });
  it("fitted for another model is refused naming the field and what to do", async () => {
    const cal = await calibrate("0".repeat(64));
    const r = await postJson(app, "/v1/predict", { sites: [{ ...base, calibration: cal }] });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: string; path: string; hint: string };
    expect(body.path).toBe("sites[0].calibration.model");
    expect(body.hint).toMatch(/recalibrate/);
  });
});
