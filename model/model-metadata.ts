/** The keys soilco2 writes into an ONNX model's `metadata_props`, and the pure functions that write and read them. */
import type { ModelSchema } from "../core/model-schema.ts";

/** `metadata_props` keys. Values are strings; the JSON ones are `JSON.stringify` output. */
export const METADATA_KEYS = {
  /** The {@link ModelSchema} as JSON: features, units, ranges, normaliser, warm-up days. */
  schema: "soilco2.schema",
  /** Model name, e.g. `soilco2-lstm`. */
  name: "soilco2.model_name",
  /** Model version string, e.g. `0.1.0+run-2024-06-01`. */
  version: "soilco2.model_version",
  /** Training provenance as JSON: git commit, package and tfjs versions, data sha256, data citation. */
  provenance: "soilco2.provenance",
  /** Evaluation summary (the run's metrics/summary.json) as JSON, or `null` if the run was not evaluated. */
  metrics: "soilco2.metrics",
  /** Citation of the training data, in plain text. */
  citation: "soilco2.data_citation",
} as const;

/** What the metadata says about a model, besides its schema. */
export interface ModelMetadata {
  schema: ModelSchema;
  name: string;
  version: string;
  provenance: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  citation: string;
}

/** Metadata as ONNX `metadata_props` entries, in a fixed order so the model bytes are reproducible. */
export function metadataProps(meta: ModelMetadata): { key: string; value: string }[] {
  return [
    { key: METADATA_KEYS.schema, value: JSON.stringify(meta.schema) },
    { key: METADATA_KEYS.name, value: meta.name },
    { key: METADATA_KEYS.version, value: meta.version },
    { key: METADATA_KEYS.provenance, value: JSON.stringify(meta.provenance) },
    { key: METADATA_KEYS.metrics, value: JSON.stringify(meta.metrics) },
    { key: METADATA_KEYS.citation, value: meta.citation },
  ];
}

/**
 * The schema stored in metadata, parsed from JSON but not yet validated (use core's `parseModelSchema`).
 * @returns undefined if the key is absent or its value is not JSON
 */
export function metadataSchemaJson(props: Record<string, string>): unknown {
  const text = props[METADATA_KEYS.schema];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
