// Normaliser: fitted on training days only, NaN ignored, one-hot untouched; the LSTM input layout with masks.
import { describe, expect, it } from "vitest";
import { inputLayout, lstmInputWidth } from "../core/input-layout.ts";
import { fitColumnStats, fitTargetScale } from "../core/normaliser.ts";
import { prepareSeries } from "../core/prepare.ts";
import { parseTrainConfig } from "../training/config.ts";
import { buildExperiment, fitNormaliser } from "../training/experiment.ts";
import { temporalSplit } from "../training/splits.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

describe("column statistics", () => {
  it("ignore NaN and give identity to listed columns", () => {
    const s = fitColumnStats([1, 10, Number.NaN, 20, 3, Number.NaN], 2, new Set([1]));
    expect(s.mean).toEqual([2, 0]);
    expect(s.std[0]).toBeCloseTo(1, 12);
    expect(s.std[1]).toBe(1);
  });
  it("give std 1 to constant or empty columns", () => {
    expect(fitColumnStats([5, Number.NaN, 5, Number.NaN], 2).std).toEqual([1, 1]);
  });
  it("target scale is the root mean square", () =>
    expect(fitTargetScale([3, Number.NaN, 4])).toBeCloseTo(Math.sqrt(12.5), 12));
});

describe("prepareSeries", () => {
  it("writes [dyn, dyn mask, static, static mask] per day, NaN → 0 with mask 1", () => {
    const out = prepareSeries(
      [2, Number.NaN],
      2,
      [Number.NaN],
      { mean: [1, 0], std: [2, 1] },
      { mean: [0], std: [1] },
    );
    expect(lstmInputWidth(2, 1)).toBe(6);
    expect(Array.from(out)).toEqual([0.5, 0, 0, 1, 0, 1]);
  });

  it("puts every value and mask where core/input-layout.ts says", () => {
    const L = inputLayout(2, 3);
    const out = prepareSeries(
      [Number.NaN, 4],
      2,
      [1, Number.NaN, 3],
      { mean: [0, 0], std: [1, 1] },
      { mean: [0, 0, 0], std: [1, 1, 1] },
    );
    expect(out.length).toBe(L.width);
    expect([L.dynamicValue(1), L.dynamicMask(0), L.staticStart]).toEqual([1, 2, 4]);
    expect([out[L.dynamicValue(1)], out[L.dynamicMask(0)], out[L.dynamicMask(1)]]).toEqual([4, 1, 0]);
    expect([
      out[L.staticValue(0)],
      out[L.staticValue(2)],
      out[L.staticMask(1)],
      out[L.staticMask(2)],
    ]).toEqual([1, 3, 1, 0]);
  });
});

describe("fitNormaliser", () => {
  const config = parseTrainConfig({
    data: { dir: "x" },
    features: { static: ["latitude", "flux_ref", "flux_q10", "tsoil_ref"] },
  });
  const site = toySite({ length: 100, tsoil: seasonalT, flux: (_t, ts) => ts / 5 });
  const labels = temporalSplit([site], 0.3, 0.1);

  it("uses training days only: changing validation and test drivers does not move it", () => {
    const a = fitNormaliser([site], labels, config);
    const changed = toySite({
      length: 100,
      tsoil: (t) => (t >= 60 ? 1000 : seasonalT(t)),
      flux: (_t, ts) => ts / 5,
    });
    const b = fitNormaliser([changed], labels, config);
    expect(b.dynamic).toEqual(a.dynamic);
    expect(b.targetScale).toBe(a.targetScale);
    expect(a.fittedOn.days).toBe(60);
  });
  it("derives flux_ref from training targets and leaves the IGBP one-hot block unscaled", () => {
    const exp = buildExperiment([site], labels, config);
    const ti = exp.normaliser.staticColumns.indexOf("flux_ref");
    let mean = 0;
    for (let t = 0; t < 60; t++) mean += site.target[t]! / 60;
    expect(exp.normaliser.static.mean[ti]).toBeCloseTo(mean, 5);
    const k = exp.normaliser.staticColumns.indexOf("igbp=DBF");
    expect([exp.normaliser.static.mean[k], exp.normaliser.static.std[k]]).toEqual([0, 1]);
  });
});
