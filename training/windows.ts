/** Sequence-to-sequence training windows: a warm-up that feeds the LSTM state, then days that carry the loss. */
import type { InputLayout } from "../core/input-layout.ts";
import type { TrainConfig } from "./config.ts";
import type { Experiment } from "./experiment.ts";
import type { TimeMajorInput } from "./lstm.ts";
import { SPLIT, type SplitCode, type SplitLabels } from "./splits.ts";

/** A window of `length` days starting at `start` in site `site`; days from `lossFrom` on carry the loss. */
export interface Window {
  site: number;
  start: number;
  /** Offset within the window of the first supervised day: the warm-up, or 0 for a window at the series start. */
  lossFrom: number;
}

/**
 * Windows over every site, keeping those with at least one day labelled `label` that has a target in the loss part.
 * A window at a series start is supervised from its first day (the model must also predict from a cold start, as it
 * does at inference); later windows only after `warmupDays`.
 */
export function makeWindows(
  targets: readonly Float32Array[],
  labels: SplitLabels,
  label: SplitCode,
  windowDays: number,
  warmupDays: number,
  strideDays: number,
): Window[] {
  const out: Window[] = [];
  targets.forEach((y, site) => {
    const lab = labels[site]!;
    for (let start = 0; start < y.length; start += strideDays) {
      const lossFrom = start === 0 ? 0 : warmupDays;
      let any = false;
      for (let k = lossFrom; k < windowDays && start + k < y.length; k++) {
        if (lab[start + k] === label && !Number.isNaN(y[start + k]!)) {
          any = true;
          break;
        }
      }
      if (any) out.push({ site, start, lossFrom });
      if (start + windowDays >= y.length) break;
    }
  });
  return out;
}

/** One training batch: time-major inputs, targets and loss weights [time·batch] (weight 0 = no loss). */
export interface Batch {
  x: TimeMajorInput;
  y: Float32Array;
  w: Float32Array;
}

/**
 * Assemble a batch. Days past a series end are padded with zero inputs and weight 0.
 * @param prepared per site, row-major [length, width] LSTM inputs (core/prepare.ts)
 * @param targets per site, target in model units (divided by targetScale), NaN = none
 * @param siteWeight per site loss weight (e.g. 1/(σ+0.1)² for the NSE loss)
 */
export function buildBatch(
  windows: readonly Window[],
  prepared: readonly Float32Array[],
  width: number,
  targets: readonly Float32Array[],
  labels: SplitLabels,
  label: SplitCode,
  siteWeight: readonly number[],
  windowDays: number,
  augment?: Augmentation,
): Batch {
  const B = windows.length;
  const T = windowDays;
  const x = new Float32Array(T * B * width);
  const y = new Float32Array(T * B);
  const w = new Float32Array(T * B);
  windows.forEach((win, b) => {
    const p = prepared[win.site]!;
    const yt = targets[win.site]!;
    const lab = labels[win.site]!;
    const len = yt.length;
    for (let k = 0; k < T; k++) {
      const t = win.start + k;
      if (t >= len) break;
      const row = k * B + b;
      x.set(p.subarray(t * width, (t + 1) * width), row * width);
      const v = yt[t]!;
      if (k >= win.lossFrom && lab[t] === label && !Number.isNaN(v)) {
        y[row] = v;
        w[row] = siteWeight[win.site]!;
      }
    }
    if (augment) {
      const len = Math.min(T, yt.length - win.start);
      for (const col of augment.columns) {
        if (augment.rng() >= col.p) continue;
        for (let k = 0; k < len; k++) {
          const row = k * B + b;
          x[row * width + col.value] = 0;
          x[row * width + col.mask] = 1;
        }
      }
    }
  });
  return { x: { data: x, time: T, batch: B, input: width }, y, w };
}

/**
 * Gap augmentation: per window, each listed input is hidden (value 0, mask 1, as a real gap) with probability `p`,
 * so the model learns to predict for sites that lack a sensor or an attribute, as clients often do.
 */
export interface Augmentation {
  rng: () => number;
  /** Input columns that may be hidden: the normalised value's column and its mask's column. */
  columns: { value: number; mask: number; p: number }[];
}

/**
 * Columns for {@link Augmentation}: the numeric site attributes with gap policy `mask` (e.g. flux_ref, MAT), each
 * hidden with probability `p`, at their places in the LSTM input row (core/input-layout.ts).
 * @param staticFeatures the config's static features, in order (the one-hot block after them is never hidden)
 */
export function augmentationColumns(
  staticFeatures: readonly { gap: string }[],
  layout: InputLayout,
  p: number,
): Augmentation["columns"] {
  if (p <= 0) return [];
  return staticFeatures.flatMap((f, j) =>
    f.gap === "mask" ? [{ value: layout.staticValue(j), mask: layout.staticMask(j), p }] : [],
  );
}

/** The training windows of an experiment: {@link makeWindows} on its training days with the config's window sizes. */
export function trainingWindows(exp: Experiment, train: TrainConfig["train"]): Window[] {
  return makeWindows(
    exp.targets,
    exp.labels,
    SPLIT.train,
    train.windowDays,
    train.warmupDays,
    train.strideDays,
  );
}

/** A training batch of an experiment's windows: {@link buildBatch} on its training days, with its site weights. */
export function trainingBatch(
  exp: Experiment,
  windows: readonly Window[],
  windowDays: number,
  augment?: Augmentation,
): Batch {
  return buildBatch(
    windows,
    exp.prepared,
    exp.width,
    exp.targets,
    exp.labels,
    SPLIT.train,
    exp.siteWeights,
    windowDays,
    augment,
  );
}
