/** The training loop: shuffled windows, masked loss, Adam with gradient clipping, validation, early stopping, checkpoints. */
import * as tf from "@tensorflow/tfjs";
import { STATIC_FEATURES } from "../core/features.ts";
import { inputLayout } from "../core/input-layout.ts";
import { pickFeatures } from "../core/make-schema.ts";
import { median, nse } from "../core/metrics.ts";
import { seededRng, shuffled } from "../core/random.ts";
import { buildArchitecture } from "./architecture.ts";
import type { BackendName } from "./backend.ts";
import { type LoopState, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import type { Experiment } from "./experiment.ts";
import { type Architecture, initParams, type ModelParams } from "./model.ts";
import { createGradPool } from "./parallel/data-parallel.ts";
import { SPLIT } from "./splits.ts";
import { assignWeights, loadWeights, saveWeights } from "./weights-file.ts";
import { augmentationColumns, trainingBatch, trainingWindows } from "./windows.ts";

/** One epoch's record in history.json. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valMedianNse: number;
  seconds: number;
  /** Supervised site-days seen this epoch (each window day with a loss weight counts once). */
  supervisedDays: number;
}

/** Callbacks the CLI uses to draw progress. */
export interface TrainHooks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(epoch: number, batch: number, batches: number, runningLoss: number): void;
  onEpochEnd?(record: EpochRecord, improved: boolean): void;
}

export interface TrainResult {
  params: ModelParams;
  architecture: Architecture;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** Weighted loss and median NSE of full-series predictions on days labelled `label`. */
export function seriesLoss(
  exp: Experiment,
  series: readonly Float32Array[],
  label: number,
): { loss: number; medianNse: number } {
  let sum = 0;
  let n = 0;
  const nses: number[] = [];
  exp.sites.forEach((s, i) => {
    const lab = exp.labels[i]!;
    const obs: number[] = [];
    const sim: number[] = [];
    for (let t = 0; t < s.length; t++) {
      if (lab[t] !== label || Number.isNaN(s.target[t]!)) continue;
      const y = exp.targets[i]![t]!;
      const p = series[i]![t]! / exp.normaliser.targetScale;
      sum += exp.siteWeights[i]! * (p - y) ** 2;
      n++;
      obs.push(s.target[t]!);
      sim.push(series[i]![t]!);
    }
    if (obs.length >= 2) nses.push(nse(obs, sim));
  });
  return { loss: n > 0 ? sum / n : Number.NaN, medianNse: median(nses) };
}

/**
 * The series validation needs: each site's inputs cut after its last validation day (the LSTM is causal, so its
 * validation days come out as in the full series) and sites without validation days left out (held-out sites in
 * site cross-validation; the test period in the temporal split), so an epoch's check costs only what it scores.
 * @param run predictSeries over a list of prepared inputs ([length × width] each)
 * @returns per site, [days up to its last validation day] efflux, µmol m-2 s-1 (empty without validation days)
 */
export async function validationSeries(
  exp: Experiment,
  run: (inputs: Float32Array[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const ends = exp.labels.map((lab) => lab.lastIndexOf(SPLIT.val) + 1);
  const used = ends.flatMap((end, i) => (end > 0 ? [i] : []));
  const out: Float32Array[] = exp.labels.map(() => new Float32Array(0));
  const series = await run(used.map((i) => exp.prepared[i]!.subarray(0, ends[i]! * exp.width)));
  used.forEach((i, k) => {
    out[i] = series[k]!;
  });
  return out;
}

function globalNormClip(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = Math.sqrt(tf.addN(sq).dataSync()[0]!);
    if (!(norm > clipNorm))
      return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.clone(g)]));
    const f = clipNorm / norm;
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, f)]));
  });
}

/**
 * Train on the experiment's training days, validating on its validation days after every epoch.
 * Writes `<runDir>/model` (best validation epoch) and a checkpoint after every epoch; resumes from the
 * checkpoint when one exists, so a killed run loses at most the epoch in progress.
 */
export async function trainModel(
  exp: Experiment,
  config: TrainConfig,
  runDir: string,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const { train } = config;
  const architecture: Architecture = buildArchitecture(config, exp.normaliser);
  if (architecture.inputWidth !== exp.width) throw new Error("architecture and prepared inputs disagree");
  const params = initParams(architecture, train.seed);
  const optimizer = tf.train.adam(train.learningRate);
  const windows = trainingWindows(exp, train);
  if (windows.length === 0) throw new Error("no training windows: no site has training days with a target");

  let state: LoopState = {
    epoch: 0,
    bestValLoss: Number.POSITIVE_INFINITY,
    bestEpoch: 0,
    badEpochs: 0,
    history: [],
  };
  const resumed = await readCheckpoint(runDir);
  if (resumed) {
    assignWeights(params, resumed.weights, tf);
    await optimizer.setWeights(
      resumed.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) })),
    );
    state = resumed.state;
  }

  const augCols = augmentationColumns(
    pickFeatures(config.features.static, STATIC_FEATURES, "static"),
    inputLayout(config.features.dynamic.length, exp.normaliser.static.mean.length),
    train.attributeDropout,
  );
  let stoppedEarly = false;
  // Synchronous data parallel over `train.workers` threads (1: this thread only).
  const pool = await createGradPool(architecture, train.workers, tf.getBackend() as BackendName);
  try {
    for (let epoch = state.epoch + 1; epoch <= train.epochs; epoch++) {
      if (state.badEpochs >= train.patience) {
        stoppedEarly = true;
        break;
      }
      const t0 = performance.now();
      const rng = seededRng(train.seed * 7919 + epoch);
      const order = shuffled(windows, rng);
      const batches = Math.ceil(order.length / train.batchSize);
      hooks.onEpochStart?.(epoch, batches);
      let lossSum = 0;
      let supervisedDays = 0;
      for (let b = 0; b < batches; b++) {
        const batch = trainingBatch(
          exp,
          order.slice(b * train.batchSize, (b + 1) * train.batchSize),
          train.windowDays,
          augCols.length > 0 ? { rng, columns: augCols } : undefined,
        );
        let supervised = 0;
        for (const w of batch.w) if (w > 0) supervised++;
        // Dropout drawn with the same seed and shape as training/model.ts `forward` would (see parallel/shard.ts).
        const { loss, grads } = await pool.step(
          params,
          batch,
          config.model.dropout,
          train.seed + epoch * 1000 + b,
        );
        const clipped = globalNormClip(grads, train.clipNorm);
        optimizer.applyGradients(Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose([...Object.values(grads), ...Object.values(clipped)]);
        lossSum += loss * supervised;
        supervisedDays += supervised;
        hooks.onBatch?.(epoch, b + 1, batches, lossSum / Math.max(1, supervisedDays));
      }
      // Sites shared out over the pool's threads, in groups of 8: with the fused kernel a time step costs little, so
      // less padding to the longest site of a group wins. Each site runs only up to its last validation day.
      const series = await validationSeries(exp, (inputs) =>
        pool.series(params, inputs, exp.width, exp.normaliser.targetScale, 8),
      );
      const val = seriesLoss(exp, series, SPLIT.val);
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / Math.max(1, supervisedDays),
        valLoss: val.loss,
        valMedianNse: val.medianNse,
        seconds: (performance.now() - t0) / 1000,
        supervisedDays,
      };
      const improved = val.loss < state.bestValLoss;
      state = {
        epoch,
        bestValLoss: improved ? val.loss : state.bestValLoss,
        bestEpoch: improved ? epoch : state.bestEpoch,
        badEpochs: improved ? 0 : state.badEpochs + 1,
        history: [...state.history, record],
      };
      if (improved) await saveWeights(`${runDir}/model`, architecture, params);
      await writeCheckpoint(runDir, architecture, params, await optimizer.getWeights(), state);
      hooks.onEpochEnd?.(record, improved);
    }
  } finally {
    await pool.close();
  }
  // Leave the best epoch's weights in `params`.
  assignWeights(params, await loadWeights(`${runDir}/model`), tf);
  optimizer.dispose();
  return { params, architecture, history: state.history, bestEpoch: state.bestEpoch, stoppedEarly };
}
