/** The soilco2 network in TensorFlow.js: LSTM over [drivers, masks, site attributes], then a dense head that corrects the site's own Q10 model. */
import * as tf from "@tensorflow/tfjs";
import type { PriorInputs } from "../heads/prior-head.ts";
import { headOf } from "../heads/registry.ts";
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
  const head = headOf(arch);
  const term = head.term(arch, x);
  return tf.tidy(() => {
    let h: tf.Tensor2D = lstmSequence(x, p.lstm);
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed) as tf.Tensor2D;
    return head.apply(p, h, term);
  });
}
