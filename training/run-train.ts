/** `soilco2 train` as a function: make the run directory, stamp provenance, split, fit the normaliser, train each fold. */
import { access, mkdir, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ArtefactError } from "../core/errors.ts";
import { seededRng } from "../core/random.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { type BackendName, describeBackend, selectBackend } from "./backend.ts";
import type { TrainConfig } from "./config.ts";
import { loadDailyDataset, type SiteSeries } from "./dataset.ts";
import { buildExperiment, type Experiment } from "./experiment.ts";
import { collectProvenance } from "./provenance.ts";
import { foldDir, memberDirs, RUN_FILES, readNormaliser, readRunConfig } from "./run-dir.ts";
import { writeRunSchema } from "./run-schema.ts";
import { type SplitLabels, siteCvSplit, siteFolds, temporalSplit } from "./splits.ts";
import { type TrainHooks, type TrainResult, trainModel } from "./train-loop.ts";

export interface TrainOptions {
  /** Resolved config (ignored when resuming: the run's own config is used). */
  config?: TrainConfig;
  /** Where to create the run; default `runs/<timestamp>-<split>`. Must not exist or be empty. */
  runDir?: string;
  /** Resume the run in this directory from its last checkpoint. */
  resume?: string;
  backend?: BackendName;
  /** Per fold and ensemble member (`member` 0-based, of `members`; 0 of 1 without an ensemble). */
  hooks?: (fold: number | null, experiment: Experiment, member: number, members: number) => TrainHooks;
  log?: (line: string) => void;
}

/** A fold of an experiment: its directory, labels and trained result. */
export interface FoldRun {
  fold: number | null;
  dir: string;
  labels: SplitLabels;
  heldOut: number[];
  experiment: Experiment;
  /** One per ensemble member (`train.members`), in member order. */
  results: TrainResult[];
}

export interface TrainOutcome {
  runDir: string;
  config: TrainConfig;
  sites: SiteSeries[];
  excluded: { site: string; reason: string }[];
  folds: FoldRun[];
  backend: string;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** The run directory a new run gets when none is given: `runs/<timestamp>-<split>`. */
export function defaultRunDir(config: TrainConfig): string {
  return resolve(join("runs", `${timestamp()}-${config.split.kind}`));
}

/** Refuse a non-empty run directory; true when it does not exist yet. */
async function checkFreshDir(dir: string): Promise<boolean> {
  try {
    await access(dir);
  } catch {
    return true;
  }
  if ((await readdir(dir)).length > 0)
    throw new ArtefactError(
      dir,
      "run directory exists and is not empty",
      "runs are never overwritten: choose another --run-dir, or --resume it",
    );
  return false;
}

/** True when some network under `dir` has written a checkpoint (the run can be resumed). */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.some((e) => e.endsWith(join(RUN_FILES.checkpoint, "latest.json")));
}

/** Label sets of the split: one for the temporal split, one per fold for site cross-validation. */
export function splitFolds(
  sites: readonly SiteSeries[],
  config: TrainConfig,
): { fold: number | null; labels: SplitLabels; heldOut: number[] }[] {
  const { split } = config;
  if (split.kind === "temporal")
    return [{ fold: null, labels: temporalSplit(sites, split.testFraction, split.valFraction), heldOut: [] }];
  const folds = siteFolds(sites.length, split.folds, seededRng(config.train.seed));
  return folds.map((heldOut, k) => ({
    fold: k,
    labels: siteCvSplit(sites, heldOut, split.valFraction),
    heldOut,
  }));
}

/** The config member `k` of an ensemble trains with: the run's, with seed `train.seed + k`. */
export function memberConfig(config: TrainConfig, k: number): TrainConfig {
  return k === 0 ? config : { ...config, train: { ...config.train, seed: config.train.seed + k } };
}

/**
 * Train a run (or resume one). Every fold writes its normaliser before training starts; every network (one per fold,
 * or `train.members` per fold) its best weights to `model/` and a checkpoint per epoch (see {@link memberDirs}).
 */
export async function runTrain(opts: TrainOptions): Promise<TrainOutcome> {
  const log = opts.log ?? (() => {});
  const backend = await selectBackend(opts.backend);
  log(describeBackend(backend));
  let runDir: string;
  let config: TrainConfig;
  if (opts.resume) {
    runDir = resolve(opts.resume);
    ({ config } = await readRunConfig(runDir));
    log(`resuming ${runDir}`);
  } else {
    if (!opts.config) throw new Error("runTrain needs a config or a run to resume");
    config = opts.config;
    runDir = resolve(opts.runDir ?? defaultRunDir(config));
  }
  // a new run's directory appears only once its data loads, and goes again if it fails before its first checkpoint
  const fresh = opts.resume ? false : await checkFreshDir(runDir);
  const { sites, excluded } = await loadDailyDataset(config.data.dir, config.data.minFluxDays);
  try {
    return await trainFolds(opts, runDir, config, sites, excluded, backend.name, log);
  } catch (err) {
    if (!opts.resume && !(await hasCheckpoint(runDir)))
      await (fresh ? rm(runDir, { recursive: true, force: true }) : emptyDir(runDir));
    throw err;
  }
}

async function emptyDir(dir: string): Promise<void> {
  for (const e of await readdir(dir).catch(() => [] as string[]))
    await rm(join(dir, e), { recursive: true, force: true });
}

async function trainFolds(
  opts: TrainOptions,
  runDir: string,
  config: TrainConfig,
  sites: SiteSeries[],
  excluded: TrainOutcome["excluded"],
  backendName: BackendName,
  log: (line: string) => void,
): Promise<TrainOutcome> {
  if (!opts.resume) {
    await mkdir(runDir, { recursive: true });
    await writeJsonAtomic(join(runDir, RUN_FILES.config), {
      config,
      provenance: await collectProvenance(config.data.dir, backendName),
    });
    log(`run directory ${runDir}`);
  }
  log(`${sites.length} sites with ≥ ${config.data.minFluxDays} flux days; ${excluded.length} left out`);
  await writeJsonAtomic(join(runDir, "sites.json"), {
    used: sites.map((s) => ({ site: s.info.site, fluxDays: s.fluxDays, days: s.length, igbp: s.info.igbp })),
    excluded,
  });

  const folds: FoldRun[] = [];
  for (const f of splitFolds(sites, config)) {
    const dir = foldDir(runDir, f.fold);
    await mkdir(dir, { recursive: true });
    let experiment: Experiment;
    let resumed = false;
    if (opts.resume) {
      try {
        experiment = buildExperiment(sites, f.labels, config, await readNormaliser(dir));
        resumed = true;
      } catch {
        experiment = buildExperiment(sites, f.labels, config);
      }
    } else experiment = buildExperiment(sites, f.labels, config);
    if (!resumed) await writeJsonAtomic(join(dir, RUN_FILES.normaliser), experiment.normaliser);
    // the contract export will publish, fixed now: a later catalog edit cannot change what this run was trained on
    const schemaSaved =
      resumed &&
      (await access(join(dir, RUN_FILES.schema)).then(
        () => true,
        () => false,
      ));
    if (!schemaSaved) await writeRunSchema(dir, config, experiment.normaliser);
    if (f.fold !== null) {
      await writeJsonAtomic(join(dir, "fold.json"), {
        fold: f.fold,
        heldOut: f.heldOut.map((i) => sites[i]!.info.site),
      });
      log(`fold ${f.fold + 1}/${config.split.folds}: ${f.heldOut.length} sites held out`);
    }
    const results: TrainResult[] = [];
    const dirs = memberDirs(dir, config.train.members);
    for (const [k, memberDir] of dirs.entries()) {
      if (dirs.length > 1)
        log(`ensemble member ${k + 1}/${dirs.length} (seed ${memberConfig(config, k).train.seed})`);
      await mkdir(memberDir, { recursive: true });
      const hooks = opts.hooks?.(f.fold, experiment, k, dirs.length) ?? {};
      const result = await trainModel(experiment, memberConfig(config, k), memberDir, hooks);
      await writeJsonAtomic(join(memberDir, RUN_FILES.history), result.history);
      results.push(result);
    }
    folds.push({ fold: f.fold, dir, labels: f.labels, heldOut: f.heldOut, experiment, results });
  }
  return { runDir, config, sites, excluded, folds, backend: tf.getBackend() };
}
