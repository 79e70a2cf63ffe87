/** `soilco2 train`: thin wrapper over training/run-train.ts with a progress bar. */
import type { Command } from "commander";
import type { BackendName } from "../training/backend.ts";
import {
  applyOverrides,
  parseTrainConfig,
  readTrainConfig,
  type TrainConfigInput,
} from "../training/config.ts";
import { runEvaluate } from "../training/run-evaluate.ts";
import { runTrain } from "../training/run-train.ts";
import { progressHooks } from "./train-progress.ts";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Register `train` on the program. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description(
      "train the LSTM on the daily dataset (ingest output), then evaluate it against the baselines",
    )
    .option("--config <file>", "JSON training config (strict: unknown keys are errors)")
    .option("--data <dir>", "ingest output directory (sets data.dir)")
    .option("--split <kind>", "temporal (the paper's) or site-cv (k-fold by whole sites)")
    .option("--epochs <n>", "maximum epochs", Number)
    .option(
      "--members <n>",
      "seed ensemble: train n networks (seeds seed..seed+n-1) and predict their mean (sets train.members; the shipped model uses 3)",
      Number,
    )
    .option(
      "--workers <n>",
      "threads per training step (data parallel; sets train.workers, default 2): results repeat for a seed and worker count",
      Number,
    )
    .option(
      "--set <key=value>",
      "override any config key, e.g. --set train.batchSize=64 (repeatable)",
      collect,
      [],
    )
    .option("--run-dir <dir>", "run directory to create (default runs/<timestamp>-<split>)")
    .option("--resume <run dir>", "continue a killed run from its last checkpoint")
    .option("--backend <name>", "force a tfjs backend: tensorflow, wasm or cpu")
    .option("--no-evaluate", "skip the evaluation and report after training")
    .option("--quiet", "no progress output")
    .action(async (o) => {
      let config: ReturnType<typeof parseTrainConfig> | undefined;
      if (!o.resume) {
        const base: TrainConfigInput | Record<string, unknown> = o.config
          ? await readTrainConfig(o.config)
          : {};
        const sets: string[] = [...o.set];
        if (o.data) sets.push(`data.dir=${JSON.stringify(o.data)}`);
        if (o.split) sets.push(`split.kind=${JSON.stringify(o.split)}`);
        if (o.epochs) sets.push(`train.epochs=${o.epochs}`);
        if (o.members !== undefined) sets.push(`train.members=${o.members}`);
        if (o.workers !== undefined) sets.push(`train.workers=${o.workers}`);
        config = parseTrainConfig(applyOverrides(base, sets));
      }
      const log = o.quiet ? () => {} : (l: string) => console.error(l);
      const outcome = await runTrain({
        config,
        runDir: o.runDir,
        resume: o.resume,
        backend: o.backend as BackendName | undefined,
        hooks: progressHooks(Boolean(o.quiet)),
        log,
      });
      if (o.evaluate) {
        const ev = await runEvaluate({ runDir: outcome.runDir, log, trained: outcome });
        console.log(ev.headline);
      }
      console.log(`run: ${outcome.runDir}`);
    });
}
