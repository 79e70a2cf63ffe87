/** The run directory: file layout, and readers for the artefacts that evaluation and export require. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { ColumnStats } from "../core/normaliser.ts";
import { parseTrainConfig, type TrainConfig } from "./config.ts";
import { withoutRetiredOptions } from "./retired-options.ts";
import { readRunSchema } from "./run-schema.ts";
import { loadWeights, type WeightsFile } from "./weights-file.ts";

/** Paths inside a run directory. */
export const RUN_FILES = {
  config: "config.json",
  normaliser: "normaliser.json",
  /** The model schema the run is trained with (training/run-schema.ts). */
  schema: "schema.json",
  model: "model",
  checkpoint: "checkpoint",
  history: "history.json",
  log: "train.log",
  metrics: "metrics",
  summary: "metrics/summary.json",
  report: "report.md",
  figures: "figures",
  predictions: "predictions",
} as const;

/** Directory of a fold inside a run (the run itself for the temporal split). */
export function foldDir(runDir: string, fold: number | null): string {
  return fold === null ? runDir : join(runDir, "folds", `fold-${fold}`);
}

/**
 * Directories of a fold's ensemble members: the fold directory itself for a single network, else
 * `members/member-<k>` inside it. Each holds its `model/`, `checkpoint/` and `history.json`; the normaliser is the
 * fold's, shared by all members.
 */
export function memberDirs(foldDirectory: string, members: number): string[] {
  if (members === 1) return [foldDirectory];
  return Array.from({ length: members }, (_, k) => join(foldDirectory, "members", `member-${k}`));
}

/** The seeds of a run's networks as people read them: `42` for one network, `42-44` for an ensemble of three. */
export function memberSeedsLabel(train: TrainConfig["train"]): string {
  return train.members > 1 ? `${train.seed}-${train.seed + train.members - 1}` : String(train.seed);
}

export const NORMALISER_FORMAT = "soilco2-normaliser";

/** Where a run came from: stamped into config.json when the run starts. */
export interface Provenance {
  gitCommit: string | null;
  gitDirty: boolean | null;
  packageVersion: string;
  tfjsVersion: string;
  backend: string;
  node: string;
  createdAt: string;
  /** sha256 of daily.parquet and sites.parquet, so the training data can be identified. */
  dataSha256: Record<string, string>;
  /** COSORE citation of the data the run was trained on. */
  dataCitation: string;
}

/** The file `normaliser.json`: fitted on the training split only. */
export interface NormaliserFile {
  format: typeof NORMALISER_FORMAT;
  dynamicColumns: string[];
  staticColumns: string[];
  dynamic: ColumnStats;
  static: ColumnStats;
  targetScale: number;
  /** Sites and day counts the statistics were fitted on. */
  fittedOn: { sites: number; days: number };
}

/** Artefacts of a finished run, as evaluation and export need them. */
export interface RunArtefacts {
  dir: string;
  config: TrainConfig;
  provenance: Provenance;
  normaliser: NormaliserFile;
  /** The network's weights, one per ensemble member (`train.members`). */
  members: WeightsFile[];
  /** The schema the run was trained with (its `schema.json`; see training/run-schema.ts). */
  schema: ModelSchema;
  /** `rebuilt` for a run older than `schema.json`: the schema comes from today's feature catalog. */
  schemaSource: "run" | "rebuilt";
  /** metrics/summary.json, if the run was evaluated. */
  summary: Record<string, unknown> | null;
}

async function readJson(path: string, what: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ArtefactError(path, `${what} missing`, hint, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ArtefactError(path, `${what} is not valid JSON`, hint, { cause });
  }
}

/** Read and check `normaliser.json`. Evaluation and export refuse a run without it. */
export async function readNormaliser(runDir: string): Promise<NormaliserFile> {
  const path = join(runDir, RUN_FILES.normaliser);
  const n = (await readJson(
    path,
    "normaliser",
    "the normaliser is fitted on the training split when training starts; retrain the run",
  )) as NormaliserFile;
  if (n.format !== NORMALISER_FORMAT || !n.dynamic || !n.static || !(n.targetScale > 0))
    throw new ArtefactError(path, "not a soilco2 normaliser", "retrain the run with this version of soilco2");
  return n;
}

/**
 * Read the resolved config and provenance stamped into `config.json`; keys of removed options that hold the
 * behaviour left are dropped (training/retired-options.ts), so runs made before their removal still read.
 * @throws {ArtefactError} if the run used a removed option otherwise
 */
export async function readRunConfig(
  runDir: string,
): Promise<{ config: TrainConfig; provenance: Provenance }> {
  const path = join(runDir, RUN_FILES.config);
  const raw = (await readJson(path, "run config", "is this a run directory made by `soilco2 train`?")) as {
    config?: unknown;
    provenance?: Provenance;
  };
  if (!raw.provenance)
    throw new ArtefactError(path, "has no provenance", "retrain with this version of soilco2");
  return { config: parseTrainConfig(withoutRetiredOptions(raw.config, path)), provenance: raw.provenance };
}

/**
 * Read everything export needs from a finished run.
 * @throws {ArtefactError} naming the missing or corrupt file (normaliser, weights, config)
 */
export async function readRunArtefacts(runDir: string): Promise<RunArtefacts> {
  const { config, provenance } = await readRunConfig(runDir);
  if (config.split.kind !== "temporal")
    throw new ArtefactError(
      runDir,
      `is a ${config.split.kind} run: it measures how the model does on unseen sites, with one network per fold and none trained on every site, so there is no single model to export`,
      "export a temporal-split run (soilco2 train --split temporal)",
    );
  const normaliser = await readNormaliser(runDir);
  const members = await Promise.all(
    memberDirs(runDir, config.train.members).map((d) => loadWeights(join(d, RUN_FILES.model))),
  );
  const { schema, source: schemaSource } = await readRunSchema(runDir, config, normaliser);
  let summary: Record<string, unknown> | null = null;
  try {
    summary = JSON.parse(await readFile(join(runDir, RUN_FILES.summary), "utf8"));
  } catch {
    summary = null;
  }
  return { dir: runDir, config, provenance, normaliser, members, schema, schemaSource, summary };
}
