/** The exported graph's contract: pinned ONNX versions and the names and axes of its inputs and output (no dependencies, safe on every runtime). */

/** ONNX operator set the graph is written for (LSTM-14, Where-16, Shape-15); onnxruntime 1.30 node and web run it. */
export const OPSET_VERSION = 17;
/** ONNX IR version of the file (IR 8 goes with opset 17). */
export const IR_VERSION = 8;

/** Graph input: daily drivers, float32 [batch, time, Dd], physical units of `schema.dynamic`, NaN = gap. */
export const INPUT_DYNAMIC = "dynamic";
/** Graph input: site attributes, float32 [batch, Ds], numeric then one-hot (core/static-vector.ts encodeStatic), NaN = gap. */
export const INPUT_STATIC = "static";
/** Graph output: float32 [batch, time], daily mean soil CO2 efflux in µmol CO2 m-2 s-1. */
export const OUTPUT_EFFLUX = "efflux";
/** Symbolic names of the dynamic axes. */
export const BATCH_DIM = "batch";
export const TIME_DIM = "time";
