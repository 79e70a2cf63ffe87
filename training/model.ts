/** The soilco2 network in TensorFlow.js: LSTM over [drivers, masks, site attributes] then a softplus dense head. */
import * as tf from "@tensorflow/tfjs";
import { type LstmParams, lstmSequence, type TimeMajorInput } from "./lstm.ts";

/** Shape of the network; saved with the weights and read back by export. */
export interface Architecture {
  type: "lstm-softplus";
  /** LSTM units. */
  hidden: number;
  /** Width of the LSTM input per day: 2·(dynamicCols + staticCols) (values then masks). */
  inputWidth: number;
  dynamicCols: number;
  staticCols: number;
  /**
   * Output head. `softplus`: efflux = softplus(h·w + b)·scale. `q10`: a hybrid head with the shape of the Q10 model,
   * efflux = softplus(z₀)·exp(lnQ10·(T − 10)/10)·scale, lnQ10 = 0.1 + 2·sigmoid(z₁), T the soil temperature input
   * (the factor is 1 on days without it). Default `softplus`.
   */
  head?: "softplus" | "q10";
  /** For the `q10` head: the dynamic column holding soil temperature and its normaliser mean and std. */
  temperature?: { column: number; mean: number; std: number };
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
    headKernel: tf.variable(glorot([H, headWidth(arch)], seed + 2), true) as tf.Variable<tf.Rank.R2>,
    headBias: tf.variable(tf.zeros([headWidth(arch)]), true),
  };
}

/** Every variable, in {@link WEIGHT_NAMES} order. */
export function paramList(p: ModelParams): tf.Variable[] {
  return [p.lstm.kernel, p.lstm.recurrentKernel, p.lstm.bias, p.headKernel, p.headBias];
}

/** Outputs of the dense head: 1 for `softplus`, 2 for `q10`. */
export function headWidth(arch: Architecture): number {
  return arch.head === "q10" ? 2 : 1;
}

/**
 * Temperature term (T − 10)/10 per row of a time-major input, read back from the normalised input; 0 where the
 * temperature is missing (mask 1). Clamped to [−5, 5].
 * @returns [time·batch]
 */
export function temperatureTerm(arch: Architecture, x: TimeMajorInput): Float32Array {
  const t = arch.temperature;
  const rows = x.time * x.batch;
  const out = new Float32Array(rows);
  if (!t) return out;
  for (let r = 0; r < rows; r++) {
    const base = r * x.input;
    if (x.data[base + arch.dynamicCols + t.column] === 1) continue;
    const tc = x.data[base + t.column]! * t.std + t.mean;
    out[r] = Math.min(5, Math.max(-5, (tc - 10) / 10));
  }
  return out;
}

/**
 * Map hidden states [rows, H] to the output in target-scale units [rows].
 * @param tTerm for the `q10` head, {@link temperatureTerm} of the same rows
 */
export function applyHead(
  p: ModelParams,
  arch: Architecture,
  h: tf.Tensor2D,
  tTerm?: Float32Array,
): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.add(tf.matMul(h, p.headKernel), p.headBias);
    if (arch.head !== "q10") return tf.reshape(tf.softplus(z), [-1]) as tf.Tensor1D;
    const [z0, z1] = tf.split(z, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const lnQ10 = tf.add(tf.mul(tf.sigmoid(z1), 2), 0.1);
    const factor = tf.exp(tf.mul(lnQ10, tf.reshape(tf.tensor1d(tTerm!), [-1, 1])));
    return tf.reshape(tf.mul(tf.softplus(z0), factor), [-1]) as tf.Tensor1D;
  });
}

/**
 * Network output in target-scale units (multiply by the normaliser's `targetScale` for µmol m-2 s-1).
 * @param x time-major LSTM input [time, batch, inputWidth] (see core/prepare.ts)
 * @param dropout rate applied to the hidden states before the head while training (0 at inference)
 * @returns time-major [time·batch], non-negative (softplus)
 */
export function forward(
  p: ModelParams,
  arch: Architecture,
  x: TimeMajorInput,
  dropout = 0,
  seed?: number,
): tf.Tensor1D {
  const tTerm = arch.head === "q10" ? temperatureTerm(arch, x) : undefined;
  return tf.tidy(() => {
    let h: tf.Tensor2D = lstmSequence(x, p.lstm);
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed) as tf.Tensor2D;
    return applyHead(p, arch, h, tTerm);
  });
}
