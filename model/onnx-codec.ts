/** The one place ONNX protobuf is encoded and decoded, ModelProto (model.onnx) and TensorProto (golden .pb files), through the static codec generated from onnx.proto (no eval: Node, workerd and browsers). */
import $protobuf from "protobufjs/minimal.js";
import { float32FromLE, writeFloat32LE } from "./float32-le.ts";
import { onnx } from "./onnx-pb.js";

// int64 fields decode as JS numbers, not Long objects (every int64 in a soilco2 model is far below 2^53).
$protobuf.util.Long = null as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

/** ONNX TensorProto.DataType and AttributeProto.AttributeType, as onnx.proto numbers them. */
export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** The messages as soilco2 builds them (every field optional, as in proto2); decoding gives the filled-in classes. */
export type TensorProto = onnx.TensorProto.$Properties;
export type AttributeProto = onnx.AttributeProto.$Properties;
export type NodeProto = onnx.NodeProto.$Properties;
export type ValueInfoProto = onnx.ValueInfoProto.$Properties;
export type GraphProto = onnx.GraphProto.$Properties;
export type ModelProto = onnx.ModelProto.$Properties;
/** One axis of a declared shape: a fixed size or a symbolic name such as `batch`. */
export type Dim = onnx.TensorShapeProto.Dimension.$Properties;

/** Serialise a model to the bytes of a `.onnx` file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Parse the bytes of a `.onnx` file (fields outside soilco2's subset of onnx.proto are skipped).
 * @throws {Error} if the bytes are not a protobuf message
 */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Serialise a TensorProto (the `input_N.pb` / `output_N.pb` layout of ONNX conformance tests). */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  return onnx.TensorProto.encode(tensor).finish();
}

/** Parse a serialised TensorProto. */
export function decodeTensor(bytes: Uint8Array): onnx.TensorProto {
  return onnx.TensorProto.decode(bytes);
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
  writeFloat32LE(raw, 0, values);
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
  const n = (tensor.dims ?? []).reduce((a, b) => a * b, 1);
  if (tensor.raw_data && tensor.raw_data.length > 0) {
    const raw = tensor.raw_data;
    if (raw.length !== n * 4)
      throw new Error(`tensor ${tensor.name ?? ""}: ${raw.length} bytes for ${n} floats`);
    return float32FromLE(raw);
  }
  return Float32Array.from(tensor.float_data ?? []);
}

/** `metadata_props` as a plain record (later duplicates win). */
export function metadataRecord(model: Pick<ModelProto, "metadata_props">): Record<string, string> {
  return Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
}
