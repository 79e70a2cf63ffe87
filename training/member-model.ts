/** A run's trained networks, loaded from their member directories into tfjs variables, and a fold's ensemble series from them. */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "./experiment.ts";
import { type Architecture, initParams, type ModelParams, paramList } from "./model.ts";
import { ensembleSeries, predictSeries } from "./predict.ts";
import { memberDirs, RUN_FILES } from "./run-dir.ts";
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

/**
 * The ensemble mean of a fold's member networks over an experiment's sites (each member loaded from its directory
 * and released after, unless `trained` supplies it in memory).
 * @param foldDirectory the fold's directory (training/run-dir.ts `foldDir`)
 * @param trained per member, networks already in memory (kept, not disposed)
 * @returns per site of `experiment`, [length] efflux in µmol CO2 m-2 s-1
 */
export async function foldSeries(
  foldDirectory: string,
  members: number,
  experiment: Pick<Experiment, "prepared" | "width" | "normaliser">,
  trained?: readonly ({ params: ModelParams; architecture: Architecture } | undefined)[],
): Promise<Float32Array[]> {
  const out: Float32Array[][] = [];
  for (const [k, memberDir] of memberDirs(foldDirectory, members).entries()) {
    const model = trained?.[k] ?? (await loadMemberModel(memberDir));
    out.push(
      predictSeries(
        model.params,
        model.architecture,
        experiment.prepared,
        experiment.width,
        experiment.normaliser.targetScale,
      ),
    );
    if (!trained?.[k]) for (const v of paramList(model.params)) v.dispose();
  }
  return ensembleSeries(out);
}
