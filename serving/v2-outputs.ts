/** KServe v2 outputs: the efflux and, where the model directory carries the network's own interval, its 10% and 90% bounds as extra output tensors (JSON or binary, per output). */
import type { z } from "zod";
import type { ModelSchema } from "../core/model-schema.ts";
import { type NetworkIntervals, networkIntervalFor } from "../core/network-interval.ts";
import { OUTPUT_EFFLUX } from "../model/graph-contract.ts";
import { HttpError } from "./errors.ts";
import type { v2InferRequestZ } from "./schemas.ts";
import { V2_DATATYPE } from "./v2-tensors.ts";

/** Names of the interval outputs: [batch, time] efflux × the interval's factors, µmol m-2 s-1. */
export const OUTPUT_LOWER = `${OUTPUT_EFFLUX}_lower`;
export const OUTPUT_UPPER = `${OUTPUT_EFFLUX}_upper`;

type InferRequest = z.infer<typeof v2InferRequestZ>;

/** The outputs a model gives: the efflux, and the interval's bounds when its manifest has `intervals`. */
export function v2OutputNames(intervals: NetworkIntervals | null | undefined): string[] {
  return intervals ? [OUTPUT_EFFLUX, OUTPUT_LOWER, OUTPUT_UPPER] : [OUTPUT_EFFLUX];
}

/** Output tensors as KServe v2 metadata, each `[-1, -1]` (batch, time). */
export function v2OutputMetadata(intervals: NetworkIntervals | null | undefined) {
  return v2OutputNames(intervals).map((name) => ({ name, datatype: V2_DATATYPE, shape: [-1, -1] }));
}

/** The outputs an answer holds, in order, and for each whether it goes out as binary tensor data. */
export interface OutputPlan {
  names: string[];
  binary: boolean[];
}

/**
 * The outputs asked for (all of them when the request names none) and their encoding: binary with
 * `binary_data: true` on the output, or `binary_data_output: true` on the request unless the output says
 * `binary_data: false`.
 * @throws {HttpError} 400 for an output this model does not give
 */
export function requestedOutputs(
  req: InferRequest,
  intervals: NetworkIntervals | null | undefined,
): OutputPlan {
  const all = req.parameters?.binary_data_output === true;
  const given = v2OutputNames(intervals);
  if (!req.outputs || req.outputs.length === 0) return { names: given, binary: given.map(() => all) };
  const names: string[] = [];
  const binary: boolean[] = [];
  req.outputs.forEach((o, i) => {
    if (!given.includes(o.name))
      throw new HttpError(
        400,
        "invalid_input",
        `outputs[${i}].name: unknown output ${JSON.stringify(o.name)}`,
        `this model gives ${given.join(", ")}`,
        { path: `outputs[${i}].name` },
      );
    const own = o.parameters?.binary_data;
    names.push(o.name);
    binary.push(own === true || (all && own !== false));
  });
  return { names, binary };
}

/**
 * The tensors of the named outputs.
 * @param efflux [batch × time] the model's output, row-major
 * @param statics per batch row, [Ds] the raw static row (which interval applies: with or without reference statistics)
 * @returns per name, [batch × time]
 */
export function outputTensors(
  names: readonly string[],
  efflux: Float32Array,
  statics: readonly Float32Array[],
  time: number,
  schema: ModelSchema,
  intervals: NetworkIntervals | null | undefined,
): Float32Array[] {
  const factors = statics.map((st) => networkIntervalFor(intervals, schema, st));
  const scaled = (which: "lower" | "upper") =>
    Float32Array.from(efflux, (v, k) => v * factors[Math.floor(k / time)]![which]);
  return names.map((n) =>
    n === OUTPUT_LOWER ? scaled("lower") : n === OUTPUT_UPPER ? scaled("upper") : efflux,
  );
}
