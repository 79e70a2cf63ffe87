/** A site cross-validation run's out-of-fold predictions, aligned to the daily dataset: how the network errs on sites it never saw, for the interval of requests without reference statistics. */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { dayNumber } from "../core/dates.ts";
import { ArtefactError } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { SitePairs } from "../core/network-interval.ts";
import { sqlString } from "../ingest/sql.ts";
import type { SiteSeries } from "./dataset.ts";
import { RUN_FILES, readRunConfig } from "./run-dir.ts";
import { SPLIT, type SplitLabels } from "./splits.ts";
import { SYNTHETIC_FILES } from "./synthetic-series.ts";

/**
 * Per dataset site, [length] efflux (µmol m-2 s-1) that the fold holding the site out predicted for it; NaN on days
 * the run has no prediction for and on warm-up days (the first days of a series, while the LSTM state spins up: a
 * client's request is spun up before its first day, core/spin-up.ts). A site the run does not hold is all NaN.
 * @param runDir a finished `soilco2 train --split site-cv` run (its predictions/synthetic-daily.parquet)
 * @param schema the model the errors stand in for: the run must have been trained on the same inputs
 * @throws {ArtefactError} if the run is not a site cross-validation, was trained on other inputs than `schema`, has
 * no predictions, or predicts fewer than half of `sites` (a run on another ingest output)
 */
export async function outOfFoldSeries(
  runDir: string,
  sites: readonly SiteSeries[],
  schema?: Pick<ModelSchema, "dynamic" | "static">,
): Promise<Float64Array[]> {
  const { config } = await readRunConfig(runDir);
  if (config.split.kind !== "site-cv")
    throw new ArtefactError(
      runDir,
      `is a ${config.split.kind} run: its predictions are of sites the network trained on`,
      "pass a site cross-validation run (soilco2 train --split site-cv)",
    );
  const inputs = (dyn: readonly string[], st: readonly string[]) => `${dyn.join(",")} | ${st.join(",")}`;
  if (schema) {
    const model = inputs(
      schema.dynamic.map((f) => f.name),
      schema.static.map((f) => f.name),
    );
    const run = inputs(config.features.dynamic, config.features.static);
    if (model !== run)
      throw new ArtefactError(
        runDir,
        `was trained on other inputs (${run}) than the model (${model})`,
        "pass a site cross-validation run with the model's features",
      );
  }
  const file = join(runDir, RUN_FILES.predictions, SYNTHETIC_FILES.parquet);
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const reader = await con
      .runAndReadAll(
        `SELECT site, CAST(date AS VARCHAR) AS date, flux_modelled FROM read_parquet(${sqlString(file)})
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
    const matched = new Set<number>();
    cols.site.forEach((site, k) => {
      const i = index.get(site);
      if (i === undefined) return;
      const t = dayNumber(cols.date[k]!)! - sites[i]!.firstDay;
      if (t >= 0 && t < sites[i]!.length) {
        out[i]![t] = Number(cols.flux_modelled[k]);
        matched.add(i);
      }
    });
    if (matched.size < sites.length / 2)
      throw new ArtefactError(
        file,
        `predicts only ${matched.size} of the dataset's ${sites.length} sites`,
        "pass a site cross-validation run trained on this same ingest output",
      );
    return out;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/**
 * Observed/predicted pairs on the days of one period (other days NaN).
 * @param labels per site and day, e.g. the temporal split, or its validation days cut in halves
 *   (training/score-model.ts `secondHalfOfValidation`, where SPLIT.test marks the second half)
 * @param code the period's label in `labels`
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

/**
 * The new-site interval's days (core/network-interval.ts `calibratePooledInterval`): out-of-fold pairs on the
 * training days of the temporal split to fit, on its validation days to choose κ; its test days are never read.
 */
export function newSitePairs(
  sites: readonly SiteSeries[],
  split: SplitLabels,
  oof: readonly ArrayLike<number>[],
): { fit: SitePairs[]; check: SitePairs[] } {
  return {
    fit: periodPairs(sites, split, oof, SPLIT.train),
    check: periodPairs(sites, split, oof, SPLIT.val),
  };
}
