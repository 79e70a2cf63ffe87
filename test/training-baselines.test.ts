// Baselines: each process model recovers known parameters from synthetic data; climatology; the global fit.
import { describe, expect, it } from "vitest";
import { type FitPoints, fitLloydTaylor, fitQ10, fitQ10Moisture } from "../core/process-models/fit-flux.ts";
import { fitLloydTaylorLog, fitQ10Log, fitQ10MoistureLog } from "../core/process-models/fit-log.ts";
import { fitOnHistory } from "../core/process-models/fit-on-history.ts";
import { lloydTaylorModel, q10Model, q10MoistureModel } from "../core/process-models/models.ts";
import { BASELINES, climatology } from "../training/baselines/baselines.ts";
import { SPLIT } from "../training/splits.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

const T = Array.from({ length: 200 }, (_, i) => seasonalT(i * 1.7));
const W = Array.from({ length: 200 }, (_, i) => 0.1 + (0.3 * ((i * 37) % 100)) / 100);

describe("process models", () => {
  it("Q10 is R10 at 10 °C and multiplies by Q10 per 10 °C", () => {
    expect(q10Model(2, 3, 10)).toBe(2);
    expect(q10Model(2, 3, 20)).toBeCloseTo(6, 12);
  });
  it("Lloyd-Taylor is R10 at 10 °C and zero at or below T0", () => {
    expect(lloydTaylorModel(2, 308.56, 10)).toBeCloseTo(2, 12);
    expect(lloydTaylorModel(2, 308.56, -46.02)).toBe(0);
  });
});

describe("fits recover known parameters from noise-free data", () => {
  it("Q10", () => {
    const f = fitQ10({ tsoil: T, swc: W, flux: T.map((t) => q10Model(1.8, 2.4, t)) })!;
    expect(f.params.r10).toBeCloseTo(1.8, 2);
    expect(f.params.q10).toBeCloseTo(2.4, 2);
  });
  it("Lloyd-Taylor", () => {
    const f = fitLloydTaylor({ tsoil: T, swc: W, flux: T.map((t) => lloydTaylorModel(2.5, 250, t)) })!;
    expect(f.params.r10).toBeCloseTo(2.5, 2);
    expect(f.params.e0).toBeGreaterThan(245);
    expect(f.params.e0).toBeLessThan(255);
  });
  it("Q10 × moisture", () => {
    const flux = T.map((t, i) => q10MoistureModel(2, 2, 8, -16, t, W[i]!));
    const f = fitQ10Moisture({ tsoil: T, swc: W, flux })!;
    const pred = T.map((t, i) =>
      q10MoistureModel(f.params.r10!, f.params.q10!, f.params.c1!, f.params.c2!, t, W[i]!),
    );
    const maxErr = Math.max(...pred.map((p, i) => Math.abs(p - flux[i]!)));
    expect(maxErr).toBeLessThan(0.05);
    expect(f.params.q10).toBeCloseTo(2, 1);
  });
  it("refuses fewer than 10 points", () =>
    expect(fitQ10({ tsoil: [1, 2], swc: [0, 0], flux: [1, 2] })).toBeNull());
});

describe("baseline registry on sites", () => {
  const a = toySite({ site: "a", length: 120, tsoil: seasonalT, flux: (_t, ts) => q10Model(1, 2, ts) });
  const b = toySite({ site: "b", length: 120, tsoil: seasonalT, flux: (_t, ts) => q10Model(3, 2, ts) });
  const labels = [a, b].map((s) =>
    Uint8Array.from({ length: s.length }, (_, t) => (t < 80 ? SPLIT.train : SPLIT.test)),
  );
  const run = (name: string) => BASELINES.find((x) => x.name === name)!.run([a, b], labels);

  it("per-site Q10 predicts each site's test days from its own training days", () => {
    const r = run("q10");
    expect(r.predictions[1]![100]).toBeCloseTo(b.target[100]!, 3);
    expect(r.params[0]!.r10).toBeCloseTo(1, 2);
  });
  it("the global Q10 fits one R10 for both sites (between 1 and 3)", () => {
    const r = run("q10_global");
    expect(r.params[0]).toEqual(r.params[1]);
    expect(r.params[0]!.r10).toBeGreaterThan(1);
    expect(r.params[0]!.r10).toBeLessThan(3);
  });
  it("a site without soil temperature gets no process-model prediction", () => {
    const noT = toySite({ site: "c", length: 50, flux: () => 1 });
    const r = BASELINES.find((x) => x.name === "q10")!.run([noT], [new Uint8Array(50).fill(SPLIT.train)]);
    expect(r.predictions[0]).toBeNull();
  });
  it("climatology is the training mean around each day of year, the site mean where there is none", () => {
    const s = toySite({ length: 400, flux: (t) => (t < 182 ? 1 : 3) });
    const lab = Uint8Array.from({ length: 400 }, (_, t) => (t < 366 ? SPLIT.train : SPLIT.test));
    const c = climatology(s, lab, 15)!;
    expect(c[385]).toBeCloseTo(1, 5); // 20 January: days of year 5-35 were all "1" in training
    expect(c[200]).toBeCloseTo(3, 5);
    const none = climatology(s, new Uint8Array(400).fill(SPLIT.test), 15);
    expect(none).toBeNull();
  });
});

describe("log-space fits with Duan's smearing", () => {
  // Multiplicative noise with a known distribution: ln ε = ±0.4 alternately, so E[ε] = cosh(0.4).
  const eps = T.map((_, i) => Math.exp(i % 2 ? 0.4 : -0.4));
  const flux = T.map((t, i) => q10Model(1.8, 2.4, t) * eps[i]!);
  it("Q10: the log fit recovers Q10 and its R10 carries the smearing factor E[ε]", () => {
    const f = fitQ10Log({ tsoil: T, swc: W, flux })!;
    expect(f.params.q10).toBeCloseTo(2.4, 1);
    expect(f.params.r10! / 1.8).toBeCloseTo(Math.cosh(0.4), 1);
  });
  it("Lloyd-Taylor and Q10 × moisture recover noise-free parameters", () => {
    const lt = fitLloydTaylorLog({ tsoil: T, swc: W, flux: T.map((t) => lloydTaylorModel(2.5, 250, t)) })!;
    expect(lt.params.r10).toBeCloseTo(2.5, 4);
    expect(lt.params.e0).toBeCloseTo(250, 3);
    const qm = fitQ10MoistureLog({
      tsoil: T,
      swc: W,
      flux: T.map((t, i) => q10MoistureModel(2, 2, 8, -16, t, W[i]!)),
    })!;
    expect(qm.params.c1).toBeCloseTo(8, 4);
    expect(qm.params.c2).toBeCloseTo(-16, 4);
  });
  it("leaves out non-positive fluxes and refuses too few positive ones", () => {
    const some = {
      tsoil: T.slice(0, 12),
      swc: W.slice(0, 12),
      flux: T.slice(0, 12).map((_, i) => (i < 5 ? 1 : 0)),
    };
    expect(fitQ10Log(some)).toBeNull();
  });
});

describe("fitOnHistory: the scale is chosen on validation, the chosen fit refitted on the whole history", () => {
  const pts = (n: number, level: number): FitPoints => ({
    tsoil: Array.from({ length: n }, (_, i) => i % 20),
    swc: Array.from({ length: n }, () => Number.NaN),
    flux: Array.from({ length: n }, (_, i) => level * 2 ** ((i % 20) / 10 - 1)),
  });
  const predict = (p: Record<string, number>, x: FitPoints, i: number) =>
    q10Model(p.r10!, p.q10!, x.tsoil[i]!);
  // Two variants that differ only in a fixed bias, so validation must prefer the unbiased one.
  const biased = (p: FitPoints) => {
    const f = fitQ10(p);
    return f && { ...f, params: { ...f.params, r10: f.params.r10! * 1.5 } };
  };
  it("keeps the variant with the lower validation error, whichever comes first", () => {
    const h = fitOnHistory(
      pts(60, 1),
      pts(20, 1),
      [
        { scale: "flux", fit: biased },
        { scale: "log", fit: fitQ10 },
      ],
      predict,
    )!;
    expect(h.scale).toBe("log");
    expect(h.validationMse.log).toBeLessThan(h.validationMse.flux);
  });
  it("refits on training + validation points, so a validation period at another level moves the fit", () => {
    const h = fitOnHistory(pts(60, 1), pts(60, 3), [{ scale: "flux", fit: fitQ10 }], predict)!;
    expect(h.fit.n).toBe(120);
    expect(h.fit.params.r10).toBeGreaterThan(1.5);
  });
  it("keeps the first variant when validation is too short to choose", () => {
    const h = fitOnHistory(
      pts(60, 1),
      pts(3, 1),
      [
        { scale: "flux", fit: biased },
        { scale: "log", fit: fitQ10 },
      ],
      predict,
    )!;
    expect(h.scale).toBe("flux");
  });
});

describe("baselines get the network's history: training and validation days", () => {
  // R10 = 1 on training days, 3 on validation days; test days never seen.
  const s = toySite({
    site: "v",
    length: 200,
    tsoil: seasonalT,
    flux: (t, ts) => q10Model(t < 100 ? 1 : 3, 2, ts),
  });
  const lab = Uint8Array.from({ length: 200 }, (_, t) =>
    t < 100 ? SPLIT.train : t < 150 ? SPLIT.val : SPLIT.test,
  );
  it("per-site Q10 and the climatology learn from the validation days too", () => {
    const q = BASELINES.find((x) => x.name === "q10")!.run([s], [lab]);
    expect(q.params[0]!.r10).toBeGreaterThan(1.1); // 1.0 from the training days alone
    expect(q.params[0]!.logScale === 0 || q.params[0]!.logScale === 1).toBe(true);
    const c = BASELINES.find((x) => x.name === "climatology")!.run([s], [lab]);
    const trainMean = s.target.slice(0, 100).reduce((a, b) => a + b, 0) / 100;
    expect(c.predictions[0]![199]).toBeGreaterThan(trainMean);
  });
});
