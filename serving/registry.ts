/** The model registry the app serves from: an interface any runtime can fill, plus an in-memory implementation. */
import type { RawBatch } from "../core/batch.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { Manifest } from "../export/manifest.ts";

/** Runs a model on a raw batch: efflux row-major [batch, time] in µmol CO2 m-2 s-1 (`OrtPredictor` satisfies it). */
export interface BatchPredictor {
  predict(input: RawBatch): Promise<Float32Array>;
}

/** One loaded model version. `ready` may change after creation (e.g. while a session warms up). */
export interface ModelEntry {
  name: string;
  version: string;
  schema: ModelSchema;
  manifest: Manifest;
  /** sha256 of model.onnx, lower-case hex. */
  sha256: string;
  predictor: BatchPredictor;
  ready: boolean;
  /** The execution provider the session runs on, e.g. `cpu`, `cuda`, `wasm`. */
  executionProvider: string;
}

/** What the app needs from a set of models. */
export interface ModelRegistry {
  /** Every model name with its versions, oldest first (the last one is the latest). */
  list(): { name: string; versions: string[] }[];
  /** A model version, or its latest version when `version` is undefined; undefined when there is none. */
  get(name: string, version?: string): ModelEntry | undefined;
  /** The model `POST /v1/predict` uses when a request names none. */
  defaultModel(): string | undefined;
}

/**
 * Order versions so that the latest comes last: numeric parts compare as numbers (`0.10.0` after `0.9.1`,
 * `0.1.0+run-10` after `0.1.0+run-9`).
 */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/**
 * An in-memory registry over loaded entries. The default model is `defaultModel`, else `soilco2-lstm` when
 * present, else the first name in alphabetical order.
 * @throws {Error} when two entries share a name and version
 * @example const registry = createModelRegistry([{ name, version, schema, manifest, sha256, predictor, ready: true, executionProvider: "cpu" }]);
 */
export function createModelRegistry(
  entries: readonly ModelEntry[],
  opts: { defaultModel?: string } = {},
): ModelRegistry {
  const byName = new Map<string, ModelEntry[]>();
  for (const e of entries) {
    const list = byName.get(e.name) ?? [];
    if (list.some((x) => x.version === e.version))
      throw new Error(`model ${e.name} version ${e.version} is loaded twice`);
    list.push(e);
    byName.set(e.name, list);
  }
  for (const list of byName.values()) list.sort((a, b) => compareVersions(a.version, b.version));
  const names = [...byName.keys()].sort();
  const fallback = byName.has("soilco2-lstm") ? "soilco2-lstm" : names[0];
  const defaultName = opts.defaultModel ?? fallback;
  return {
    list: () => names.map((name) => ({ name, versions: byName.get(name)!.map((e) => e.version) })),
    get(name, version) {
      const list = byName.get(name);
      if (!list) return undefined;
      return version === undefined ? list[list.length - 1] : list.find((e) => e.version === version);
    },
    defaultModel: () => defaultName,
  };
}
