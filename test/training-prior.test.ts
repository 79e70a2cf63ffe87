// The site's reference statistics (the moisture-response fit among them) and the head's Q10 prior, with its gaps.
import { describe, expect, it } from "vitest";
import { moistureResponse } from "../core/reference-stats.ts";
import { priorTerm } from "../heads/prior-head.ts";
import { buildArchitecture } from "../training/architecture.ts";
import { parseTrainConfig } from "../training/config.ts";
import { buildExperiment, derivedStatics } from "../training/experiment.ts";
import { SPLIT } from "../training/splits.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

/** A reproducible moisture series, m3 m-3, uncorrelated with {@link seasonalT}: 0.25 ± 0.1. */
const wetDry = (t: number) => 0.25 + 0.1 * Math.sin(t * 1.7 + 0.3) * Math.cos(t * 0.37);

describe("moistureResponse", () => {
  const site = { fluxRef: 2, q10: 2.5, tsoilRef: 11 };
  const temps = Array.from({ length: 200 }, (_, t) => seasonalT(t));
  const swc = Array.from({ length: 200 }, (_, t) => wetDry(t));
  const ref = swc.reduce((a, b) => a + b, 0) / swc.length;
  const logFlux = (c1: number, c2: number) =>
    temps.map(
      (T, i) =>
        Math.log(site.fluxRef) +
        (Math.log(site.q10) * (T - site.tsoilRef)) / 10 +
        0.1 +
        c1 * (swc[i]! - ref) +
        c2 * (swc[i]! - ref) ** 2,
    );

  it("recovers known c1, c2 and swc_ref from exact data", () => {
    const r = moistureResponse(temps, logFlux(3, -40), swc, site);
    expect(r.swc_ref).toBeCloseTo(ref, 12);
    expect(r.flux_swc_c1).toBeCloseTo(3, 6);
    expect(r.flux_swc_c2).toBeCloseTo(-40, 4);
  });

  it("replaces a convex (moisture-minimum) fit by the linear fit", () => {
    const r = moistureResponse(temps, logFlux(3, 40), swc, site);
    expect(r.flux_swc_c2).toBe(0);
    expect(Number.isFinite(r.flux_swc_c1)).toBe(true);
  });

  it("clamps the coefficients to the catalog ranges", () => {
    const r = moistureResponse(temps, logFlux(500, -9000), swc, site);
    expect(r.flux_swc_c1).toBe(100);
    expect(r.flux_swc_c2).toBe(-2000);
  });

  it("gives NaN without enough moisture days, spread, flux_ref or tsoil_ref", () => {
    const y = logFlux(3, -40);
    const sparse = swc.map((v, i) => (i < 19 ? v : Number.NaN));
    expect(moistureResponse(temps, y, sparse, site).flux_swc_c1).toBeNaN();
    expect(
      moistureResponse(
        temps,
        y,
        swc.map(() => 0.3),
        site,
      ).flux_swc_c2,
    ).toBeNaN();
    expect(moistureResponse(temps, y, swc, { ...site, fluxRef: Number.NaN }).swc_ref).toBeNaN();
    expect(moistureResponse(temps, y, swc, { ...site, tsoilRef: Number.NaN }).swc_ref).toBeNaN();
  });

  it("uses the default Q10 of the prior when the site's is unknown", () => {
    const r = moistureResponse(temps, logFlux(3, -40), swc, { ...site, q10: Number.NaN });
    expect(Number.isFinite(r.flux_swc_c1)).toBe(true);
  });
});

describe("derivedStatics with soil moisture", () => {
  const s = toySite({
    length: 400,
    tsoil: seasonalT,
    swc: wetDry,
    flux: (_t, T, w) => 1.5 * 2 ** ((T - 10) / 10) * Math.exp(4 * (w - 0.25) - 60 * (w - 0.25) ** 2),
  });
  const labels = new Uint8Array(400).fill(SPLIT.train);
  labels.fill(SPLIT.test, 300);

  it("fits the moisture response on training days only", () => {
    const d = derivedStatics(s, labels);
    expect(d.flux_q10!).toBeGreaterThan(1.7);
    expect(d.flux_q10!).toBeLessThan(2.4);
    expect(d.flux_swc_c1!).toBeGreaterThan(2);
    expect(d.flux_swc_c1!).toBeLessThan(6);
    expect(d.flux_swc_c2!).toBeLessThan(-30);
    const onlyTest = new Uint8Array(400).fill(SPLIT.test);
    expect(derivedStatics(s, onlyTest).swc_ref).toBeNaN();
  });

  it("has no moisture response for a site without moisture", () => {
    const dry = toySite({ length: 200, tsoil: seasonalT, flux: (_t, T) => 2 ** (T / 10) });
    const d = derivedStatics(dry, new Uint8Array(200).fill(SPLIT.train));
    expect(d.flux_q10!).toBeCloseTo(2, 5);
    expect(d.flux_swc_c1).toBeNaN();
  });
});

describe("priorTerm", () => {
  // the site's moisture response among the attributes too: they are LSTM inputs, the prior does not read them
  const staticNames = ["flux_ref", "flux_q10", "tsoil_ref", "swc_ref", "flux_swc_c1", "flux_swc_c2"];
  const config = parseTrainConfig({ data: { dir: "x" }, features: { static: staticNames } });
  const s = toySite({
    length: 120,
    tsoil: (t) => (t % 10 === 3 ? Number.NaN : seasonalT(t)),
    swc: wetDry,
    flux: (_t, T, w) => 2 * 1.8 ** (((Number.isNaN(T) ? 10 : T) - 10) / 10) * Math.exp(-80 * (w - 0.25) ** 2),
  });
  const other = toySite({ site: "other", length: 120, tsoil: seasonalT, swc: wetDry, flux: () => 5 });
  const labels = new Uint8Array(120).fill(SPLIT.train);
  const exp = buildExperiment([s, other], [labels, labels], config);
  const arch = buildArchitecture(config, exp.normaliser);
  const input = (site: number) => ({ data: exp.prepared[site]!, time: 120, batch: 1, input: exp.width });
  const prior = priorTerm(arch, input(0));
  const st = derivedStatics(s, labels);

  it("is the site's Q10 model flux_ref·flux_q10^((T − tsoil_ref)/10), and flux_ref on days without soil temperature", () => {
    expect(Number.isFinite(st.flux_swc_c1!)).toBe(true); // a moisture response the prior leaves to the LSTM
    for (let t = 0; t < 120; t++) {
      const T = s.drivers.tsoil_mean![t]!;
      const q10 = Number.isNaN(T) ? st.flux_ref! : st.flux_ref! * st.flux_q10! ** ((T - st.tsoil_ref!) / 10);
      expect(prior[t]!).toBeCloseTo(q10 / exp.normaliser.targetScale, 4);
    }
  });

  it("is 1 (the target scale) for a site without flux_ref", () => {
    const hidden = Float32Array.from(exp.prepared[1]!);
    const ref = arch.prior.fluxRef;
    for (let t = 0; t < 120; t++) {
      hidden[t * exp.width + ref.value] = 0;
      hidden[t * exp.width + ref.mask] = 1;
    }
    expect(Array.from(priorTerm(arch, { ...input(1), data: hidden }))).toEqual(new Array(120).fill(1));
  });
});
