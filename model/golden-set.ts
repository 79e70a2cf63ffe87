/** One golden set as ONNX conformance-test files: `input_0.pb` (dynamic), `input_1.pb` (static), `output_0.pb` (efflux). Runtime-free. */
import type { RawBatch } from "../core/batch.ts";
import { INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX } from "./graph-contract.ts";
import { decodeTensor, encodeTensor, floatTensor, tensorFloats } from "./onnx-codec.ts";

/** File names inside `test_data_set_N/`, in the order of the graph's inputs and outputs. */
export const GOLDEN_FILES = { dynamic: "input_0.pb", static: "input_1.pb", efflux: "output_0.pb" } as const;

/** Raw inputs and the reference (tfjs) output for them. */
export interface GoldenSet {
  input: RawBatch;
  /** Row-major [batch, time], µmol CO2 m-2 s-1. */
  expected: Float32Array;
}

/** Serialise a set as TensorProto files named after the graph's inputs and output. */
export function encodeGoldenSet(set: GoldenSet): Record<string, Uint8Array> {
  const { input: x, expected } = set;
  return {
    [GOLDEN_FILES.dynamic]: encodeTensor(
      floatTensor(INPUT_DYNAMIC, [x.batch, x.time, x.dynamicCols], x.dynamic),
    ),
    [GOLDEN_FILES.static]: encodeTensor(floatTensor(INPUT_STATIC, [x.batch, x.staticCols], x.static)),
    [GOLDEN_FILES.efflux]: encodeTensor(floatTensor(OUTPUT_EFFLUX, [x.batch, x.time], expected)),
  };
}

/**
 * Parse the three files of a set.
 * @throws {Error} if the shapes do not agree with each other
 */
export function decodeGoldenSet(files: {
  dynamic: Uint8Array;
  static: Uint8Array;
  efflux: Uint8Array;
}): GoldenSet {
  const d = decodeTensor(files.dynamic);
  const s = decodeTensor(files.static);
  const y = decodeTensor(files.efflux);
  const [batch, time, dynamicCols] = d.dims;
  const staticCols = s.dims[1];
  if (
    d.dims.length !== 3 ||
    s.dims.length !== 2 ||
    y.dims.length !== 2 ||
    s.dims[0] !== batch ||
    y.dims[0] !== batch ||
    y.dims[1] !== time ||
    batch === undefined ||
    time === undefined ||
    dynamicCols === undefined ||
    staticCols === undefined
  )
    throw new Error(
      `golden set shapes disagree: dynamic [${d.dims}], static [${s.dims}], efflux [${y.dims}]`,
    );
  return {
    input: { dynamic: tensorFloats(d), static: tensorFloats(s), batch, time, dynamicCols, staticCols },
    expected: tensorFloats(y),
  };
}
