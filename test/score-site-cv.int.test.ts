// Integration: `soilco2 score <site-cv run>` predicts each real COSORE site with the fold that held it out, run with the site's own early-day reference statistics, and scores it with the calibration and baselines on the same history.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosorePath } from "../ingest/cosore-path.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { parseTrainConfig } from "../training/config.ts";
import { loadDailyDataset, type SiteSeries } from "../training/dataset.ts";
import { buildExperiment } from "../training/experiment.ts";
import { loadMemberModel } from "../training/member-model.ts";
import { paramList } from "../training/model.ts";
import { predictSeries } from "../training/predict.ts";
import { foldDir, memberDirs, readNormaliser } from "../training/run-dir.ts";
import { runEvaluate } from "../training/run-evaluate.ts";
import { splitFolds } from "../training/run-train.ts";
import { scoreSiteCvRun } from "../training/score-site-cv.ts";
import { SPLIT, temporalSplit } from "../training/splits.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const run = promisify(execFile);
const SITES = ["d20190617_SCOTT_SRM", "d20200212_KAYE_LNE", "d20190409_ANJILELI", "d20190517_MAURITZ"];
let tmp: string;
let data: string;
let cv: string;
let sites: SiteSeries[];
const CONFIG = {
  split: { kind: "site-cv" as const, folds: 2 },
  features: { static: ["latitude", "elevation", "flux_ref", "flux_q10", "tsoil_ref"] },
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "soilco2-score-cv-"));
  data = join(tmp, "daily");
  cv = join(tmp, "cv");
  await runIngest({ cosore: cosorePath(), out: data, datasets: SITES });
  const config = parseTrainConfig({ ...CONFIG, data: { dir: data } });
  sites = (await loadDailyDataset(data, config.data.minFluxDays)).sites;
  // Two folds whose networks differ (seeds 1 and 2), laid out as `soilco2 train --split site-cv` lays them out.
  for (const f of splitFolds(sites, config)) {
    const dir = foldDir(cv, f.fold);
    await writeSyntheticRun(dir, {
      hidden: 6,
      seed: 1 + f.fold!,
      config: { ...CONFIG, data: { dir: data } },
    });
    await writeFile(
      join(dir, "fold.json"),
      JSON.stringify({ fold: f.fold, heldOut: f.heldOut.map((i) => sites[i]!.info.site) }),
    );
  }
  await writeSyntheticRun(join(tmp, "top"), { config: { ...CONFIG, data: { dir: data } } });
  await writeFile(join(cv, "config.json"), await readFile(join(tmp, "top", "config.json"), "utf8"));
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The fold network's series for every site, with reference statistics from `labels`' training days. */
async function foldSeries(fold: number, labels: Uint8Array[]): Promise<Float32Array[]> {
  const dir = foldDir(cv, fold);
  const config = parseTrainConfig({ ...CONFIG, data: { dir: data } });
  const ex = buildExperiment(sites, labels, config, await readNormaliser(dir));
  const model = await loadMemberModel(memberDirs(dir, 1)[0]!);
  const out = predictSeries(
    model.params,
    model.architecture,
    ex.prepared,
    ex.width,
    ex.normaliser.targetScale,
  );
  for (const v of paramList(model.params)) v.dispose();
  return out;
}

describe("soilco2 score on a site cross-validation run", () => {
  it("predicts each site with the fold that held it out, with the site's own training-day reference statistics", async () => {
    const outcome = await scoreSiteCvRun({ runDir: cv });
    const config = parseTrainConfig({ ...CONFIG, data: { dir: data } });
    const split = temporalSplit(sites, 0.3, 0.1);
    const noHistory = sites.map((s) => new Uint8Array(s.length).fill(SPLIT.test));
    const byFold = [await foldSeries(0, split), await foldSeries(1, split)];
    const withoutRefs = [await foldSeries(0, noHistory), await foldSeries(1, noHistory)];
    const lstm = outcome.models.find((m) => m.name === "lstm")!.series;
    for (const f of splitFolds(sites, config))
      for (const i of f.heldOut) {
        const other = 1 - f.fold!;
        expect(Array.from(lstm[i]!)).toEqual(Array.from(byFold[f.fold!]![i]!));
        expect(Array.from(lstm[i]!)).not.toEqual(Array.from(byFold[other]![i]!));
        expect(Array.from(lstm[i]!)).not.toEqual(Array.from(withoutRefs[f.fold!]![i]!));
      }
    // Scored on the temporal split's test days, against the per-site baselines on the same days.
    expect(outcome.labels.map((l) => l.filter((c) => c === SPLIT.test).length)).toEqual(
      split.map((l) => l.filter((c) => c === SPLIT.test).length),
    );
    const moist = outcome.evaluation.test.find((s) => s.set === "tsoil_swc")!;
    expect(moist.models.map((m) => m.model)).toEqual(
      expect.arrayContaining(["lstm_calibrated", "q10_moisture"]),
    );
  }, 120_000);

  it("prints the table from the CLI, and --on validation leaves the test days unscored", async () => {
    const { stdout } = await run(
      process.execPath,
      ["bin/soilco2.js", "score", cv, "--data", data, "--on", "validation"],
      { timeout: 120_000 },
    );
    expect(stdout).toContain("second half of the validation days");
    expect(stdout).toContain("| LSTM, fold that never saw the site (soilco2) |");
    const v = await scoreSiteCvRun({ runDir: cv, on: "validation" });
    const split = temporalSplit(sites, 0.3, 0.1);
    v.labels.forEach((l, i) => {
      l.forEach((c, t) => {
        if (split[i]![t] === SPLIT.test) expect(c).toBe(SPLIT.none);
      });
    });
  }, 120_000);

  it("the run's evaluation reports the same setting: a report section and summary.json rows", async () => {
    const direct = await scoreSiteCvRun({ runDir: cv });
    await runEvaluate({ runDir: cv });
    const report = await readFile(join(cv, "report.md"), "utf8");
    expect(report).toContain("## Sites new to the network, with their own history");
    expect(report).toContain("| LSTM, fold that never saw the site (soilco2) |");
    const summary = JSON.parse(await readFile(join(cv, "metrics", "summary.json"), "utf8"));
    const all = direct.evaluation.test.find((s) => s.set === "all")!;
    const row = summary[`test with the site's history: ${all.label}`];
    expect(row.lstm.medianKge).toBeCloseTo(all.models.find((m) => m.model === "lstm")!.medianKge, 3);
  }, 180_000);

  it("--card refuses a model whose inputs are not the run's, and a site-cv run without a model to write into", async () => {
    const cli = (extra: string[]) =>
      run(process.execPath, ["bin/soilco2.js", "score", cv, "--data", data, ...extra], {
        timeout: 120_000,
      }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
    const other = await cli(["--card", "models/soilco2-lstm/2"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("takes other inputs");
    const bare = await cli(["--card"]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("name the model the run stands for");
  }, 180_000);

  it("refuses a run whose folds hold out other sites than the dataset gives (another ingest output)", async () => {
    const fold0 = join(foldDir(cv, 0), "fold.json");
    const saved = await readFile(fold0, "utf8");
    await writeFile(fold0, JSON.stringify({ fold: 0, heldOut: ["elsewhere"] }));
    try {
      await expect(scoreSiteCvRun({ runDir: cv })).rejects.toThrow(/holds out other sites/);
    } finally {
      await writeFile(fold0, saved);
    }
    const temporal = join(tmp, "temporal");
    await writeSyntheticRun(temporal, { config: { data: { dir: data } } });
    await expect(scoreSiteCvRun({ runDir: temporal })).rejects.toThrow(/is a temporal run/);
  }, 60_000);
});
