/** The one place ONNX protobuf is encoded and decoded: ModelProto (model.onnx) and TensorProto (golden .pb files). */
import protobuf from "protobufjs/light.js";
import descriptor from "./onnx-proto.json" with { type: "json" };

/** ONNX TensorProto.DataType values soilco2 uses. */
export const DataType = { FLOAT: 1, BOOL: 9, INT64: 7 } as const;

/** ONNX AttributeProto.AttributeType values soilco2 uses. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7, STRINGS: 8 } as const;

/** A TensorProto with its data in `raw_data` (little-endian), the form soilco2 writes. */
export interface TensorProto {
  name?: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int64_data?: number[];
  doc_string?: string;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
}

/** One axis of a declared shape: a fixed size or a symbolic name such as `batch`. */
export type Dim = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Dim[] } } };
  doc_string?: string;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain?: string; version: number }[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph: GraphProto;
  metadata_props?: { key: string; value: string }[];
}

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const ModelType = root.lookupType("onnx.ModelProto");
const TensorType = root.lookupType("onnx.TensorProto");
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, arrays: true };

/** Serialise a model to the bytes of a `.onnx` file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return ModelType.encode(ModelType.fromObject(model)).finish();
}

/**
 * Parse the bytes of a `.onnx` file (fields outside soilco2's subset of onnx.proto are skipped).
 * @throws {Error} if the bytes are not a protobuf message
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return ModelType.toObject(ModelType.decode(bytes), TO_OBJECT) as ModelProto;
}

/** Serialise a TensorProto (the `input_N.pb` / `output_N.pb` layout of ONNX conformance tests). */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  return TensorType.encode(TensorType.fromObject(tensor)).finish();
}

/** Parse a serialised TensorProto. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return TensorType.toObject(TensorType.decode(bytes), TO_OBJECT) as TensorProto;
}

/**
 * A float32 tensor with its values stored little-endian in `raw_data`.
 * @param dims shape, row-major
 * @example floatTensor("W", [1, 4, 3], weights)
 */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`tensor ${name}: ${values.length} values for shape [${dims}]`);
  const raw = new Uint8Array(n * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, data_type: DataType.FLOAT, raw_data: raw };
}

/** An int64 tensor (shapes and axes for Expand, Squeeze, Unsqueeze), stored little-endian in `raw_data`. */
export function int64Tensor(name: string, dims: number[], values: readonly number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  return { name, dims, data_type: DataType.INT64, raw_data: raw };
}

/**
 * The values of a float32 TensorProto, from `raw_data` or `float_data`.
 * @throws {Error} for another data type
 */
export function tensorFloats(tensor: TensorProto): Float32Array {
  if (tensor.data_type !== DataType.FLOAT)
    throw new Error(`tensor ${tensor.name ?? ""} has data type ${tensor.data_type}, expected FLOAT (1)`);
  const n = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.raw_data && tensor.raw_data.length > 0) {
    const raw = tensor.raw_data;
    if (raw.length !== n * 4)
      throw new Error(`tensor ${tensor.name ?? ""}: ${raw.length} bytes for ${n} floats`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
  }
  return Float32Array.from(tensor.float_data ?? []);
}

/** `metadata_props` as a plain record (later duplicates win). */
export function metadataRecord(model: Pick<ModelProto, "metadata_props">): Record<string, string> {
  return Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key, p.value]));
}
