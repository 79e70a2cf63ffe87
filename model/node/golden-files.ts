/** Golden sets on disk: `<model dir>/test_data_set_N/{input_0,input_1,output_0}.pb` (Node). */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../../core/errors.ts";
import { decodeGoldenSet, encodeGoldenSet, GOLDEN_FILES, type GoldenSet } from "../golden-set.ts";
import { MODEL_DIR_FILES } from "../manifest.ts";

/** Directory name of set `index`, e.g. `test_data_set_0`. */
export function goldenDirName(index: number): string {
  return `${MODEL_DIR_FILES.goldenPrefix}${index}`;
}

/** Write set `index` under `modelDir` (used on the export's temporary directory; no atomicity of its own). */
export async function writeGoldenSet(modelDir: string, index: number, set: GoldenSet): Promise<string> {
  const dir = join(modelDir, goldenDirName(index));
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(encodeGoldenSet(set))) await writeFile(join(dir, name), bytes);
  return dir;
}

/**
 * Read every `test_data_set_N/` of a model directory, in N order.
 * @throws {ArtefactError} if a set is incomplete or unreadable
 */
export async function readGoldenSets(modelDir: string): Promise<(GoldenSet & { name: string })[]> {
  const names = (await readdir(modelDir))
    .filter((n) => n.startsWith(MODEL_DIR_FILES.goldenPrefix))
    .sort(
      (a, b) =>
        Number(a.slice(MODEL_DIR_FILES.goldenPrefix.length)) -
        Number(b.slice(MODEL_DIR_FILES.goldenPrefix.length)),
    );
  return Promise.all(
    names.map(async (name) => {
      const dir = join(modelDir, name);
      try {
        const [dynamic, stat, efflux] = await Promise.all(
          [GOLDEN_FILES.dynamic, GOLDEN_FILES.static, GOLDEN_FILES.efflux].map((f) => readFile(join(dir, f))),
        );
        return { name, ...decodeGoldenSet({ dynamic: dynamic!, static: stat!, efflux: efflux! }) };
      } catch (cause) {
        throw new ArtefactError(dir, "golden set incomplete or unreadable", "re-export the model directory", {
          cause,
        });
      }
    }),
  );
}
