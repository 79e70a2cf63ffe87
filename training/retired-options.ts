/** Config options that were tried, not adopted and whose code was removed (docs/training.md): how configs and saved runs naming them are read. */
import { ArtefactError } from "../core/errors.ts";

/**
 * Each removed option, by `block.key`, with the value that gives the behaviour left (every run dir's `config.json`
 * holds the resolved config, so runs made before the removal name these keys with these values).
 */
export const RETIRED_OPTIONS: Readonly<Record<string, string | number>> = {
  "model.head": "prior",
  "train.loss": "nse",
  "train.ema": 0,
  "train.driverDropout": 0,
};

/** The words for a removed key a user config names, or undefined if `path` (e.g. `train.ema`) was never removed. */
export function retiredOptionHint(path: string): string | undefined {
  if (!(path in RETIRED_OPTIONS)) return undefined;
  return `${path} was removed (tried and not adopted, docs/training.md): delete the key`;
}

/**
 * A saved run's resolved config without the removed keys that hold the behaviour left, so that runs made before the
 * removal still resume, evaluate and export.
 * @param file the config file, named in the error
 * @throws {ArtefactError} if the run was trained with a removed option set otherwise (this code cannot rebuild it)
 */
export function withoutRetiredOptions(config: unknown, file: string): unknown {
  if (typeof config !== "object" || config === null) return config;
  const out = structuredClone(config) as Record<string, Record<string, unknown> | undefined>;
  for (const [path, kept] of Object.entries(RETIRED_OPTIONS)) {
    const [block, key] = path.split(".") as [string, string];
    const node = out[block];
    if (typeof node !== "object" || node === null || !(key in node)) continue;
    if (node[key] !== kept)
      throw new ArtefactError(
        file,
        `the run was trained with ${path} = ${JSON.stringify(node[key])}, an option removed from soilco2 (tried and not adopted, docs/training.md)`,
        `retrain it with this version (${path} is now always ${JSON.stringify(kept)}), or use a soilco2 from before the removal`,
      );
    delete node[key];
  }
  return out;
}
