/** One trained network of a run, loaded from its member directory into tfjs variables. */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type Architecture, initParams, type ModelParams } from "./model.ts";
import { RUN_FILES } from "./run-dir.ts";
import { assignWeights, loadWeights } from "./weights-file.ts";

/**
 * A member network of a run, from its `model/` weights.
 * @param dir a member directory (training/run-dir.ts `memberDirs`)
 * @returns tfjs variables (dispose them with `paramList`) and the architecture they were saved with
 */
export async function loadMemberModel(
  dir: string,
): Promise<{ params: ModelParams; architecture: Architecture }> {
  const file = await loadWeights(join(dir, RUN_FILES.model));
  const params = initParams(file.architecture, 0);
  assignWeights(params, file, tf);
  return { params, architecture: file.architecture };
}
