/**
 * The network's output head, the site's own Q10 model corrected by the LSTM, in one place: the inputs it needs, its
 * constants, its TensorFlow.js term (training) and its ONNX nodes (export), which must compute the same thing.
 * It is the only head (the softplus and q10 heads were tried and removed, docs/training.md), so there is no registry:
 * a second head would be a second module beside this one, chosen by `Architecture.head`.
 */
import * as tf from "@tensorflow/tfjs";
import type { InputLayout } from "../core/input-layout.ts";
import { PRIOR_DEFAULT_Q10, Q10_STEP_C } from "../core/prior.ts";
import { intAttr, node, scalar } from "../export/onnx-nodes.ts";
import { INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX } from "../model/graph-contract.ts";
import { int64Tensor, type NodeProto, type TensorProto } from "../model/onnx-codec.ts";
import type { TimeMajorInput } from "../training/lstm.ts";
import type { Architecture, ModelParams } from "../training/model.ts";

/** Reference soil temperature of the prior's Q10 model when the site's `tsoil_ref` is unknown, °C. */
export const PRIOR_TSOIL_REF_C = 10;

/** Soil temperatures outside this range, °C, are clipped before the prior's Q10 model is applied. */
export const PRIOR_TSOIL_RANGE_C = { min: -40, max: 60 } as const;

/** Floor of the prior, µmol CO2 m-2 s-1, so that its logarithm and the correction stay finite. */
export const PRIOR_FLOOR = 1e-3;

/** The network's log-correction of the prior is clipped to ±this (so it scales the prior by e^±4 at most). */
export const HEAD_LOG_CORRECTION_MAX = 4;

/** The feature each input of the prior reads ({@link PriorInputs}): one driver and three site attributes. */
export const PRIOR_FEATURES = {
  tsoil: "tsoil_mean",
  fluxRef: "flux_ref",
  fluxQ10: "flux_q10",
  tsoilRef: "tsoil_ref",
} as const;

/** The inputs the head's per-site Q10 prior reads ({@link priorTerm}), checked when the config is parsed. */
export const PRIOR_NEEDS = {
  dynamic: [PRIOR_FEATURES.tsoil],
  static: [PRIOR_FEATURES.fluxRef, PRIOR_FEATURES.fluxQ10, PRIOR_FEATURES.tsoilRef],
} as const;

/** What the output head ({@link applyHead}) does, for the card. */
export const PRIOR_HEAD_DESCRIPTION =
  "a hybrid head: the LSTM output multiplies the site's own Q10 model, efflux = R10·Q10^((Ts − 10)/10)·exp(clip(z, −4, 4)), R10 and Q10 from the optional reference attributes flux_ref, flux_q10 and tsoil_ref (without flux_ref the LSTM carries everything)";

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
 * The output head, from `head_z` [B,T,1] to `efflux` [B,T], exactly as {@link applyHead}:
 * exp(clip(z, −4, 4))·prior·scale with the site's own Q10 prior ({@link priorTerm}), read from the raw
 * `dynamic` and `static` inputs.
 */
export function priorHeadGraph(
  arch: Architecture,
  layout: InputLayout,
): { nodes: NodeProto[]; initializer: TensorProto[] } {
  const p = arch.prior;
  // the prior's static columns, from their place in the LSTM input row to their place in the `static` input
  const staticIndex = (v: number) => v - layout.staticStart;
  const attr = (name: string): NodeProto[] => [
    node("Gather", [INPUT_STATIC, `${name}_index`], [`${name}_b`], [intAttr("axis", 1)]),
    node("Unsqueeze", [`${name}_b`, "axes_1"], [`${name}_col`]),
  ];
  return {
    initializer: [
      int64Tensor("tsoil_index", [], [p.tsoil.value]),
      int64Tensor("prior_ref_index", [], [staticIndex(p.fluxRef.value)]),
      int64Tensor("prior_q10_index", [], [staticIndex(p.fluxQ10.value)]),
      int64Tensor("prior_tref_index", [], [staticIndex(p.tsoilRef.value)]),
      scalar("c_m4", -HEAD_LOG_CORRECTION_MAX),
      scalar("c_4", HEAD_LOG_CORRECTION_MAX),
      scalar("c_one", 1),
      scalar("c_tref_default", PRIOR_TSOIL_REF_C),
      scalar("c_q10_step", Q10_STEP_C),
      scalar("c_m40", PRIOR_TSOIL_RANGE_C.min),
      scalar("c_60", PRIOR_TSOIL_RANGE_C.max),
      scalar("c_floor", PRIOR_FLOOR),
      scalar("c_default_q10", PRIOR_DEFAULT_Q10),
    ],
    nodes: [
      node("Clip", ["head_z", "c_m4", "c_4"], ["prior_zc"]),
      node("Exp", ["prior_zc"], ["prior_corr3"]),
      node("Squeeze", ["prior_corr3", "axes_2"], ["prior_corr"]),
      node("Gather", [INPUT_DYNAMIC, "tsoil_index"], ["prior_t"], [intAttr("axis", 2)]),
      ...attr("prior_ref"),
      ...attr("prior_q10"),
      ...attr("prior_tref"),
      node("IsNaN", ["prior_q10_col"], ["prior_q10_nan"]),
      node("Where", ["prior_q10_nan", "c_default_q10", "prior_q10_col"], ["prior_q"]),
      node("IsNaN", ["prior_tref_col"], ["prior_tref_nan"]),
      node("Where", ["prior_tref_nan", "c_tref_default", "prior_tref_col"], ["prior_tr"]),
      node("IsNaN", ["prior_t"], ["prior_t_nan"]),
      node("Where", ["prior_t_nan", "prior_tr", "prior_t"], ["prior_tf"]),
      node("Clip", ["prior_tf", "c_m40", "c_60"], ["prior_tc"]),
      node("Sub", ["prior_tc", "prior_tr"], ["prior_dt"]),
      node("Div", ["prior_dt", "c_q10_step"], ["prior_ex"]),
      node("Pow", ["prior_q", "prior_ex"], ["prior_fac"]),
      node("Mul", ["prior_ref_col", "prior_fac"], ["prior_raw"]),
      node("Max", ["prior_raw", "c_floor"], ["prior_floor"]),
      node("Div", ["prior_floor", "target_scale"], ["prior_norm"]),
      node("IsNaN", ["prior_ref_col"], ["prior_ref_nan"]),
      node("Where", ["prior_ref_nan", "c_one", "prior_norm"], ["prior"]),
      node("Mul", ["prior_corr", "prior"], ["prior_out"]),
      node("Mul", ["prior_out", "target_scale"], [OUTPUT_EFFLUX]),
    ],
  };
}
