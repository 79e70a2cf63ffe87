// New-site errors: a site cross-validation run's out-of-fold predictions (as training writes them) line up with the dataset's days, warm-up and training-fold rows left out; a temporal or foreign run is refused; the interval fitted on them reads no test day and narrows below the pooled band when the median site needs it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelSchema } from "../core/model-schema.ts";
import { calibratePooledInterval } from "../core/network-interval.ts";
import type { SiteSeries } from "../training/dataset.ts";
import { newSitePairs, outOfFoldSeries } from "../training/new-site-errors.ts";
import { SPLIT, temporalSplit } from "../training/splits.ts";
import { writeSyntheticSeries } from "../training/synthetic-series.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-oof-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A run directory with config.json and predictions/synthetic-daily.parquet written by training's own writer. */
async function fakeRun(
  name: string,
  kind: "site-cv" | "temporal",
  sites: readonly SiteSeries[],
  labels: Uint8Array[],
  pred: Float32Array[],
  warmupDays: number,
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const config = { data: { dir: "out/daily" }, split: { kind } };
  await writeFile(join(dir, "config.json"), JSON.stringify({ config, provenance: { gitCommit: "x" } }));
  await writeSyntheticSeries(dir, sites, labels, pred, warmupDays);
  return dir;
}

/** A toy site starting `offset` days after 2020-01-01. */
function site(name: string, length: number, offset: number): SiteSeries {
  const s = toySite({ site: name, length, tsoil: seasonalT, flux: () => 2 });
  return { ...s, firstDay: s.firstDay + offset };
}

const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

describe("out-of-fold predictions of a site cross-validation", () => {
  const a = site("a", 10, 0);
  const b = site("b", 6, 3); // starts on 2020-01-04
  const labels = [new Uint8Array(10).fill(SPLIT.test), Uint8Array.from([3, 3, 3, 1, 1, 1])];
  const pred = [
    Float32Array.from({ length: 10 }, (_, t) => 1 + t),
    Float32Array.from({ length: 6 }, (_, t) => 20 + t),
  ];

  it("are placed on each site's own days; warm-up and training-fold rows are left out", async () => {
    const run = await fakeRun("cv", "site-cv", [a, b], labels, pred, 2);
    const [pa, pb] = await outOfFoldSeries(run, [a, b]);
    const show = (x: Float64Array) => Array.from(x, (v) => (Number.isNaN(v) ? null : v));
    expect(show(pa!)).toEqual([null, null, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(show(pb!)).toEqual([null, null, 22, null, null, null]);
  });

  it("are refused from a temporal run, whose predictions are of sites it trained on", async () => {
    const run = await fakeRun("temporal", "temporal", [a, b], labels, pred, 2);
    await expect(outOfFoldSeries(run, [a, b])).rejects.toThrow(/site cross-validation run/);
  });

  it("are refused from a run trained on other inputs than the model's", async () => {
    const run = await fakeRun("inputs", "site-cv", [a, b], labels, pred, 2);
    const spec = (name: string) => ({ name }) as ModelSchema["dynamic"][number];
    const schema = { dynamic: [spec("tsoil_mean")], static: [spec("latitude")] };
    await expect(outOfFoldSeries(run, [a, b], schema)).rejects.toThrow(/was trained on other inputs/);
  });

  it("are refused from a run of another dataset (fewer than half the sites predicted)", async () => {
    const run = await fakeRun("other", "site-cv", [a], [labels[0]!], [pred[0]!], 2);
    const others = ["c", "d", "e"].map((n) => site(n, 10, 0));
    await expect(outOfFoldSeries(run, [a, ...others])).rejects.toThrow(
      /predicts only 1 of the dataset's 4 sites/,
    );
  });
});

describe("the new-site interval fitted on out-of-fold errors", () => {
  const sites = Array.from({ length: 40 }, (_, i) => site(`s${i}`, 300 + 10 * i, i));
  const split = temporalSplit(sites, 0.3, 0.1);
  const u = rng(7);
  // predictions off by a factor exp(e), e uniform in ±1 (known 10-90% band: ±0.8) before the test period
  const pred = sites.map((s, i) =>
    Float64Array.from(s.target, (y, t) =>
      split[i]![t] === SPLIT.test ? y * 100 : y / Math.exp(2 * u() - 1),
    ),
  );

  it("reads no test day: predictions 100 times off there change nothing", () => {
    const { fit, check } = newSitePairs(sites, split, pred);
    const iv = calibratePooledInterval(fit, check)!;
    const blind = pred.map((p, i) => p.map((v, t) => (split[i]![t] === SPLIT.test ? Number.NaN : v)));
    const same = newSitePairs(sites, split, blind);
    expect(calibratePooledInterval(same.fit, same.check)).toEqual(iv);
    expect(iv.widening).toBe(1);
    expect(Math.log(iv.upper)).toBeCloseTo(0.8, 1);
    expect(Math.log(iv.lower)).toBeCloseTo(-0.8, 1);
  });

  it("fits on training days and chooses on validation days", () => {
    const { fit, check } = newSitePairs(sites, split, pred);
    sites.forEach((s, i) => {
      for (let t = 0; t < s.length; t++) {
        expect(Number.isNaN(fit[i]!.obs[t]!)).toBe(split[i]![t] !== SPLIT.train);
        expect(Number.isNaN(check[i]!.obs[t]!)).toBe(split[i]![t] !== SPLIT.val);
      }
    });
  });

  it("narrows below the pooled band (κ = 0.75) when the sites that err most set the pooled quantiles", () => {
    // 30 sites off by e ~ U(±1) (the median site is one of them), 20 by U(±2.13): the pooled 90% quantile is
    // about 1.07, so κ = 0.75 covers about 80% of a narrow site's days, κ = 1 all of them, κ = 0.5 about half
    const v = rng(11);
    const pairs = () =>
      Array.from({ length: 50 }, (_, i) => {
        const obs = Array.from({ length: 400 }, () => 2);
        return { obs, pred: obs.map((y) => y / Math.exp((i < 30 ? 1 : 2.13) * (2 * v() - 1))) };
      });
    expect(calibratePooledInterval(pairs(), pairs())!.widening).toBe(0.75);
  });
});
