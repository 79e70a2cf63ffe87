/** The tfjs network (training/model.ts forward on core/prepare.ts inputs): the reference every ONNX runtime must match. */
import * as tf from "@tensorflow/tfjs";
import { ensembleMean } from "../core/ensemble.ts";
import { lstmInputWidth } from "../core/input-layout.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import { prepareSeries } from "../core/prepare.ts";
import { type Architecture, forward, type ModelParams, paramList } from "../training/model.ts";
import type { NetworkWeights } from "./network-weights.ts";

/** Raw model inputs, the same tensors the ONNX graph takes. */
export interface RawInput {
  /** Row-major [batch, time, Dd], physical units, NaN = gap. */
  dynamic: Float32Array;
  /** Row-major [batch, Ds], physical units and one-hot block, NaN = gap. */
  static: Float32Array;
  batch: number;
  time: number;
}

/** A loaded tfjs network; call `dispose()` when done. */
export interface TfjsReference {
  /** Efflux, row-major [batch, time], µmol CO2 m-2 s-1. */
  predict(input: RawInput): Float32Array;
  dispose(): void;
}

/**
 * Load the network into tfjs variables on the current backend (see training/backend.ts `selectBackend`).
 * @example const ref = createTfjsReference(weights, schema); const y = ref.predict(batch); ref.dispose();
 */
export function createTfjsReference(weights: NetworkWeights, schema: ModelSchema): TfjsReference {
  const H = weights.hidden;
  const Dd = schema.dynamic.length;
  const Ds = staticWidth(schema);
  const inputWidth = lstmInputWidth(Dd, Ds);
  if (weights.kernel.length !== inputWidth * 4 * H) throw new Error("weights do not fit the schema");
  const architecture: Architecture = weights.architecture;
  const params: ModelParams = {
    lstm: {
      kernel: tf.variable(tf.tensor2d(weights.kernel, [inputWidth, 4 * H]), false),
      recurrentKernel: tf.variable(tf.tensor2d(weights.recurrentKernel, [H, 4 * H]), false),
      bias: tf.variable(tf.tensor1d(weights.bias), false),
    },
    headKernel: tf.variable(tf.tensor2d(weights.headKernel, [H, 1]), false),
    headBias: tf.variable(tf.tensor1d(weights.headBias), false),
  };
  const { dynamic: dynStats, static: statStats, targetScale } = schema.normaliser;
  return {
    predict(input) {
      const { batch: B, time: T } = input;
      if (input.dynamic.length !== B * T * Dd || input.static.length !== B * Ds)
        throw new Error(`input shapes do not match [${B}, ${T}, ${Dd}] and [${B}, ${Ds}]`);
      // prepareSeries gives batch-major [time, width] per series; the LSTM wants time-major [time, batch, width].
      const data = new Float32Array(T * B * inputWidth);
      for (let b = 0; b < B; b++) {
        const series = prepareSeries(
          input.dynamic.subarray(b * T * Dd, (b + 1) * T * Dd),
          Dd,
          input.static.subarray(b * Ds, (b + 1) * Ds),
          dynStats,
          statStats,
        );
        for (let t = 0; t < T; t++)
          data.set(series.subarray(t * inputWidth, (t + 1) * inputWidth), (t * B + b) * inputWidth);
      }
      const y = forward(params, architecture, { data, time: T, batch: B, input: inputWidth });
      const tm = y.dataSync() as Float32Array;
      y.dispose();
      const out = new Float32Array(B * T);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out[b * T + t] = tm[t * B + b]! * targetScale;
      return out;
    },
    dispose() {
      for (const v of paramList(params)) v.dispose();
    },
  };
}

/**
 * The reference for a seed ensemble: each member's {@link createTfjsReference}, efflux = the mean of their outputs
 * (core/ensemble.ts `ensembleMean`, as in evaluation and in the exported graph).
 */
export function createEnsembleReference(
  members: readonly NetworkWeights[],
  schema: ModelSchema,
): TfjsReference {
  const refs = members.map((w) => createTfjsReference(w, schema));
  if (refs.length === 1) return refs[0]!;
  return {
    predict: (input) => ensembleMean(refs.map((r) => r.predict(input))),
    dispose() {
      for (const r of refs) r.dispose();
    },
  };
}
