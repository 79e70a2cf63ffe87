/** The trained network's weights as plain arrays, checked against the model schema: what export and the tfjs reference share. */
import { ArtefactError } from "../core/errors.ts";
import { lstmInputWidth } from "../core/input-layout.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import type { Architecture } from "../training/model.ts";
import type { WeightsFile } from "../training/weights-file.ts";

/** Trained weights in the Keras / tfjs layout (training/weights-file.ts names), plain row-major arrays. */
export interface NetworkWeights {
  /** `lstm/kernel` [input, 4·hidden], input = 2·(Dd + Ds), core/input-layout.ts */
  kernel: Float32Array;
  /** `lstm/recurrent_kernel` [hidden, 4·hidden] */
  recurrentKernel: Float32Array;
  /** `lstm/bias` [4·hidden] */
  bias: Float32Array;
  /** `head/kernel` [hidden, 1] */
  headKernel: Float32Array;
  /** `head/bias` [1] */
  headBias: Float32Array;
  /** LSTM units. */
  hidden: number;
  /** The architecture saved with the weights (where the head's prior finds its inputs). */
  architecture: Architecture;
}

/**
 * Pick the network's weights out of a run's weights file and check every shape against the schema.
 * @param where file named in errors, e.g. `<run>/model/model.json`
 * @throws {ArtefactError} if a weight is missing or its shape does not fit the schema's column counts
 */
export function networkWeights(
  file: WeightsFile,
  schema: ModelSchema,
  where = "model/model.json",
): NetworkWeights {
  const H = file.architecture.hidden;
  const input = lstmInputWidth(schema.dynamic.length, staticWidth(schema));
  const expected: Record<string, number[]> = {
    "lstm/kernel": [input, 4 * H],
    "lstm/recurrent_kernel": [H, 4 * H],
    "lstm/bias": [4 * H],
    "head/kernel": [H, 1],
    "head/bias": [1],
  };
  const get = (name: string): Float32Array => {
    const w = file.weights.get(name);
    const shape = expected[name]!;
    if (!w) throw new ArtefactError(where, `weight ${name} missing`, "retrain with this version of soilco2");
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
      throw new ArtefactError(
        where,
        `weight ${name} has shape [${w.shape}], the model schema needs [${shape}]`,
        "the weights and normaliser.json/config.json come from different runs; retrain",
      );
    return w.values;
  };
  return {
    kernel: get("lstm/kernel"),
    recurrentKernel: get("lstm/recurrent_kernel"),
    bias: get("lstm/bias"),
    headKernel: get("head/kernel"),
    headBias: get("head/bias"),
    hidden: H,
    architecture: file.architecture,
  };
}
