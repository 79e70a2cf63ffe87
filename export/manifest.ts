/** manifest.json: what a model directory holds (model file and its sha256, schema, provenance, metrics, tensors, golden data). */
import { z } from "zod";
import { type ModelSchema, staticColumns, staticWidth } from "../core/model-schema.ts";
import { networkIntervalsZ } from "../core/network-interval.ts";
import { BATCH_DIM, INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX, TIME_DIM } from "./graph-contract.ts";

export const MANIFEST_FORMAT = "soilco2-model-manifest";
/** Version of the manifest format; readers refuse any other value. */
export const MANIFEST_VERSION = 1;
/** File names inside a model directory. */
export const MODEL_DIR_FILES = {
  model: "model.onnx",
  manifest: "manifest.json",
  card: "MODEL_CARD.md",
  /** Golden sets are `test_data_set_0/`, `test_data_set_1/`, ... */
  goldenPrefix: "test_data_set_",
} as const;

const tensorDescZ = z.strictObject({
  name: z.string(),
  dtype: z.literal("float32"),
  /** Axis sizes; strings are symbolic (dynamic) axes. */
  shape: z.array(z.union([z.string(), z.number().int().nonnegative()])),
  unit: z.string(),
  description: z.string(),
  /** For the last axis: what each column holds, with its unit. */
  columns: z.array(z.string()).optional(),
});

/** zod schema of manifest.json. `schema` is checked separately by core's `parseModelSchema`. */
export const manifestZ = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  manifestVersion: z.literal(MANIFEST_VERSION),
  name: z.string().min(1),
  version: z.string().min(1),
  model: z.strictObject({
    /** File name inside the model directory (no path). */
    file: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/),
    /** Lower-case hex sha256 of the model file. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().positive(),
    irVersion: z.number().int().positive(),
    opsetVersion: z.number().int().positive(),
    producer: z.strictObject({ name: z.string(), version: z.string() }),
  }),
  schema: z.unknown(),
  provenance: z.record(z.string(), z.unknown()),
  /** The run's metrics/summary.json, or null when the run was not evaluated. */
  metrics: z.record(z.string(), z.unknown()).nullable(),
  inputs: z.array(tensorDescZ),
  outputs: z.array(tensorDescZ),
  golden: z.strictObject({
    /** Where the golden inputs came from: the run's golden-inputs.json, or seeded random windows. */
    source: z.enum(["run", "random"]),
    /** What computed the expected outputs, e.g. `tfjs 4.22.0 (cpu backend)`. */
    reference: z.string(),
    tolerance: z.strictObject({ abs: z.number().positive(), rel: z.number().positive() }),
    sets: z.array(
      z.strictObject({
        dir: z.string(),
        batch: z.number().int().positive(),
        time: z.number().int().positive(),
        /** Count of NaN values in the inputs. */
        gaps: z.number().int().nonnegative(),
        note: z.string(),
      }),
    ),
    /** Agreement of onnxruntime-node with the expected outputs, measured at export. */
    check: z
      .strictObject({ runtime: z.string(), maxAbs: z.number(), maxRel: z.number(), values: z.number() })
      .nullable(),
  }),
  exportedAt: z.string(),
  /** The network's 10-90% interval (core/network-interval.ts), added by `soilco2 interval`; absent = none. */
  intervals: networkIntervalsZ.optional(),
});

/** A parsed manifest.json. */
export type Manifest = z.infer<typeof manifestZ>;
export type TensorDescription = z.infer<typeof tensorDescZ>;

/** Descriptions of the graph's inputs and outputs, from the schema. */
export function describeTensors(schema: ModelSchema): {
  inputs: TensorDescription[];
  outputs: TensorDescription[];
} {
  const unitOf = new Map(schema.static.map((f) => [f.name, f.unit]));
  return {
    inputs: [
      {
        name: INPUT_DYNAMIC,
        dtype: "float32",
        shape: [BATCH_DIM, TIME_DIM, schema.dynamic.length],
        unit: "per column",
        description: "daily drivers in physical units, one row per consecutive day, NaN = gap",
        columns: schema.dynamic.map((f) => `${f.name} [${f.unit}] ${f.min}..${f.max}`),
      },
      {
        name: INPUT_STATIC,
        dtype: "float32",
        shape: [BATCH_DIM, staticWidth(schema)],
        unit: "per column",
        description: `site attributes in physical units, then the one-hot ${schema.categorical.name} block (all 0 = unknown), NaN = gap`,
        columns: staticColumns(schema).map((c) => (unitOf.has(c) ? `${c} [${unitOf.get(c)}]` : `${c} [0/1]`)),
      },
    ],
    outputs: [
      {
        name: OUTPUT_EFFLUX,
        dtype: "float32",
        shape: [BATCH_DIM, TIME_DIM],
        unit: schema.target.unit,
        description: schema.target.description,
      },
    ],
  };
}
