/** The load-time check of a model version: its golden `test_data_set_N` run through the session it will serve from. */
import { ArtefactError } from "../../core/errors.ts";
import type { Manifest } from "../../model/manifest.ts";
import { readGoldenSets } from "../../model/node/golden-files.ts";
import { compareOutputs, describeParity } from "../../model/parity.ts";
import type { BatchPredictor } from "../registry.ts";

/** Inputs and expected outputs of every golden set of a model directory, read once. */
export type GoldenSets = Awaited<ReturnType<typeof readGoldenSets>>;

/**
 * Read `<dir>/test_data_set_N/` and check they are the sets manifest.json lists.
 * @throws {ArtefactError} naming `dir` when a listed set is missing or unreadable
 */
export async function readCheckedGoldenSets(dir: string, manifest: Manifest): Promise<GoldenSets> {
  const sets = await readGoldenSets(dir);
  const have = new Set(sets.map((s) => s.name));
  const missing = manifest.golden.sets.filter((s) => !have.has(s.dir)).map((s) => s.dir);
  if (missing.length > 0)
    throw new ArtefactError(dir, `golden set ${missing.join(", ")} missing`, "re-export the model directory");
  return sets;
}

/**
 * Run every golden set through `predictor` and compare with its expected output within the manifest's tolerance.
 * A model whose weights were changed after export (even with a recomputed sha256) fails here.
 * @returns one line per set, e.g. `test_data_set_0: max abs 4.8e-7, max rel 3.1e-7 over 120 values`
 * @throws {ArtefactError} naming `dir` and the first set that does not match
 */
export async function runGoldenSets(
  dir: string,
  manifest: Manifest,
  sets: GoldenSets,
  predictor: BatchPredictor,
): Promise<string[]> {
  const lines: string[] = [];
  for (const set of sets) {
    const y = await predictor.predict(set.input);
    const report = compareOutputs(y, set.expected, manifest.golden.tolerance);
    if (!report.ok)
      throw new ArtefactError(
        dir,
        `golden ${set.name} does not match the exported outputs (${describeParity(report)})`,
        "the model file differs from what was exported and checked; re-export the model directory",
      );
    lines.push(`${set.name}: ${describeParity(report)}`);
  }
  return lines;
}
