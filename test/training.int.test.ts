// Integration: ingest four real COSORE sites, train a tiny model for a few epochs, resume after a "kill" (bit-identical to an uninterrupted run), evaluate, refuse a broken run.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtefactError } from "../core/errors.ts";
import { cosorePath } from "../ingest/cosore-path.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { parseTrainConfig } from "../training/config.ts";
import { RUN_FILES } from "../training/run-dir.ts";
import { runEvaluate } from "../training/run-evaluate.ts";
import { runTrain } from "../training/run-train.ts";
import type { EpochRecord } from "../training/train-loop.ts";

const SITES = [
  "d20190415_VARNER",
  "d20200212_KAYE_LNE",
  "d20200423_SANCHEZ-CANETE",
  "d20190504_SAVAGE_hf006-05",
];
let tmp: string;
let data: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "soilco2-train-"));
  data = join(tmp, "daily");
  await runIngest({ cosore: cosorePath(), out: data, datasets: SITES });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const config = () =>
  parseTrainConfig({
    data: { dir: data },
    features: { static: ["latitude", "elevation", "flux_ref", "flux_q10", "tsoil_ref"] },
    model: { hidden: 16 },
    train: {
      epochs: 4,
      batchSize: 16,
      windowDays: 120,
      warmupDays: 30,
      strideDays: 60,
      learningRate: 0.005,
      patience: 10,
    },
  });

describe("training on real sites", () => {
  it("the loss falls, every artefact exists, and a killed run resumes from its checkpoint", async () => {
    const runDir = join(tmp, "run");
    const first = await runTrain({
      config: { ...config(), train: { ...config().train, epochs: 2 } },
      runDir,
    });
    expect(first.sites.map((s) => s.info.site).sort()).toEqual([...SITES].sort());
    // "Kill" after epoch 2: continue the same run to epoch 4 from its checkpoint.
    const cfgPath = join(runDir, RUN_FILES.config);
    const saved = JSON.parse(readFileSync(cfgPath, "utf8"));
    saved.config.train.epochs = 4;
    await (await import("../io/atomic-write.ts")).writeJsonAtomic(cfgPath, saved);
    const resumed = await runTrain({ resume: runDir });
    const history = JSON.parse(await readFile(join(runDir, RUN_FILES.history), "utf8")) as EpochRecord[];
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(history[3]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
    expect(resumed.folds[0]!.results[0]!.history).toHaveLength(4);
    // A restart from scratch would also lose loss; only a true resume is bit-identical to an uninterrupted run.
    const straight = join(tmp, "run-straight");
    await runTrain({ config: config(), runDir: straight });
    const losses = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, RUN_FILES.history), "utf8")) as EpochRecord[]).map((h) => [
        h.trainLoss,
        h.valLoss,
      ]);
    expect(losses(runDir)).toEqual(losses(straight));
    for (const f of ["model/weights.bin", "model/model.json"])
      expect(readFileSync(join(runDir, f)).equals(readFileSync(join(straight, f))), f).toBe(true);
    for (const f of [
      RUN_FILES.config,
      RUN_FILES.normaliser,
      "model/model.json",
      "model/weights.bin",
      "checkpoint/latest.json",
    ])
      expect(existsSync(join(runDir, f)), f).toBe(true);
    const provenance = saved.provenance;
    expect(provenance.dataSha256["daily.parquet"]).toMatch(/^[0-9a-f]{64}$/);

    const ev = await runEvaluate({ runDir, trained: resumed });
    expect(ev.evaluation.test.find((s) => s.set === "all")!.sites).toHaveLength(4);
    for (const f of [
      RUN_FILES.report,
      RUN_FILES.summary,
      "figures/medians.svg",
      "predictions/synthetic-daily.parquet",
      "golden-inputs.json",
    ])
      expect(existsSync(join(runDir, f)), f).toBe(true);
    const report = await readFile(join(runDir, RUN_FILES.report), "utf8");
    expect(report).toContain("## Headline");
    expect(report).toContain("Q10 × moisture");
    // The site-calibrated network is scored in every set, on the same sites as the network.
    for (const set of ev.evaluation.test) {
      const [net, cal] = ["lstm", "lstm_calibrated"].map((n) => set.models.find((m) => m.model === n)!);
      expect(cal!.sites).toBe(net!.sites);
    }
    expect(report).toContain("site-calibrated: KGE / NSE (good sites)");
    // The headroom table: one row per model and set; a recalibration can only add good sites.
    const headroom = report.split("## Headroom")[1]!.split("\n## ")[0]!;
    const rows = headroom.split("\n").filter((l) => l.startsWith("| all days |"));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [sites, , good, withLevel, withBoth] = row.split("|").slice(2, 7).map(Number);
      expect(withBoth).toBeGreaterThanOrEqual(good!);
      // NSE with the test level is 2αr − α² ≤ r², so a site good with the level (NSE > 0.5) has r > 0.71 and is good
      // with level and amplitude too.
      expect(withLevel).toBeLessThanOrEqual(withBoth!);
      expect(withBoth).toBeLessThanOrEqual(sites!);
    }
  }, 120_000);

  it("a seed ensemble trains each member, resumes each from its checkpoint, and is evaluated as their mean", async () => {
    const runDir = join(tmp, "run-ensemble");
    const cfg = { ...config(), train: { ...config().train, epochs: 2, members: 2 } };
    const trained = await runTrain({ config: cfg, runDir });
    const [m0, m1] = trained.folds[0]!.results;
    expect(trained.folds[0]!.results).toHaveLength(2);
    for (const k of [0, 1])
      for (const f of ["model/model.json", "checkpoint/latest.json", RUN_FILES.history])
        expect(existsSync(join(runDir, "members", `member-${k}`, f)), `member ${k} ${f}`).toBe(true);
    expect(existsSync(join(runDir, RUN_FILES.normaliser))).toBe(true);
    expect(m0!.history[0]!.trainLoss).not.toBe(m1!.history[0]!.trainLoss); // different seeds

    // Resume with one more epoch: every member continues from its own checkpoint.
    const cfgPath = join(runDir, RUN_FILES.config);
    const saved = JSON.parse(readFileSync(cfgPath, "utf8"));
    saved.config.train.epochs = 3;
    await (await import("../io/atomic-write.ts")).writeJsonAtomic(cfgPath, saved);
    const resumed = await runTrain({ resume: runDir });
    for (const r of resumed.folds[0]!.results) expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(resumed.folds[0]!.results[0]!.history[0]).toEqual(m0!.history[0]);

    // Evaluated from disk or from memory: the same members, the same mean.
    const ev = await runEvaluate({ runDir });
    const fromDisk = ev.evaluation.rows.find(
      (r) => r.set === "all" && r.model === "lstm" && r.split === "test",
    )!;
    const inMemory = await runEvaluate({ runDir, trained: resumed });
    const same = inMemory.evaluation.rows.find(
      (r) => r.set === "all" && r.model === "lstm" && r.split === "test" && r.site === fromDisk.site,
    )!;
    expect(same.metrics.nse).toBeCloseTo(fromDisk.metrics.nse, 5);
    const report = await readFile(join(runDir, RUN_FILES.report), "utf8");
    expect(report).toContain("seed ensemble of 2 networks");
  }, 120_000);

  it("evaluation refuses a run without its normaliser", async () => {
    const runDir = join(tmp, "run-broken");
    await runTrain({ config: { ...config(), train: { ...config().train, epochs: 1 } }, runDir });
    await rm(join(runDir, RUN_FILES.normaliser));
    await expect(runEvaluate({ runDir })).rejects.toThrow(ArtefactError);
    await expect(runEvaluate({ runDir })).rejects.toThrow(/normaliser/);
  }, 60_000);

  it("never overwrites a run directory", async () => {
    await expect(runTrain({ config: config(), runDir: join(tmp, "run") })).rejects.toThrow(
      /never overwritten/,
    );
  });
});
