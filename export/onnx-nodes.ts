/** Small builders of ONNX graph pieces (nodes, attributes, value infos, scalar initializers) for export/build-graph.ts. */
import {
  type AttributeProto,
  AttributeType,
  DataType,
  type Dim,
  floatTensor,
  type NodeProto,
  type ValueInfoProto,
} from "../model/onnx-codec.ts";

const enc = new TextEncoder();

/** A node named after its first output. */
export function node(
  op_type: string,
  input: string[],
  output: string[],
  attribute: AttributeProto[] = [],
  doc_string?: string,
): NodeProto {
  return { op_type, input, output, name: output[0]!, attribute, ...(doc_string ? { doc_string } : {}) };
}
/** Attributes of the four kinds the graph uses: INT, INTS, STRING, STRINGS. */
export const intAttr = (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i });
export const intsAttr = (name: string, ints: number[]): AttributeProto => ({
  name,
  type: AttributeType.INTS,
  ints,
});
export const stringAttr = (name: string, s: string): AttributeProto => ({
  name,
  type: AttributeType.STRING,
  s: enc.encode(s),
});
export const stringsAttr = (name: string, values: readonly string[]): AttributeProto => ({
  name,
  type: AttributeType.STRINGS,
  strings: values.map((v) => enc.encode(v)),
});

/** A float32 graph input or output of shape `dims` (numbers fixed, strings symbolic axes such as `batch`). */
export function valueInfo(name: string, dims: (string | number)[], doc: string): ValueInfoProto {
  const dim: Dim[] = dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } }, doc_string: doc };
}

/** A float32 scalar initializer. */
export const scalar = (name: string, v: number) => floatTensor(name, [], [v]);
