import { describe, expect, it } from "vitest";
import { allMetrics } from "../core/metrics.ts";
import { headroomCounts, withTestLevel, withTestLevelAndAmplitude } from "../training/headroom.ts";

/** Ordinary least-squares line of obs on sim, returned as the recalibrated series. */
function affineFit(obs: number[], sim: number[]): number[] {
  const n = obs.length;
  const ms = sim.reduce((a, b) => a + b, 0) / n;
  const mo = obs.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (sim[i]! - ms) * (obs[i]! - mo);
    sxx += (sim[i]! - ms) ** 2;
  }
  const b = Math.max(0, sxy / sxx);
  return sim.map((x) => mo + b * (x - ms));
}

const obs = [1.2, 2.5, 3.1, 4.8, 3.9, 2.2, 1.1, 0.9, 2.7, 5.5];
const sim = [2.0, 2.9, 3.0, 4.1, 4.4, 3.0, 2.2, 1.5, 2.6, 4.0];

describe("withTestLevel", () => {
  it("hand-computed: r = 0.8, α = 0.6, β = 1.5 gives α' = 0.4, NSE' = 0.48, KGE' = 1 − √(0.04 + 0.36)", () => {
    const x = withTestLevel({ r: 0.8, alpha: 0.6, beta: 1.5 });
    expect(x.nse).toBeCloseTo(0.48, 12);
    expect(x.kge).toBeCloseTo(1 - Math.sqrt(0.4), 12);
  });

  it("equals the metrics of the series rescaled by the test period's mean ratio", () => {
    const m = allMetrics(obs, sim);
    const mo = obs.reduce((a, b) => a + b, 0) / obs.length;
    const ms = sim.reduce((a, b) => a + b, 0) / sim.length;
    const direct = allMetrics(
      obs,
      sim.map((x) => (x * mo) / ms),
    );
    const x = withTestLevel(m);
    expect(x.nse).toBeCloseTo(direct.nse, 10);
    expect(x.kge).toBeCloseTo(direct.kge, 10);
  });

  it("is NaN where the parts are (constant series, zero mean)", () => {
    expect(withTestLevel({ r: Number.NaN, alpha: 0, beta: 1 }).nse).toBeNaN();
    expect(withTestLevel({ r: 0.5, alpha: 1, beta: 0 }).kge).toBeNaN();
  });
});

describe("withTestLevelAndAmplitude", () => {
  it("hand-computed: r = 0.8 gives NSE' = 0.64 and KGE' = 1 − 0.2√2", () => {
    const x = withTestLevelAndAmplitude({ r: 0.8, alpha: 3, beta: 0.2 });
    expect(x.nse).toBeCloseTo(0.64, 12);
    expect(x.kge).toBeCloseTo(1 - 0.2 * Math.SQRT2, 12);
  });

  it("equals the metrics of the least-squares line fitted on the test days", () => {
    const m = allMetrics(obs, sim);
    const direct = allMetrics(obs, affineFit(obs, sim));
    const x = withTestLevelAndAmplitude(m);
    expect(x.nse).toBeCloseTo(direct.nse, 10);
    expect(x.kge).toBeCloseTo(direct.kge, 10);
  });

  it("an anti-correlated series is not inverted: the best line is the observed mean, NSE 0", () => {
    const x = withTestLevelAndAmplitude(
      allMetrics(
        obs,
        sim.map((v) => -v),
      ),
    );
    expect(x.nse).toBe(0);
    expect(x.kge).toBeNaN();
  });
});

describe("headroomCounts", () => {
  it("counts good sites as they are, with the test level, and with level and amplitude", () => {
    const sites = [
      { nse: 0.6, kge: 0.5, r: 0.9, alpha: 0.9, beta: 1.0 }, // good as is
      { nse: -1, kge: 0.1, r: 0.9, alpha: 1.2, beta: 1.6 }, // α' = 0.75: NSE' = 0.79, good with the level
      { nse: -1, kge: 0.1, r: 0.75, alpha: 0.2, beta: 0.5 }, // α' = 0.4: NSE' = 0.44; r² = 0.5625
      { nse: 0.1, kge: 0.2, r: 0.6, alpha: 0.6, beta: 1.0 }, // r² = 0.36: never
    ];
    expect(headroomCounts(sites)).toEqual({ sites: 4, asIs: 1, withLevel: 2, withLevelAndAmplitude: 3 });
  });
});
