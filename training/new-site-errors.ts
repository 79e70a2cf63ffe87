/** A site cross-validation run's out-of-fold predictions, aligned to the daily dataset: how the network errs on sites it never saw, for the interval of requests without reference statistics. */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { dayNumber } from "../core/dates.ts";
import { ArtefactError } from "../core/errors.ts";
import type { SitePairs } from "../core/network-interval.ts";
import type { SiteSeries } from "./dataset.ts";
import { RUN_FILES, readRunConfig } from "./run-dir.ts";
import type { SplitLabels } from "./splits.ts";
import { SYNTHETIC_FILES } from "./synthetic-series.ts";

/**
 * Per dataset site, [length] efflux (µmol m-2 s-1) that the fold holding the site out predicted for it; NaN on days
 * the run has no prediction for and on warm-up days (the first days of a series, while the LSTM state spins up: a
 * client's request is spun up before its first day, core/spin-up.ts). A site the run does not hold is all NaN.
 * @param runDir a finished `soilco2 train --split site-cv` run (its predictions/synthetic-daily.parquet)
 * @throws {ArtefactError} if the run is not a site cross-validation or has no predictions
 */
export async function outOfFoldSeries(runDir: string, sites: readonly SiteSeries[]): Promise<Float64Array[]> {
  const { config } = await readRunConfig(runDir);
  if (config.split.kind !== "site-cv")
    throw new ArtefactError(
      runDir,
      `is a ${config.split.kind} run: its predictions are of sites the network trained on`,
      "pass a site cross-validation run (soilco2 train --split site-cv)",
    );
  const file = join(runDir, RUN_FILES.predictions, SYNTHETIC_FILES.parquet);
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const reader = await con
      .runAndReadAll(
        `SELECT site, CAST(date AS VARCHAR) AS date, flux_modelled FROM read_parquet('${file.replaceAll("'", "''")}')
         WHERE split = 'test' AND NOT warmup AND flux_modelled IS NOT NULL`,
      )
      .catch((e: Error) => {
        throw new ArtefactError(
          file,
          `cannot be read (${e.message.split("\n")[0]})`,
          "re-run its evaluation",
        );
      });
    const cols = reader.getColumnsObjectJS() as { site: string[]; date: string[]; flux_modelled: number[] };
    const index = new Map(sites.map((s, i) => [s.info.site, i]));
    const out = sites.map((s) => new Float64Array(s.length).fill(Number.NaN));
    cols.site.forEach((site, k) => {
      const i = index.get(site);
      if (i === undefined) return;
      const t = dayNumber(cols.date[k]!)! - sites[i]!.firstDay;
      if (t >= 0 && t < sites[i]!.length) out[i]![t] = Number(cols.flux_modelled[k]);
    });
    return out;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/**
 * Observed/predicted pairs on the days of one period of the temporal split (other days NaN), e.g. its training
 * days to fit an interval and its validation days to choose κ; the split's test days are never read.
 * @param code SPLIT.train or SPLIT.val
 */
export function periodPairs(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  pred: readonly ArrayLike<number>[],
  code: number,
): SitePairs[] {
  return sites.map((s, i) => ({
    obs: s.target.map((y, t) => (labels[i]![t] === code ? y : Number.NaN)),
    pred: pred[i]!,
  }));
}
