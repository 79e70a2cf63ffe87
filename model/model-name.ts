/** Model names and versions (no imports: `soilco2 export --help` shows the default name without loading the exporter). */

/** The name `soilco2 export` gives a model, and the one serving and the edge build pick first. */
export const DEFAULT_MODEL_NAME = "soilco2-lstm";

/**
 * Order versions so that the newest comes last: numeric parts compare as numbers (`10` after `9`, `0.10.0` after
 * `0.9.1`). Applied to directory versions, this is Triton's rule: the highest numbered directory is the newest.
 */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/**
 * The default model among `names`: {@link DEFAULT_MODEL_NAME} when present, else the first in alphabetical order.
 * @example defaultModelName(["b", "a"]) // "a"
 */
export function defaultModelName(names: Iterable<string>): string | undefined {
  const sorted = [...new Set(names)].sort();
  return sorted.includes(DEFAULT_MODEL_NAME) ? DEFAULT_MODEL_NAME : sorted[0];
}
