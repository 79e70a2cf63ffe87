/** The soilco2 network as an ONNX graph: raw physical units in, normalisation and masks inside, efflux out. */
import { inputLayout } from "../core/input-layout.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import { headOf } from "../heads/registry.ts";
import { BATCH_DIM, INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX, TIME_DIM } from "../model/graph-contract.ts";
import { DataType, floatTensor, type GraphProto, int64Tensor, type NodeProto } from "../model/onnx-codec.ts";
import { kerasToOnnxLstm } from "./gate-order.ts";
import type { NetworkWeights } from "./network-weights.ts";
import { intAttr, intsAttr, node, stringAttr, stringsAttr, valueInfo } from "./onnx-nodes.ts";

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
 * Build the inference graph.
 *
 * dynamic [B,T,Dd] -> [norm, mask] [B,T,2Dd] ─┐
 * static [B,Ds] -> [norm, mask] [B,2Ds] -> Unsqueeze -> Expand [B,T,2Ds] ─┴ Concat [B,T,I] -> Transpose [T,B,I]
 * -> LSTM (hidden H, i o f c, Sigmoid/Tanh/Tanh) Y [T,1,B,H] -> Squeeze -> Transpose [B,T,H]
 * -> MatMul + Add [B,T,1] -> the head (heads/registry.ts `headOf(…).graph`; today the corrected Q10 prior, with targetScale) -> efflux [B,T]
 *
 * @param schema gives the column counts and the normaliser baked into the graph
 * @throws {Error} if the weight shapes do not fit the schema
 */
export function buildGraph(schema: ModelSchema, weights: NetworkWeights): GraphProto {
  const Dd = schema.dynamic.length;
  const Ds = staticWidth(schema);
  const H = weights.hidden;
  const layout = inputLayout(Dd, Ds);
  const inputWidth = layout.width;
  const lstm = kerasToOnnxLstm(weights.kernel, weights.recurrentKernel, weights.bias, H);
  if (lstm.input !== inputWidth)
    throw new Error(
      `LSTM kernel takes ${lstm.input} inputs, the schema gives 2·(${Dd} + ${Ds}) = ${inputWidth}`,
    );
  if (weights.headKernel.length !== H || weights.headBias.length !== 1)
    throw new Error(
      `head weights have shapes [${weights.headKernel.length}] and [${weights.headBias.length}], expected [${H}] and [1]`,
    );
  const head = headOf(weights.architecture).graph(weights.architecture, layout);
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
    floatTensor("head_kernel", [H, 1], weights.headKernel),
    floatTensor("head_bias", [1], weights.headBias),
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
