// Site calibration: selection days, blend weights with known answers, per-day application, and one answer for the request path and training.
import { describe, expect, it } from "vitest";
import { calibrateSite } from "../core/calibrate-request.ts";
import { isoDate } from "../core/dates.ts";
import { q10Model, q10MoistureModel } from "../core/process-models/models.ts";
import { applyBlends, calibrateBlends, type SiteBlends, selectionDays } from "../core/site-calibration.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { calibratedSeries } from "../training/calibrated-series.ts";
import { derivedStatics } from "../training/experiment.ts";
import { SPLIT } from "../training/splits.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

const N = 350;
const tsoil = Array.from({ length: N }, (_, t) => seasonalT(t));
const swc = Array.from({ length: N }, (_, t) => 0.15 + 0.1 * Math.sin(t / 11));
const truth = tsoil.map((ts, t) => q10MoistureModel(1.5, 2.2, 6, -12, ts, swc[t]!));

describe("selectionDays", () => {
  it("marks the last 1/7 of the measured days, skipping days without efflux", () => {
    const flux = Array.from({ length: 20 }, (_, t) => (t % 2 ? Number.NaN : 1)); // 10 measured days
    const sel = selectionDays(flux);
    expect(sel.filter(Boolean)).toHaveLength(1); // floor(10 / 7)
    expect(sel[18]).toBe(true);
    expect(sel[19]).toBe(false);
  });
});

describe("calibrateBlends: weights with known answers", () => {
  it("gives the process model the whole weight where it is exact and the network is flat", () => {
    const b = calibrateBlends({ flux: truth, tsoil, swc }, new Float32Array(N).fill(2));
    expect(b.moisture!.weight).toBe(0);
    expect(b.moisture!.fit.params.q10).toBeCloseTo(2.2, 3);
  });
  it("keeps the network where it is exact and the process models cannot follow", () => {
    const flux = truth.map((y, t) => y * (1 + 0.6 * Math.sin(t / 3)));
    const b = calibrateBlends({ flux, tsoil, swc }, Float32Array.from(flux));
    expect(b.moisture!.weight).toBe(1);
    expect(b.temperature!.weight).toBe(1);
  });
  it("has no blends without soil temperature", () => {
    const none = new Array(N).fill(Number.NaN);
    expect(calibrateBlends({ flux: truth, tsoil: none, swc }, Float32Array.from(truth))).toEqual({
      temperature: null,
      moisture: null,
    });
  });
});

describe("applyBlends", () => {
  const b: SiteBlends = {
    temperature: { fit: { model: "q10", scale: "flux", params: { r10: 1, q10: 2 } }, weight: 0.5 },
    moisture: {
      fit: { model: "q10_moisture", scale: "log", params: { r10: 2, q10: 2, c1: 0, c2: 0 } },
      weight: 0,
    },
  };
  it("uses the moisture blend where both drivers exist, the temperature blend with soil temperature, else the network", () => {
    const y = applyBlends([4, 4, 4], [10, 10, Number.NaN], [0.2, Number.NaN, 0.2], b);
    expect(Array.from(y)).toEqual([2, 0.5 * 4 + 0.5 * q10Model(1, 2, 10), 4]);
  });
});

describe("one calibration for the request path (CLI, HTTP) and training's evaluation", () => {
  it("gives the same reference statistics and blends for the same days and network", async () => {
    const { schema } = await readModelDir("models/soilco2-lstm/2");
    const flux = truth.map((y, t) => y * (1 + 0.3 * Math.sin(t / 5)));
    const site = toySite({
      site: "cal",
      length: N,
      tsoil: (t) => tsoil[t]!,
      swc: (t) => swc[t]!,
      flux: (t) => flux[t]!,
    });
    const network = Float32Array.from(truth, (y, t) => y * (1 + 0.2 * Math.cos(t / 7)));
    const sel = selectionDays(flux);
    const labels = Uint8Array.from(sel, (s) => (s ? SPLIT.val : SPLIT.train));
    const training = calibratedSeries([site], [labels], [network]).blends[0]!;
    const cal = await calibrateSite(
      {
        site: {
          id: "cal",
          start: isoDate(site.firstDay),
          static: { latitude: 45, igbp: "DBF" },
          drivers: {
            tsoil_mean: Array.from(site.drivers.tsoil_mean!),
            swc_mean: Array.from(site.drivers.swc_mean!),
          },
        },
        flux_mean: Array.from(site.target),
      },
      schema,
      { name: "soilco2-lstm", version: "test", sha256: "a".repeat(64) },
      async (e) => {
        expect(e.static[schema.static.findIndex((f) => f.name === "flux_ref")]).toBeGreaterThan(0);
        return network;
      },
    );
    expect(cal.blends).toEqual(training);
    const ref = derivedStatics(site, labels);
    for (const [k, v] of Object.entries(cal.reference)) expect(v).toBeCloseTo(ref[k]!, 4);
    expect(cal.period).toEqual({
      from: "2020-01-01",
      to: isoDate(site.firstDay + N - 1),
      days: N,
      selectionFrom: isoDate(site.firstDay + sel.indexOf(true)),
    });
  });
});

describe("applySiteCalibration", () => {
  it("blends a request's answer per date and refuses a calibration fitted for another model version", async () => {
    const { applySiteCalibration } = await import("../core/calibrate-request.ts");
    const { encodeSite } = await import("../core/request.ts");
    const { schema } = await readModelDir("models/soilco2-lstm/2");
    const site = encodeSite(
      {
        dates: ["2020-01-01", "2020-01-03"],
        static: { latitude: 45 },
        drivers: { tsoil_mean: [10, 10], swc_mean: [0.2, null] },
      },
      schema,
    );
    const cal = {
      model: { name: "soilco2-lstm", version: "v", sha256: "a".repeat(64) },
      blends: {
        temperature: {
          fit: { model: "q10" as const, scale: "flux" as const, params: { r10: 1, q10: 2 } },
          weight: 0.5,
        },
        moisture: {
          fit: {
            model: "q10_moisture" as const,
            scale: "flux" as const,
            params: { r10: 3, q10: 2, c1: 0, c2: 0 },
          },
          weight: 0,
        },
      },
    };
    const same = { name: "soilco2-lstm", version: "2", sha256: "a".repeat(64) };
    expect(applySiteCalibration(site, [2, 2], schema, cal, same)).toEqual([3, 1.5]);
    expect(() =>
      applySiteCalibration(site, [2, 2], schema, cal, { ...same, sha256: "b".repeat(64) }),
    ).toThrow(/fitted for soilco2-lstm v \(sha256 aaaaaaaaaaaa…\), not soilco2-lstm 2 \(bbbbbbbbbbbb…\)/);
  });
});

describe("fitRatioInterval: a synthetic case with a known answer", () => {
  it("recovers the 10% and 90% quantiles of a known multiplicative error, and covers 80% of new days", async () => {
    const { fitRatioInterval, intervalCoverage } = await import("../core/interval.ts");
    // ln(obs/pred) uniform on [-0.5, 0.5]: its 10% and 90% quantiles are -0.4 and 0.4.
    const n = 2001;
    const pred = Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const obs = pred.map((p, i) => p * Math.exp(-0.5 + i / (n - 1)));
    const iv = fitRatioInterval(obs, pred, 1)!;
    expect(Math.log(iv.lower)).toBeCloseTo(-0.4, 3);
    expect(Math.log(iv.upper)).toBeCloseTo(0.4, 3);
    expect(intervalCoverage(obs, pred, iv)).toBeCloseTo(0.8, 2);
    const wide = fitRatioInterval(obs, pred, 1.5)!; // widened about the median (0): ±0.6
    expect(Math.log(wide.upper)).toBeCloseTo(0.6, 3);
    expect(fitRatioInterval(obs.slice(0, 19), pred.slice(0, 19))).toBeNull();
  });
});
