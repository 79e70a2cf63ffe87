/** The training configuration: one strict schema (unknown keys are errors), defaults, and flag overrides. */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { DEFAULT_DYNAMIC, DEFAULT_STATIC } from "../core/make-schema.ts";
import { HEADS } from "../heads/registry.ts";
import { retiredOptionHint } from "./retired-options.ts";

export const trainConfigZ = z.strictObject({
  data: z.strictObject({
    /** Output directory of `soilco2 ingest` (holds daily.parquet and sites.parquet). */
    dir: z.string().min(1),
    /** Sites need at least this many days with an observed daily flux to take part. */
    minFluxDays: z.number().int().positive().default(30),
  }),
  features: z
    .strictObject({
      dynamic: z
        .array(z.string())
        .min(1)
        .default([...DEFAULT_DYNAMIC]),
      static: z.array(z.string()).default([...DEFAULT_STATIC]),
    })
    .prefault({}),
  split: z
    .strictObject({
      /** `temporal`: the paper's split, by time within each site. `site-cv`: k-fold with whole sites held out. */
      kind: z.enum(["temporal", "site-cv"]).default("temporal"),
      /** Temporal split: share of each site's observed days, taken from the end, used as test. */
      testFraction: z.number().gt(0).lt(1).default(0.3),
      /** Temporal split: share of each site's observed days just before the test period, used for early stopping. */
      valFraction: z.number().gt(0).lt(1).default(0.1),
      /** Site cross-validation: number of folds. */
      folds: z.number().int().min(2).default(5),
    })
    .prefault({}),
  model: z
    .strictObject({
      hidden: z.number().int().positive().default(64),
      /** Dropout on the LSTM output before the head, while training. */
      dropout: z.number().min(0).lt(1).default(0.1),
    })
    .prefault({}),
  train: z
    .strictObject({
      epochs: z.number().int().positive().default(60),
      batchSize: z.number().int().positive().default(32),
      learningRate: z.number().positive().default(1e-3),
      /** Days per training window, warm-up included. */
      windowDays: z.number().int().positive().default(270),
      /** Days at the start of each window that feed the LSTM state but carry no loss. */
      warmupDays: z.number().int().nonnegative().default(90),
      /** Step between window starts, days. */
      strideDays: z.number().int().positive().default(45),
      /** Stop after this many epochs without a better validation loss. */
      patience: z.number().int().positive().default(15),
      /** Clip the global gradient norm to this value. */
      clipNorm: z.number().positive().default(1),
      /** Per window, probability of hiding each maskable site attribute (e.g. flux_ref, MAT). */
      attributeDropout: z.number().min(0).lt(1).default(0.25),
      seed: z.number().int().default(42),
      /**
       * Seed ensemble: networks trained on the same split and normaliser with seeds seed, seed + 1, …; the model's
       * output is their mean (in evaluation and in the exported ONNX graph).
       */
      members: z.number().int().min(1).max(10).default(1),
      /**
       * Threads per training step (synchronous data parallel: each takes a share of the batch, gradients summed).
       * Results are repeatable for a given seed and worker count; 1 trains in the calling thread only.
       */
      workers: z.number().int().min(1).max(16).default(2),
    })
    .prefault({}),
});

/** A fully resolved training configuration. */
export type TrainConfig = z.infer<typeof trainConfigZ>;
/** What a user writes: every key but `data.dir` optional. */
export type TrainConfigInput = z.input<typeof trainConfigZ>;

/**
 * Validate a config object; unknown keys and wrong types are errors naming the key.
 * @throws {ConfigError}
 */
export function parseTrainConfig(value: unknown): TrainConfig {
  const r = trainConfigZ.safeParse(value);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const at = i.path.join(".");
      const retired =
        i.code === "unrecognized_keys" ? i.keys.map((k) => retiredOptionHint(`${at}.${k}`)) : [];
      if (retired.length > 0 && retired.every(Boolean)) return retired.join("; ");
      return `${at || "(root)"}: ${i.message}`;
    });
    throw new ConfigError(`invalid training config: ${msgs.join("; ")}`);
  }
  const c = r.data;
  if (c.train.warmupDays >= c.train.windowDays)
    throw new ConfigError(
      `train.warmupDays (${c.train.warmupDays}) must be below train.windowDays (${c.train.windowDays})`,
    );
  for (const [block, names] of [
    ["dynamic", HEADS.prior.needs.dynamic],
    ["static", HEADS.prior.needs.static],
  ] as const)
    for (const n of names)
      if (!c.features[block].includes(n))
        throw new ConfigError(
          `the network's output head (the site's Q10 prior) needs ${n} among features.${block}`,
          `add ${n} to features.${block}`,
        );
  if (c.split.testFraction + c.split.valFraction >= 0.9)
    throw new ConfigError(
      "split.testFraction + split.valFraction must leave at least 10% of days for training",
    );
  return c;
}

/** Read a JSON config file. @throws {ConfigError} if unreadable or invalid */
export async function readTrainConfig(path: string): Promise<TrainConfigInput> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`, "give a JSON file");
  }
}

/**
 * Apply `key.path=value` overrides (from `--set`) to a config object; values are parsed as JSON when they can be.
 * @example applyOverrides({}, ["train.epochs=5"]) // { train: { epochs: 5 } }
 */
export function applyOverrides(
  base: TrainConfigInput | Record<string, unknown>,
  sets: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq < 1) throw new ConfigError(`override "${s}" is not key.path=value`);
    const keys = s.slice(0, eq).split(".");
    const raw = s.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let node = out;
    keys.slice(0, -1).forEach((k) => {
      if (typeof node[k] !== "object" || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    });
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}
