// New-site errors: a site cross-validation run's out-of-fold predictions line up with the dataset's days (warm-up and training-fold rows left out), a temporal run is refused, and the interval fitted on them covers what it should.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { intervalCoverage } from "../core/interval.ts";
import { calibratePooledInterval } from "../core/network-interval.ts";
import { outOfFoldSeries, periodPairs } from "../training/new-site-errors.ts";
import { SPLIT, temporalSplit } from "../training/splits.ts";
import { duck } from "./helpers/batch-fixtures.ts";
import { toySite } from "./helpers/toy-sites.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-oof-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A run directory holding only what outOfFoldSeries reads: config.json and predictions/synthetic-daily.parquet. */
async function fakeRun(name: string, kind: "site-cv" | "temporal", csvRows: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, "predictions"), { recursive: true });
  const config = { data: { dir: "out/daily" }, split: { kind } };
  await writeFile(join(dir, "config.json"), JSON.stringify({ config, provenance: { gitCommit: "x" } }));
  const csv = join(dir, "rows.csv");
  await writeFile(csv, ["site,date,flux_modelled,split,warmup", ...csvRows].join("\n"));
  await duck(
    `COPY (SELECT site, CAST(date AS DATE) AS date, flux_modelled, split, warmup FROM read_csv('${csv}', types={'warmup': 'BOOLEAN'}))
     TO '${join(dir, "predictions", "synthetic-daily.parquet")}' (FORMAT parquet)`,
  );
  return dir;
}

describe("out-of-fold predictions of a site cross-validation", () => {
  const sites = [
    toySite({ site: "a", length: 10, flux: () => 2 }),
    toySite({ site: "b", length: 5, flux: () => 3 }),
  ];

  it("are placed on each site's own days; warm-up, training-fold and unknown-site rows are left out", async () => {
    const run = await fakeRun("cv", "site-cv", [
      "a,2020-01-01,9,test,true", // warm-up
      "a,2020-01-02,1.5,test,false",
      "a,2020-01-10,2.5,test,false",
      "b,2020-01-03,3.5,test,false",
      "b,2020-01-04,7,train,false", // the fold that trained on b: not a new-site error
      "zz,2020-01-01,1,test,false",
    ]);
    const [a, b] = await outOfFoldSeries(run, sites);
    expect(Array.from(a!).map((v) => (Number.isNaN(v) ? null : v))).toEqual([
      null,
      1.5,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      2.5,
    ]);
    expect(Array.from(b!).map((v) => (Number.isNaN(v) ? null : v))).toEqual([null, null, 3.5, null, null]);
  });

  it("are refused from a temporal run, whose predictions are of sites it trained on", async () => {
    const run = await fakeRun("temporal", "temporal", ["a,2020-01-02,1.5,test,false"]);
    await expect(outOfFoldSeries(run, sites)).rejects.toThrow(/site cross-validation run/);
  });
});

describe("the new-site interval fitted on out-of-fold errors", () => {
  it("uses only days before the test period and covers about 80% of later days when errors keep their spread", () => {
    // 40 sites, 400 days each; predictions off by a factor exp(e), e uniform in ±1 (known 10-90% band: ±0.8)
    const sites = Array.from({ length: 40 }, (_, i) =>
      toySite({ site: `s${i}`, length: 400, flux: () => 2, observed: () => true }),
    );
    const labels = temporalSplit(sites, 0.3, 0.1);
    let seed = 7;
    const u = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pred = sites.map((s, i) =>
      Float64Array.from(s.target, (y, t) =>
        labels[i]![t] === SPLIT.test ? Number.NaN : y / Math.exp(2 * u() - 1),
      ),
    );
    const fit = periodPairs(sites, labels, pred, SPLIT.train);
    const check = periodPairs(sites, labels, pred, SPLIT.val);
    expect(
      fit.every((p) => Array.from(p.obs).every((y, t) => Number.isNaN(y) || labels[0]![t] === SPLIT.train)),
    ).toBe(true);
    const iv = calibratePooledInterval(fit, check)!;
    expect(iv.widening).toBe(1);
    expect(Math.log(iv.upper)).toBeCloseTo(0.8, 1);
    expect(Math.log(iv.lower)).toBeCloseTo(-0.8, 1);
    // later days with the same error spread
    const obs = Array.from({ length: 2000 }, () => 2);
    const later = obs.map((y) => y / Math.exp(2 * u() - 1));
    expect(intervalCoverage(obs, later, iv)).toBeGreaterThan(0.75);
    expect(intervalCoverage(obs, later, iv)).toBeLessThan(0.85);
  });

  it("narrows below the pooled quantiles (κ < 1) when a few sites err far more than the median site", () => {
    let seed = 11;
    const u = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // 30 sites off by up to a factor e^0.5, 20 by up to e^3: the pooled band is set by the 20
    const pairs = (n: number) =>
      Array.from({ length: 50 }, (_, i) => {
        const obs = Array.from({ length: n }, () => 2);
        return { obs, pred: obs.map((y) => y / Math.exp((i < 30 ? 1 : 6) * (u() - 0.5))) };
      });
    const iv = calibratePooledInterval(pairs(100), pairs(100))!;
    expect(iv.widening).toBeLessThan(1);
  });
});
