// Metrics against hand-computed values, NaN handling and constant series.
import { describe, expect, it } from "vitest";
import {
  allMetrics,
  bias,
  finitePairs,
  isGoodSite,
  kge,
  kgeParts,
  median,
  nse,
  peakRelativeError,
  rmse,
} from "../core/metrics.ts";

const obs = [1, 2, 3, 4];
const sim = [1, 2, 3, 5];

describe("metrics on a hand-checkable case", () => {
  it("NSE = 1 − 1/5", () => expect(nse(obs, sim)).toBeCloseTo(0.8, 12));
  it("RMSE = √(1/4)", () => expect(rmse(obs, sim)).toBeCloseTo(0.5, 12));
  it("bias = 1/4", () => expect(bias(obs, sim)).toBeCloseTo(0.25, 12));
  it("KGE and its parts", () => {
    const p = kgeParts(obs, sim);
    expect(p.r).toBeCloseTo(0.9827076298239906, 12);
    expect(p.alpha).toBeCloseTo(1.3228756555322954, 12);
    expect(p.beta).toBeCloseTo(1.1, 12);
    expect(p.kge).toBeCloseTo(0.6615510156586172, 12);
  });
  it("perfect simulation scores 1 and 0", () => {
    expect(nse(obs, obs)).toBe(1);
    expect(kge(obs, obs)).toBeCloseTo(1, 12);
    expect(rmse(obs, obs)).toBe(0);
  });
  it("the observed mean as prediction: NSE 0, KGE 1 − √2 (r undefined → NaN)", () => {
    expect(nse(obs, [2.5, 2.5, 2.5, 2.5])).toBe(0);
    expect(kge(obs, [2.5, 2.5, 2.5, 2.5])).toBeNaN();
  });
  it("peak error on the top day: (5 − 4)/4", () =>
    expect(peakRelativeError(obs, sim, 0.25)).toBeCloseTo(0.25, 12));
});

describe("NaN handling and degenerate input", () => {
  it("drops a pair when either side is NaN or infinite", () => {
    const p = finitePairs([1, Number.NaN, 3, 4, 5], [1, 2, Number.POSITIVE_INFINITY, 4, Number.NaN]);
    expect(Array.from(p.obs)).toEqual([1, 4]);
    expect(Array.from(p.sim)).toEqual([1, 4]);
    expect(nse([1, Number.NaN, 2, 3, 4], [1, 9, 2, 3, 5])).toBeCloseTo(0.8, 12);
  });
  it("constant observations make NSE and KGE undefined, not ±Infinity", () => {
    expect(nse([2, 2, 2], [1, 2, 3])).toBeNaN();
    expect(kge([2, 2, 2], [1, 2, 3])).toBeNaN();
    expect(rmse([2, 2, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });
  it("fewer than two pairs is NaN; empty RMSE is NaN", () => {
    expect(nse([1], [1])).toBeNaN();
    expect(rmse([], [])).toBeNaN();
  });
  it("unequal lengths throw", () => expect(() => nse([1, 2], [1])).toThrow(RangeError));
  it("allMetrics reports n and every registered metric", () => {
    const m = allMetrics([1, 2, 3, 4, Number.NaN], [1, 2, 3, 5, 1]);
    expect(m.n).toBe(4);
    expect(m.nse).toBeCloseTo(0.8, 12);
    expect(Object.keys(m)).toEqual(["nse", "kge", "r", "alpha", "beta", "rmse", "bias", "peakError", "n"]);
  });
});

describe("aggregation", () => {
  it("median ignores NaN", () => {
    expect(median([3, Number.NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN])).toBeNaN();
  });
  it("good site means NSE > 0.5 and KGE > 0.3", () => {
    expect(isGoodSite({ nse: 0.51, kge: 0.31 })).toBe(true);
    expect(isGoodSite({ nse: 0.5, kge: 0.9 })).toBe(false);
    expect(isGoodSite({ nse: 0.9, kge: 0.3 })).toBe(false);
  });
});
