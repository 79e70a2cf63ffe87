/** Which model directory under a model root the demo and `npm run build:edge` use: the one `soilco2 serve` answers with by default (Node only). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MODEL_DIR_FILES } from "../export/manifest.ts";
import { findVersionDirs } from "../serving/node/model-dirs.ts";
import { compareVersions } from "../serving/registry.ts";

/** The model root `soilco2 serve` reads by default. */
export const DEFAULT_MODEL_ROOT = "models";

/**
 * The newest version of `soilco2-lstm` under `root` (or of the alphabetically first model when there is none), as
 * serving's registry picks its default model: the highest numbered version directory (Triton's rule), not the
 * manifest's version string.
 * @throws {ArtefactError} naming `root` when it holds no model
 * @example await defaultModelDir("models") // "/…/models/soilco2-lstm/2"
 */
export async function defaultModelDir(root: string = DEFAULT_MODEL_ROOT): Promise<string> {
  const found: { dir: string; name: string; version: string }[] = [];
  for (const ref of await findVersionDirs(root)) {
    if (!ref.hasManifest) continue;
    const m = JSON.parse(await readFile(join(ref.dir, MODEL_DIR_FILES.manifest), "utf8")) as {
      name: string;
      version: string;
    };
    found.push({ dir: ref.dir, name: m.name, version: ref.version ?? m.version });
  }
  const names = [...new Set(found.map((f) => f.name))].sort();
  const name = names.includes("soilco2-lstm") ? "soilco2-lstm" : names[0];
  const versions = found.filter((f) => f.name === name).sort((a, b) => compareVersions(a.version, b.version));
  return versions[versions.length - 1]!.dir;
}
