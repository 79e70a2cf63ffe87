// The counting rules for undefined scores: a constant prediction is scored, NaN counts as worst, constant obs leave.
import { describe, expect, it } from "vitest";
import { kge } from "../core/metrics.ts";
import { evaluate, type ModelSeries } from "../training/evaluate.ts";
import { medianCountingUndefined, siteMetrics, unscorableReason } from "../training/scoring-rules.ts";
import { SPLIT } from "../training/splits.ts";
import { toySite } from "./helpers/toy-sites.ts";

describe("siteMetrics", () => {
  const obs = [1, 2, 3, 4];
  it("scores a constant prediction with r = 0 and α = 0 where plain KGE is undefined", () => {
    expect(Number.isNaN(kge(obs, [2.5, 2.5, 2.5, 2.5]))).toBe(true);
    const m = siteMetrics(obs, [2.5, 2.5, 2.5, 2.5]);
    expect(m.r).toBe(0);
    expect(m.alpha).toBe(0);
    expect(m.kge).toBeCloseTo(1 - Math.SQRT2, 12); // β = 1
    const high = siteMetrics(obs, [5, 5, 5, 5]); // β = 2
    expect(high.kge).toBeCloseTo(1 - Math.sqrt(3), 12);
    expect(high.nse).toBeLessThan(0);
  });
  it("leaves a varying prediction's metrics as computed", () => {
    const sim = [1.1, 2.2, 2.9, 4.2];
    expect(siteMetrics(obs, sim).kge).toBeCloseTo(kge(obs, sim), 12);
  });
});

describe("medianCountingUndefined", () => {
  it("counts NaN as the worst value instead of dropping it", () => {
    expect(medianCountingUndefined([0.5, 0.6, Number.NaN])).toBe(0.5);
    expect(medianCountingUndefined([0.9, Number.NaN, Number.NaN])).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(medianCountingUndefined([]))).toBe(true);
  });
});

describe("unscorableReason", () => {
  it("names constant observations and too few days", () => {
    expect(unscorableReason([2, 2, 2])).toBe("constant observed efflux");
    expect(unscorableReason([2])).toBe("fewer than 2 test days");
    expect(unscorableReason([1, 2])).toBeNull();
  });
});

describe("evaluate applies the rules", () => {
  const mk = (name: string, flux: (t: number) => number) => {
    const s = toySite({ site: name, length: 60, flux });
    return { s, labels: Uint8Array.from({ length: 60 }, (_, t) => (t < 30 ? SPLIT.train : SPLIT.test)) };
  };
  const a = mk("a", (t) => 1 + Math.sin(t / 5));
  const b = mk("b", (t) => 2 + Math.cos(t / 7));
  const flatObs = mk("flat-obs", () => 3);
  const sites = [a.s, b.s, flatObs.s];
  const labels = [a.labels, b.labels, flatObs.labels];
  const models: ModelSeries[] = [
    {
      name: "lstm",
      label: "LSTM",
      series: sites.map((s) => s.target.map((y, t) => y + 0.05 * Math.sin(3 * t))),
    },
    { name: "const", label: "constant", series: sites.map((s) => new Float32Array(s.length).fill(1.5)) },
  ];
  const ev = evaluate(sites, labels, models, [
    { name: "all", label: "all", needs: [], models: ["lstm", "const"] },
  ]);
  it("keeps a constant model in the median at every site, with a finite KGE", () => {
    const c = ev.test[0]!.models.find((m) => m.model === "const")!;
    expect(c.sites).toBe(2);
    expect(Number.isFinite(c.medianKge)).toBe(true);
  });
  it("leaves out, for every model, a site whose observed test efflux is constant", () => {
    expect(ev.test[0]!.sites).toEqual(["a", "b"]);
  });
});
