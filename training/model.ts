/** The soilco2 network in TensorFlow.js: LSTM over [drivers, masks, site attributes], then a dense head that corrects the site's own Q10 model. */
import * as tf from "@tensorflow/tfjs";
import {
  HEAD_LOG_CORRECTION_MAX,
  PRIOR_DEFAULT_Q10,
  PRIOR_FLOOR,
  PRIOR_TSOIL_RANGE_C,
  PRIOR_TSOIL_REF_C,
  Q10_STEP_C,
} from "../core/prior.ts";
import { type LstmParams, lstmSequence, type TimeMajorInput } from "./lstm.ts";

/** Shape of the network; saved with the weights (model.json) and read back by export. */
export interface Architecture {
  /** Format tag of the saved architecture, unchanged since the first network (whose head was a softplus). */
  type: "lstm-softplus";
  /** LSTM units. */
  hidden: number;
  /** Width of the LSTM input per day: 2·(dynamicCols + staticCols) (core/input-layout.ts). */
  inputWidth: number;
  dynamicCols: number;
  staticCols: number;
  /**
   * Output head: efflux = prior·exp(clip(h·w + b, −4, 4))·scale, the prior the site's own Q10 model
   * ({@link priorTerm}). The only head; saved so that weights of the removed heads are refused (training/weights-file.ts).
   */
  head: "prior";
  /** Where the LSTM input holds the raw values the Q10 prior needs (see {@link priorTerm}). */
  prior: PriorInputs;
}

/** An input column of the LSTM input row: value and mask positions, and the normaliser's mean and std. */
export interface InputRef {
  value: number;
  mask: number;
  mean: number;
  std: number;
}

/** The inputs of the head's per-site Q10 prior, and the target scale to express it in model units. */
export interface PriorInputs {
  tsoil: InputRef;
  fluxRef: InputRef;
  fluxQ10: InputRef;
  tsoilRef: InputRef;
  targetScale: number;
}

function raw(x: TimeMajorInput, row: number, ref: InputRef): number {
  const base = row * x.input;
  return x.data[base + ref.mask] === 1 ? Number.NaN : x.data[base + ref.value]! * ref.std + ref.mean;
}

/**
 * The head's per-day prior in model units (divide µmol m-2 s-1 by targetScale): the site's own Q10 model
 * R10·Q10^((T − 10)/10) with Q10 = flux_q10 (2 if unknown), R10 = flux_ref / Q10^((tsoil_ref − 10)/10)
 * (tsoil_ref 10 °C if unknown). On a day without soil temperature the prior is flux_ref; for a site without flux_ref
 * it is 1 (the target scale) and the LSTM carries everything.
 * @returns [time·batch]
 */
export function priorTerm(arch: Architecture, x: TimeMajorInput): Float32Array {
  const p = arch.prior;
  const rows = x.time * x.batch;
  const out = new Float32Array(rows).fill(1);
  for (let r = 0; r < rows; r++) {
    const ref = raw(x, r, p.fluxRef);
    if (Number.isNaN(ref)) continue;
    const q = Number.isNaN(raw(x, r, p.fluxQ10)) ? PRIOR_DEFAULT_Q10 : raw(x, r, p.fluxQ10);
    const tr = Number.isNaN(raw(x, r, p.tsoilRef)) ? PRIOR_TSOIL_REF_C : raw(x, r, p.tsoilRef);
    const t = raw(x, r, p.tsoil);
    const tt = Number.isNaN(t) ? tr : Math.min(PRIOR_TSOIL_RANGE_C.max, Math.max(PRIOR_TSOIL_RANGE_C.min, t));
    out[r] = Math.max(PRIOR_FLOOR, ref * q ** ((tt - tr) / Q10_STEP_C)) / p.targetScale;
  }
  return out;
}

/** Trainable weights. Names as saved: `lstm/kernel`, `lstm/recurrent_kernel`, `lstm/bias`, `head/kernel`, `head/bias`. */
export interface ModelParams {
  lstm: LstmParams;
  /** [hidden, 1] */
  headKernel: tf.Variable<tf.Rank.R2>;
  /** [1] */
  headBias: tf.Variable<tf.Rank.R1>;
}

/** Names and order of the weights in the saved file. */
export const WEIGHT_NAMES = [
  "lstm/kernel",
  "lstm/recurrent_kernel",
  "lstm/bias",
  "head/kernel",
  "head/bias",
] as const;

/**
 * Keras defaults: Glorot-uniform kernels, orthogonal recurrent kernel, zero bias with the forget gate at 1.
 * @param seed makes the initialisation repeatable
 */
export function initParams(arch: Architecture, seed: number): ModelParams {
  const H = arch.hidden;
  const glorot = (shape: [number, number], s: number) => {
    const limit = Math.sqrt(6 / (shape[0] + shape[1]));
    return tf.randomUniform(shape, -limit, limit, "float32", s);
  };
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H);
  const orth = tf.initializers.orthogonal({ gain: 1, seed: seed + 1 }).apply([H, 4 * H]) as tf.Tensor2D;
  return {
    lstm: {
      kernel: tf.variable(glorot([arch.inputWidth, 4 * H], seed), true) as tf.Variable<tf.Rank.R2>,
      recurrentKernel: tf.variable(orth, true),
      bias: tf.variable(tf.tensor1d(bias), true),
    },
    headKernel: tf.variable(glorot([H, 1], seed + 2), true) as tf.Variable<tf.Rank.R2>,
    headBias: tf.variable(tf.zeros([1]), true),
  };
}

/** Every variable, in {@link WEIGHT_NAMES} order. */
export function paramList(p: ModelParams): tf.Variable[] {
  return [p.lstm.kernel, p.lstm.recurrentKernel, p.lstm.bias, p.headKernel, p.headBias];
}

/**
 * Map hidden states [rows, H] to the output in target-scale units [rows]: prior · exp(z), the correction z = h·w + b
 * bounded to a factor e^±4.
 * @param prior {@link priorTerm} of the same rows
 */
export function applyHead(p: ModelParams, h: tf.Tensor2D, prior: Float32Array): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.add(tf.matMul(h, p.headKernel), p.headBias);
    return tf.reshape(
      tf.mul(
        tf.exp(tf.clipByValue(z, -HEAD_LOG_CORRECTION_MAX, HEAD_LOG_CORRECTION_MAX)),
        tf.reshape(tf.tensor1d(prior), [-1, 1]),
      ),
      [-1],
    ) as tf.Tensor1D;
  });
}

/**
 * Network output in target-scale units (multiply by the normaliser's `targetScale` for µmol m-2 s-1).
 * @param x time-major LSTM input [time, batch, inputWidth] (see core/prepare.ts)
 * @param dropout rate applied to the hidden states before the head while training (0 at inference)
 * @returns time-major [time·batch], positive (a positive prior times exp)
 */
export function forward(
  p: ModelParams,
  arch: Architecture,
  x: TimeMajorInput,
  dropout = 0,
  seed?: number,
): tf.Tensor1D {
  const prior = priorTerm(arch, x);
  return tf.tidy(() => {
    let h: tf.Tensor2D = lstmSequence(x, p.lstm);
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed) as tf.Tensor2D;
    return applyHead(p, h, prior);
  });
}
