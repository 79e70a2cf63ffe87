/** The soilco2 network as an ONNX graph: raw physical units in, normalisation and masks inside, efflux out. */
import { lstmInputWidth } from "../core/input-layout.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import { PRIOR_DEFAULT_Q10, PRIOR_MOISTURE_MAX_EXPONENT } from "../core/prior.ts";
import { BATCH_DIM, INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX, TIME_DIM } from "../model/graph-contract.ts";
import {
  DataType,
  floatTensor,
  type GraphProto,
  int64Tensor,
  type NodeProto,
  type TensorProto,
} from "../model/onnx-codec.ts";
import { type Architecture, headWidth } from "../training/model.ts";
import { kerasToOnnxLstm } from "./gate-order.ts";
import type { NetworkWeights } from "./network-weights.ts";
import { intAttr, intsAttr, node, scalar, stringAttr, stringsAttr, valueInfo } from "./onnx-nodes.ts";

/** LSTM activations (f, g, h in ONNX terms): true sigmoid gates, tanh cell and output, as training/lstm.ts. */
export const LSTM_ACTIVATIONS = ["Sigmoid", "Tanh", "Tanh"] as const;

/**
 * Nodes that turn a raw block [..., cols] into `[norm, mask]` [..., 2·cols] exactly as core/prepare.ts:
 * `mask = IsNaN(x)`, `norm = Where(mask, 0, (x − mean) / std)`.
 */
function normaliseWithMask(x: string, prefix: string, axis: number): NodeProto[] {
  return [
    node("IsNaN", [x], [`${prefix}_isnan`]),
    node("Cast", [`${prefix}_isnan`], [`${prefix}_mask`], [intAttr("to", DataType.FLOAT)]),
    node("Sub", [x, `${prefix}_mean`], [`${prefix}_centred`]),
    node("Div", [`${prefix}_centred`, `${prefix}_std`], [`${prefix}_scaled`]),
    node("Where", [`${prefix}_isnan`, "zero", `${prefix}_scaled`], [`${prefix}_norm`]),
    node("Concat", [`${prefix}_norm`, `${prefix}_mask`], [`${prefix}_features`], [intAttr("axis", axis)]),
  ];
}

/**
 * The output head, from `head_z` [B,T,k] to `efflux` [B,T], exactly as training/model.ts `applyHead`:
 * - `softplus`: softplus(z)·scale;
 * - `q10`: softplus(z₀)·exp((0.1 + 2·sigmoid(z₁))·clip((T − 10)/10, −5, 5))·scale, the exponent 0 where T is NaN;
 * - `prior`: exp(clip(z, −4, 4))·prior·scale with the site's own Q10 prior (training/model.ts `priorTerm`), read from
 *   the raw `dynamic` and `static` inputs.
 */
function headGraph(
  arch: Architecture,
  Dd: number,
): { nodes: NodeProto[]; initializer: ReturnType<typeof floatTensor>[] } {
  const head = arch.head ?? "softplus";
  if (head === "softplus")
    return {
      initializer: [],
      nodes: [
        node("Softplus", ["head_z"], ["head_out"]),
        node("Mul", ["head_out", "target_scale"], ["efflux_3d"]),
        node("Squeeze", ["efflux_3d", "axes_2"], [OUTPUT_EFFLUX]),
      ],
    };
  if (head === "q10") {
    const t = arch.temperature;
    if (!t) throw new Error("q10 head without its temperature column");
    return {
      initializer: [
        int64Tensor("split_1_1", [2], [1, 1]),
        int64Tensor("tsoil_index", [], [t.column]),
        scalar("c_two", 2),
        scalar("c_tenth", 0.1),
        scalar("c_ten", 10),
        scalar("c_m5", -5),
        scalar("c_5", 5),
      ],
      nodes: [
        node("Split", ["head_z", "split_1_1"], ["q10_z0", "q10_z1"], [intAttr("axis", 2)]),
        node("Softplus", ["q10_z0"], ["q10_base"]),
        node("Sigmoid", ["q10_z1"], ["q10_sig"]),
        node("Mul", ["q10_sig", "c_two"], ["q10_sig2"]),
        node("Add", ["q10_sig2", "c_tenth"], ["q10_lnq"]),
        node("Gather", [INPUT_DYNAMIC, "tsoil_index"], ["q10_t"], [intAttr("axis", 2)]),
        node("Unsqueeze", ["q10_t", "axes_2"], ["q10_t3"]),
        node("Sub", ["q10_t3", "c_ten"], ["q10_dt"]),
        node("Div", ["q10_dt", "c_ten"], ["q10_dt10"]),
        node("Clip", ["q10_dt10", "c_m5", "c_5"], ["q10_dtc"]),
        node("IsNaN", ["q10_t3"], ["q10_tnan"]),
        node("Where", ["q10_tnan", "zero", "q10_dtc"], ["q10_term"]),
        node("Mul", ["q10_lnq", "q10_term"], ["q10_expo"]),
        node("Exp", ["q10_expo"], ["q10_factor"]),
        node("Mul", ["q10_base", "q10_factor"], ["q10_out"]),
        node("Mul", ["q10_out", "target_scale"], ["efflux_3d"]),
        node("Squeeze", ["efflux_3d", "axes_2"], [OUTPUT_EFFLUX]),
      ],
    };
  }
  const p = arch.prior;
  if (!p) throw new Error("prior head without its input positions");
  const staticIndex = (v: number) => v - 2 * Dd;
  const attr = (name: string): NodeProto[] => [
    node("Gather", [INPUT_STATIC, `${name}_index`], [`${name}_b`], [intAttr("axis", 1)]),
    node("Unsqueeze", [`${name}_b`, "axes_1"], [`${name}_col`]),
  ];
  const moisture = priorMoistureGraph(p, staticIndex, attr);
  return {
    initializer: [
      ...moisture.initializer,
      int64Tensor("tsoil_index", [], [p.tsoil.value]),
      int64Tensor("prior_ref_index", [], [staticIndex(p.fluxRef.value)]),
      int64Tensor("prior_q10_index", [], [staticIndex(p.fluxQ10.value)]),
      int64Tensor("prior_tref_index", [], [staticIndex(p.tsoilRef.value)]),
      scalar("c_m4", -4),
      scalar("c_4", 4),
      scalar("c_one", 1),
      scalar("c_ten", 10),
      scalar("c_m40", -40),
      scalar("c_60", 60),
      scalar("c_floor", 1e-3),
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
      node("Where", ["prior_tref_nan", "c_ten", "prior_tref_col"], ["prior_tr"]),
      node("IsNaN", ["prior_t"], ["prior_t_nan"]),
      node("Where", ["prior_t_nan", "prior_tr", "prior_t"], ["prior_tf"]),
      node("Clip", ["prior_tf", "c_m40", "c_60"], ["prior_tc"]),
      node("Sub", ["prior_tc", "prior_tr"], ["prior_dt"]),
      node("Div", ["prior_dt", "c_ten"], ["prior_ex"]),
      node("Pow", ["prior_q", "prior_ex"], ["prior_fac"]),
      node("Mul", ["prior_ref_col", "prior_fac"], ["prior_raw"]),
      node("Max", ["prior_raw", "c_floor"], ["prior_floor"]),
      ...moisture.nodes,
      node("Div", [moisture.out, "target_scale"], ["prior_norm"]),
      node("IsNaN", ["prior_ref_col"], ["prior_ref_nan"]),
      node("Where", ["prior_ref_nan", "c_one", "prior_norm"], ["prior"]),
      node("Mul", ["prior_corr", "prior"], ["prior_out"]),
      node("Mul", ["prior_out", "target_scale"], [OUTPUT_EFFLUX]),
    ],
  };
}

/**
 * The `prior` head's moisture factor, as training/model.ts `priorTerm`: `prior_floor`·exp(clip(c1·d + c2·d², ±PRIOR_MOISTURE_MAX_EXPONENT)),
 * d = swc_mean − swc_ref, the exponent 0 where any input is NaN. Passes `prior_floor` through for a model without it.
 */
function priorMoistureGraph(
  p: NonNullable<Architecture["prior"]>,
  staticIndex: (v: number) => number,
  attr: (name: string) => NodeProto[],
): { nodes: NodeProto[]; initializer: TensorProto[]; out: string } {
  const m = p.moisture;
  if (!m) return { nodes: [], initializer: [], out: "prior_floor" };
  return {
    initializer: [
      int64Tensor("swc_index", [], [m.swc.value]),
      int64Tensor("prior_swcref_index", [], [staticIndex(m.swcRef.value)]),
      int64Tensor("prior_c1_index", [], [staticIndex(m.c1.value)]),
      int64Tensor("prior_c2_index", [], [staticIndex(m.c2.value)]),
      scalar("c_m_moist", -PRIOR_MOISTURE_MAX_EXPONENT),
      scalar("c_moist", PRIOR_MOISTURE_MAX_EXPONENT),
    ],
    nodes: [
      node("Gather", [INPUT_DYNAMIC, "swc_index"], ["prior_w"], [intAttr("axis", 2)]),
      ...attr("prior_swcref"),
      ...attr("prior_c1"),
      ...attr("prior_c2"),
      node("Sub", ["prior_w", "prior_swcref_col"], ["prior_d"]),
      node("Mul", ["prior_d", "prior_d"], ["prior_d2"]),
      node("Mul", ["prior_c1_col", "prior_d"], ["prior_m1"]),
      node("Mul", ["prior_c2_col", "prior_d2"], ["prior_m2"]),
      node("Add", ["prior_m1", "prior_m2"], ["prior_me"]),
      node("IsNaN", ["prior_me"], ["prior_me_nan"]),
      node("Clip", ["prior_me", "c_m_moist", "c_moist"], ["prior_mec"]),
      node("Where", ["prior_me_nan", "zero", "prior_mec"], ["prior_mexp"]),
      node("Exp", ["prior_mexp"], ["prior_mfac"]),
      node("Mul", ["prior_floor", "prior_mfac"], ["prior_floor_m"]),
    ],
    out: "prior_floor_m",
  };
}

/**
 * Build the inference graph.
 *
 * dynamic [B,T,Dd] -> [norm, mask] [B,T,2Dd] ─┐
 * static [B,Ds] -> [norm, mask] [B,2Ds] -> Unsqueeze -> Expand [B,T,2Ds] ─┴ Concat [B,T,I] -> Transpose [T,B,I]
 * -> LSTM (hidden H, i o f c, Sigmoid/Tanh/Tanh) Y [T,1,B,H] -> Squeeze -> Transpose [B,T,H]
 * -> MatMul + Add [B,T,k] -> the head ({@link headGraph}: softplus, q10 or prior, with targetScale) -> efflux [B,T]
 *
 * @param schema gives the column counts and the normaliser baked into the graph
 * @throws {Error} if the weight shapes do not fit the schema
 */
export function buildGraph(schema: ModelSchema, weights: NetworkWeights): GraphProto {
  const Dd = schema.dynamic.length;
  const Ds = staticWidth(schema);
  const H = weights.hidden;
  const inputWidth = lstmInputWidth(Dd, Ds);
  const lstm = kerasToOnnxLstm(weights.kernel, weights.recurrentKernel, weights.bias, H);
  if (lstm.input !== inputWidth)
    throw new Error(
      `LSTM kernel takes ${lstm.input} inputs, the schema gives 2·(${Dd} + ${Ds}) = ${inputWidth}`,
    );
  const k = headWidth(weights.architecture);
  if (weights.headKernel.length !== H * k || weights.headBias.length !== k)
    throw new Error(
      `head weights have shapes [${weights.headKernel.length}] and [${weights.headBias.length}], expected [${H * k}] and [${k}]`,
    );
  const head = headGraph(weights.architecture, Dd);
  const n = schema.normaliser;

  const initializer = [
    floatTensor("dynamic_mean", [Dd], n.dynamic.mean),
    floatTensor("dynamic_std", [Dd], n.dynamic.std),
    floatTensor("static_mean", [Ds], n.static.mean),
    floatTensor("static_std", [Ds], n.static.std),
    floatTensor("zero", [], [0]),
    int64Tensor("one_i64", [1], [1]),
    int64Tensor("axes_1", [1], [1]),
    int64Tensor("axes_2", [1], [2]),
    floatTensor("lstm_W", [1, 4 * H, inputWidth], lstm.W),
    floatTensor("lstm_R", [1, 4 * H, H], lstm.R),
    floatTensor("lstm_B", [1, 8 * H], lstm.B),
    floatTensor("head_kernel", [H, k], weights.headKernel),
    floatTensor("head_bias", [k], weights.headBias),
    floatTensor("target_scale", [], [n.targetScale]),
    ...head.initializer,
  ];

  const nodes: NodeProto[] = [
    ...normaliseWithMask(INPUT_DYNAMIC, "dynamic", 2),
    ...normaliseWithMask(INPUT_STATIC, "static", 1),
    // Repeat the static features on every day: [B,2Ds] -> [B,1,2Ds] -> broadcast against [1,T,1].
    node("Unsqueeze", ["static_features", "axes_1"], ["static_row"]),
    node("Shape", [INPUT_DYNAMIC], ["time_len"], [intAttr("start", 1), intAttr("end", 2)]),
    node("Concat", ["one_i64", "time_len", "one_i64"], ["expand_shape"], [intAttr("axis", 0)]),
    node("Expand", ["static_row", "expand_shape"], ["static_days"]),
    node("Concat", ["dynamic_features", "static_days"], ["lstm_input_bm"], [intAttr("axis", 2)]),
    node("Transpose", ["lstm_input_bm"], ["lstm_input"], [intsAttr("perm", [1, 0, 2])]),
    node(
      "LSTM",
      ["lstm_input", "lstm_W", "lstm_R", "lstm_B"],
      ["lstm_Y"],
      [
        intAttr("hidden_size", H),
        stringAttr("direction", "forward"),
        stringsAttr("activations", LSTM_ACTIVATIONS),
        intAttr("layout", 0),
      ],
      "Keras LSTM re-laid by export/gate-order.ts; zero initial state",
    ),
    node("Squeeze", ["lstm_Y", "axes_1"], ["lstm_h_tm"]),
    node("Transpose", ["lstm_h_tm"], ["lstm_h"], [intsAttr("perm", [1, 0, 2])]),
    node("MatMul", ["lstm_h", "head_kernel"], ["head_mm"]),
    node("Add", ["head_mm", "head_bias"], ["head_z"]),
    ...head.nodes,
  ];

  return {
    name: "soilco2_lstm",
    node: nodes,
    initializer,
    input: [
      valueInfo(
        INPUT_DYNAMIC,
        [BATCH_DIM, TIME_DIM, Dd],
        `daily drivers [${schema.dynamic.map((f) => `${f.name} (${f.unit})`).join(", ")}], NaN = gap`,
      ),
      valueInfo(INPUT_STATIC, [BATCH_DIM, Ds], "site attributes, numeric then one-hot land cover, NaN = gap"),
    ],
    output: [
      valueInfo(OUTPUT_EFFLUX, [BATCH_DIM, TIME_DIM], `${schema.target.description} [${schema.target.unit}]`),
    ],
  };
}
