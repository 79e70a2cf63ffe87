/** The model registry the app serves from: an interface any runtime can fill, plus an in-memory implementation. */
import type { RawBatch } from "../core/batch.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { Manifest } from "../model/manifest.ts";
import { compareVersions, defaultModelName } from "../model/model-name.ts";

/** Runs a model on a raw batch: efflux row-major [batch, time] in µmol CO2 m-2 s-1 (`OrtPredictor` satisfies it). */
export interface BatchPredictor {
  predict(input: RawBatch): Promise<Float32Array>;
}

/** One loaded model version. `ready` may change after creation (e.g. while a session warms up or restarts). */
export interface ModelEntry {
  name: string;
  /**
   * The version's address: its directory name in `<root>/<name>/<version>/` (Triton's numbered directories, e.g.
   * `1`, `2`); the manifest's version string (`manifest.version`) is metadata.
   */
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

/** A model version that was found but does not serve: its directory and why, for its ready route and the log. */
export interface VersionFailure {
  name: string;
  version: string;
  /** The version's directory. */
  dir: string;
  /** One line: what went wrong and what to do. */
  reason: string;
}

/** What the app needs from a set of models. */
export interface ModelRegistry {
  /** Every model name with its versions (loaded and failed), oldest first (the last one is the newest). */
  list(): { name: string; versions: string[] }[];
  /**
   * A loaded model version (by directory version, or by its manifest version when that names one version), or
   * with `version` undefined the newest ready one (the newest loaded one when none is ready); undefined when none.
   */
  get(name: string, version?: string): ModelEntry | undefined;
  /** Why a version that was found does not serve; undefined for a loaded or unknown version. */
  failure(name: string, version: string): VersionFailure | undefined;
  /** The model `POST /v1/predict` uses when a request names none. */
  defaultModel(): string | undefined;
}

/**
 * An in-memory registry over loaded entries and failed versions. The default model is `defaultModel`, else
 * {@link defaultModelName} of the loaded names.
 * @throws {Error} when two entries share a name and version
 * @example const registry = createModelRegistry([{ name, version: "1", schema, manifest, sha256, predictor, ready: true, executionProvider: "cpu" }]);
 */
export function createModelRegistry(
  entries: readonly ModelEntry[],
  opts: { defaultModel?: string; failures?: readonly VersionFailure[] } = {},
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
  const failures = opts.failures ?? [];
  const versionsOf = (name: string) =>
    [
      ...new Set([
        ...(byName.get(name) ?? []).map((e) => e.version),
        ...failures.filter((f) => f.name === name).map((f) => f.version),
      ]),
    ].sort(compareVersions);
  const names = [...new Set([...byName.keys(), ...failures.map((f) => f.name)])].sort();
  const defaultName = opts.defaultModel ?? defaultModelName(byName.keys());
  return {
    list: () => names.map((name) => ({ name, versions: versionsOf(name) })),
    get(name, version) {
      const list = byName.get(name);
      if (!list) return undefined;
      if (version === undefined) return list.findLast((e) => e.ready) ?? list[list.length - 1];
      const exact = list.find((e) => e.version === version);
      if (exact || failures.some((f) => f.name === name && f.version === version)) return exact;
      const alias = list.filter((e) => e.manifest.version === version);
      return alias.length === 1 ? alias[0] : undefined;
    },
    failure: (name, version) => failures.find((f) => f.name === name && f.version === version),
    defaultModel: () => defaultName,
  };
}
