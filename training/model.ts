/** The soilco2 network in TensorFlow.js: LSTM over [drivers, masks, site attributes] then a softplus dense head. */
import * as tf from "@tensorflow/tfjs";
import { PRIOR_DEFAULT_Q10, PRIOR_MOISTURE_MAX_EXPONENT } from "../core/prior.ts";
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
  head?: "softplus" | "q10" | "prior";
  /** For the `q10` head: the dynamic column holding soil temperature and its normaliser mean and std. */
  temperature?: { column: number; mean: number; std: number };
  /** For the `prior` head: where the LSTM input holds the raw values the Q10 prior needs (see {@link priorTerm}). */
  prior?: PriorInputs;
}

/** An input column of the LSTM input row: value and mask positions, and the normaliser's mean and std. */
export interface InputRef {
  value: number;
  mask: number;
  mean: number;
  std: number;
}

/** The inputs of the `prior` head's per-site Q10 prior, and the target scale to express it in model units. */
export interface PriorInputs {
  tsoil: InputRef;
  fluxRef: InputRef;
  fluxQ10: InputRef;
  tsoilRef: InputRef;
  /** The site's moisture response (swc_mean, swc_ref, flux_swc_c1, flux_swc_c2); absent in models without it. */
  moisture?: { swc: InputRef; swcRef: InputRef; c1: InputRef; c2: InputRef };
  targetScale: number;
}

function raw(x: TimeMajorInput, row: number, ref: InputRef): number {
  const base = row * x.input;
  return x.data[base + ref.mask] === 1 ? Number.NaN : x.data[base + ref.value]! * ref.std + ref.mean;
}

/**
 * The `prior` head's per-day prior in model units (divide µmol m-2 s-1 by targetScale): the site's own Q10 model
 * R10·Q10^((T − 10)/10) with Q10 = flux_q10 (2 if unknown), R10 = flux_ref / Q10^((tsoil_ref − 10)/10)
 * (tsoil_ref 10 °C if unknown). On a day without soil temperature the prior is flux_ref; for a site without flux_ref
 * it is 1 (the target scale) and the LSTM carries everything. With `moisture`, the prior is multiplied by
 * exp(clip(c1·d + c2·d², ±1)), d = swc_mean − swc_ref, on days where all four are known (1 otherwise).
 * @returns [time·batch]
 */
export function priorTerm(arch: Architecture, x: TimeMajorInput): Float32Array {
  const p = arch.prior;
  const rows = x.time * x.batch;
  const out = new Float32Array(rows).fill(1);
  if (!p) return out;
  for (let r = 0; r < rows; r++) {
    const ref = raw(x, r, p.fluxRef);
    if (Number.isNaN(ref)) continue;
    const q = Number.isNaN(raw(x, r, p.fluxQ10)) ? PRIOR_DEFAULT_Q10 : raw(x, r, p.fluxQ10);
    const tr = Number.isNaN(raw(x, r, p.tsoilRef)) ? 10 : raw(x, r, p.tsoilRef);
    const t = raw(x, r, p.tsoil);
    const tt = Number.isNaN(t) ? tr : Math.min(60, Math.max(-40, t));
    out[r] = (Math.max(1e-3, ref * q ** ((tt - tr) / 10)) * moistureFactor(p, x, r)) / p.targetScale;
  }
  return out;
}

/** The prior's moisture factor exp(clip(c1·d + c2·d², ±1)) of one row; 1 where any of its inputs is missing. */
function moistureFactor(p: PriorInputs, x: TimeMajorInput, row: number): number {
  const m = p.moisture;
  if (!m) return 1;
  const d = raw(x, row, m.swc) - raw(x, row, m.swcRef);
  const e = raw(x, row, m.c1) * d + raw(x, row, m.c2) * d * d;
  if (Number.isNaN(e)) return 1;
  return Math.exp(Math.min(PRIOR_MOISTURE_MAX_EXPONENT, Math.max(-PRIOR_MOISTURE_MAX_EXPONENT, e)));
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

/** The per-row term a head needs besides the hidden state: the temperature term (`q10`) or the prior (`prior`). */
export function headTerm(arch: Architecture, x: TimeMajorInput): Float32Array | undefined {
  if (arch.head === "q10") return temperatureTerm(arch, x);
  if (arch.head === "prior") return priorTerm(arch, x);
  return undefined;
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
    if (arch.head === "prior") {
      // prior · exp(z), the correction bounded to a factor e^±4.
      return tf.reshape(
        tf.mul(tf.exp(tf.clipByValue(z, -4, 4)), tf.reshape(tf.tensor1d(tTerm!), [-1, 1])),
        [-1],
      ) as tf.Tensor1D;
    }
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
  const tTerm = headTerm(arch, x);
  return tf.tidy(() => {
    let h: tf.Tensor2D = lstmSequence(x, p.lstm);
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed) as tf.Tensor2D;
    return applyHead(p, arch, h, tTerm);
  });
}
