/** Run an exported model on any ONNX Runtime (node or web) through the onnxruntime-common API: raw batch in, efflux out. */
import type * as ortCommon from "onnxruntime-common";
import type { RawBatch } from "../core/batch.ts";
import { INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX } from "./graph-contract.ts";

/** The part of `onnxruntime-node` / `onnxruntime-web` this needs (both satisfy it). */
export interface OrtRuntime {
  InferenceSession: {
    create(
      model: Uint8Array,
      options?: ortCommon.InferenceSession.SessionOptions,
    ): Promise<ortCommon.InferenceSession>;
  };
  Tensor: typeof ortCommon.Tensor;
}

/** A loaded model: `predict` returns efflux row-major [batch, time] in µmol CO2 m-2 s-1. */
export interface OrtPredictor {
  predict(input: RawBatch): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Load model bytes into a session (graph optimisation `all` unless told otherwise).
 * @example const p = await createOrtPredictor(await import("onnxruntime-node"), modelBytes); const y = await p.predict(batch);
 */
export async function createOrtPredictor(
  ort: OrtRuntime,
  modelBytes: Uint8Array,
  options: ortCommon.InferenceSession.SessionOptions = {},
): Promise<OrtPredictor> {
  const session = await ort.InferenceSession.create(modelBytes, {
    graphOptimizationLevel: "all",
    ...options,
  });
  return {
    async predict(x) {
      const out = await session.run({
        [INPUT_DYNAMIC]: new ort.Tensor("float32", x.dynamic, [x.batch, x.time, x.dynamicCols]),
        [INPUT_STATIC]: new ort.Tensor("float32", x.static, [x.batch, x.staticCols]),
      });
      const y = out[OUTPUT_EFFLUX];
      if (!y) throw new Error(`model has no output named ${OUTPUT_EFFLUX}`);
      return y.data as Float32Array;
    },
    release: () => session.release(),
  };
}
