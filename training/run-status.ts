/** Whether a run finished training: every network wrote its history.json (written when its training loop ends), else how far it got. */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TrainConfig } from "./config.ts";
import { memberDirs, RUN_FILES } from "./run-dir.ts";

/** A network of a run that has not finished: its directory and its last checkpointed epoch (0: none). */
export interface UnfinishedNetwork {
  dir: string;
  epoch: number;
}

/** Directories of every network of a run: per fold (site-cv) and per ensemble member. */
function networkDirs(runDir: string, config: TrainConfig): string[] {
  const folds =
    config.split.kind === "temporal"
      ? [runDir]
      : Array.from({ length: config.split.folds }, (_, k) => join(runDir, "folds", `fold-${k}`));
  return folds.flatMap((f) => memberDirs(f, config.train.members));
}

/** The networks of a run that stopped before their training loop ended (killed, Ctrl-C), with their last epoch. */
export async function unfinishedNetworks(runDir: string, config: TrainConfig): Promise<UnfinishedNetwork[]> {
  const out: UnfinishedNetwork[] = [];
  for (const dir of networkDirs(runDir, config)) {
    if (await stat(join(dir, RUN_FILES.history)).catch(() => undefined)) continue;
    let epoch = 0;
    try {
      epoch =
        Number(JSON.parse(await readFile(join(dir, RUN_FILES.checkpoint, "latest.json"), "utf8")).epoch) || 0;
    } catch {
      epoch = 0;
    }
    out.push({ dir, epoch });
  }
  return out;
}

/**
 * One warning line for an unfinished run, or undefined when every network finished.
 * @example "warning: runs/x has not finished training (stopped at epoch 3; 60 epochs configured); finish it with `soilco2 train --resume runs/x`"
 */
export async function unfinishedWarning(runDir: string, config: TrainConfig): Promise<string | undefined> {
  const left = await unfinishedNetworks(runDir, config);
  if (left.length === 0) return undefined;
  const epochs = [...new Set(left.map((n) => n.epoch))].sort((a, b) => a - b);
  const at =
    epochs.length === 1
      ? epochs[0] === 0
        ? "before its first checkpoint"
        : `at epoch ${epochs[0]}`
      : `at epochs ${epochs.join(", ")}`;
  const many = left.length > 1 ? `${left.length} networks stopped ${at}` : `stopped ${at}`;
  return `warning: ${runDir} has not finished training (${many}; ${config.train.epochs} epochs configured); its numbers are those of an unfinished model: finish it with \`soilco2 train --resume ${runDir}\``;
}
