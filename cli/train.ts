/** `soilco2 train`: thin wrapper over training/run-train.ts with a progress bar, a clean Ctrl-C and the resume command; tfjs loads only when it runs. */
import { type Command, Option } from "commander";
import type { BackendName } from "../training/backend.ts";
import { collect, intIn } from "./parse-options.ts";
import { interruptible } from "./train-interrupt.ts";

interface TrainFlags {
  config?: string;
  data?: string;
  split?: string;
  epochs?: number;
  members?: number;
  workers?: number;
  set: string[];
  runDir?: string;
  resume?: string;
  backend?: BackendName;
  evaluate: boolean;
  quiet?: boolean;
}

/** Register `train` on the program. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description(
      "train the LSTM on the daily dataset (ingest output), then evaluate it against the baselines",
    )
    .option(
      "--data <dir>",
      "ingest output directory (sets data.dir); required unless --config sets it or --resume",
    )
    .option("--config <file>", "JSON training config (strict: unknown keys are errors; default: none)")
    .addOption(
      new Option(
        "--split <kind>",
        "temporal (the paper's) or site-cv (k-fold by whole sites) (default: temporal)",
      ).choices(["temporal", "site-cv"]),
    )
    .addOption(
      new Option(
        "--epochs <n>",
        "maximum epochs; early stopping may end sooner (default: 60 epochs)",
      ).argParser(intIn(1, 100_000)),
    )
    .addOption(
      new Option(
        "--members <n>",
        "seed ensemble: train n networks (seeds seed..seed+n-1) and predict their mean; the shipped model uses 3 (default: 1 network)",
      ).argParser(intIn(1, 10)),
    )
    .addOption(
      new Option("--set <key=value>", "override any config key, e.g. --set train.batchSize=64 (repeatable)")
        .argParser(collect)
        .default([], "none"),
    )
    .option(
      "--run-dir <dir>",
      "run directory to create, refused if not empty (default: runs/<timestamp>-<split>)",
    )
    .addOption(
      new Option(
        "--workers <n>",
        "threads per training step (data parallel; sets train.workers): results repeat for a seed and worker count (default: 2)",
      ).argParser(intIn(1, 64)),
    )
    .option("--resume <run dir>", "continue a killed run from its last checkpoint")
    .addOption(
      new Option("--backend <name>", "force a tfjs backend (default: the fastest that loads)").choices([
        "tensorflow",
        "wasm",
        "cpu",
      ]),
    )
    .option("--no-evaluate", "skip the evaluation and report after training")
    .option("--quiet", "no progress output")
    .action(async (o: TrainFlags, cmd: Command) => {
      if (!o.resume && !o.data && !o.config)
        cmd.error(
          "error: required option '--data <dir>' not specified (or pass --config <file> that sets data.dir, or --resume <run dir>)",
        );
      const [
        { applyOverrides, parseTrainConfig, readTrainConfig },
        { runTrain, defaultRunDir },
        { progressHooks },
      ] = await Promise.all([
        import("../training/config.ts"),
        import("../training/run-train.ts"),
        import("./train-progress.ts"),
      ]);
      let config: ReturnType<typeof parseTrainConfig> | undefined;
      if (!o.resume) {
        const base: Record<string, unknown> = o.config
          ? ((await readTrainConfig(o.config)) as Record<string, unknown>)
          : {};
        const sets: string[] = [...o.set];
        if (o.data) sets.push(`data.dir=${JSON.stringify(o.data)}`);
        if (o.split) sets.push(`split.kind=${JSON.stringify(o.split)}`);
        if (o.epochs !== undefined) sets.push(`train.epochs=${o.epochs}`);
        if (o.members !== undefined) sets.push(`train.members=${o.members}`);
        if (o.workers !== undefined) sets.push(`train.workers=${o.workers}`);
        config = parseTrainConfig(applyOverrides(base, sets));
      }
      const runDir = o.resume ?? o.runDir ?? defaultRunDir(config!);
      const log = o.quiet ? () => {} : (l: string) => console.error(l);
      const hooks = progressHooks(Boolean(o.quiet));
      const outcome = await interruptible(runDir, Boolean(o.resume), hooks.stopAll, () =>
        runTrain({ config, runDir, resume: o.resume, backend: o.backend, hooks, log }),
      );
      if (o.evaluate) {
        const { runEvaluate } = await import("../training/run-evaluate.ts");
        const ev = await runEvaluate({ runDir: outcome.runDir, log, trained: outcome });
        console.log(ev.headline);
      }
      console.log(`run: ${outcome.runDir}`);
    });
}
