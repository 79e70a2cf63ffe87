/** `soilco2 score`: an exported model directory scored on an ingest output against the baselines, as a user would run it. */
import type { Command } from "commander";
import { InputError } from "../core/errors.ts";

/** Register `score` on the program. */
export function registerScore(program: Command): void {
  program
    .command("score")
    .description(
      "score an exported model directory on the test days of a dataset (temporal split) against the per-site baselines fitted on the same history",
    )
    .argument(
      "<model dir>",
      "a model directory made by `soilco2 export` (model.onnx + manifest.json), or a site cross-validation run (`soilco2 train --split site-cv`): each site then predicted by the fold that never saw it, with its own early days as history",
    )
    .requiredOption("--data <dir>", "ingest output directory (daily.parquet, sites.parquet)")
    .option(
      "--without-reference",
      "leave the reference statistics out of every request (a site never measured)",
    )
    .option(
      "--on <days>",
      "test, or validation: score the second half of each site's validation days (the first half selects), test days unused; for choosing between variants",
      "test",
    )
    .option(
      "--min-days <n>",
      "a site enters a comparison set with at least this many scored days (default 10, 5 with --on validation)",
      Number,
    )
    .option(
      "--new-sites <run dir>",
      "a site cross-validation run on the same data: also report the coverage of the interval without reference statistics on its out-of-fold predictions (sites the network never saw)",
    )
    .option("--json <file>", "also write the per-set summaries as JSON")
    .option(
      "--card [model dir]",
      "also write the test-day tables into a model card (MODEL_CARD.md), one section per setting, replaced on rerun (default: the scored model directory; a site-cv run needs the model it stands for)",
    )
    .option("--out <file>", "write the Markdown table to this file instead of standard output")
    .action(async (modelDir: string, o) => {
      if (o.on !== "test" && o.on !== "validation")
        throw new InputError("--on", `"${o.on}"`, "use test or validation");
      if (o.card && o.on === "validation")
        throw new InputError(
          "--card",
          "cannot go with --on validation",
          "a model card carries test-day figures of what ships; leave --card out to choose on validation days",
        );
      if (o.newSites && o.on === "validation")
        throw new InputError(
          "--new-sites",
          "cannot go with --on validation",
          "leave it out: on validation days the new-site interval is in-sample (soilco2 interval fits it there)",
        );
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { MODEL_DIR_FILES } = await import("../model/manifest.ts");
      const { RUN_FILES } = await import("../training/run-dir.ts");
      const siteCv =
        !existsSync(join(modelDir, MODEL_DIR_FILES.manifest)) && existsSync(join(modelDir, RUN_FILES.config));
      if (o.card === true && siteCv)
        throw new InputError(
          "--card",
          "needs a model directory with a site-cv run",
          "name the model the run stands for, e.g. --card models/soilco2-lstm/2",
        );
      if (siteCv && (o.withoutReference || o.newSites))
        throw new InputError(
          o.withoutReference ? "--without-reference" : "--new-sites",
          "goes with a model directory, not a site cross-validation run",
          "leave it out: a site-cv run is scored with each site's own history",
        );
      // Loaded here, not at the top: DuckDB, tfjs and onnxruntime stay out of every other command's start.
      const { writeFileAtomic, writeJsonAtomic } = await import("../io/atomic-write.ts");
      const { BASELINES } = await import("../training/baselines/baselines.ts");
      const { CALIBRATED_MODEL } = await import("../training/calibrated-series.ts");
      const { scoreMarkdown, scoreModelDir } = await import("../training/score-model.ts");
      const on = o.on === "validation" ? "validation" : "test";
      const outcome = siteCv
        ? await (await import("../training/score-site-cv.ts")).scoreSiteCvRun({
            runDir: modelDir,
            dataDir: o.data,
            minDays: o.minDays,
            on,
          })
        : await scoreModelDir({
            modelDir,
            dataDir: o.data,
            withoutReference: Boolean(o.withoutReference),
            minDays: o.minDays,
            on,
            newSiteRun: o.newSites,
          });
      const labels = new Map<string, string>([
        [
          "lstm",
          siteCv
            ? "LSTM, fold that never saw the site (soilco2)"
            : `soilco2 ${outcome.model.version}${o.withoutReference ? " (no reference statistics)" : ""}`,
        ],
        [CALIBRATED_MODEL.name, CALIBRATED_MODEL.label],
        ...BASELINES.map((b) => [b.name, b.label] as [string, string]),
      ]);
      const md = scoreMarkdown(outcome, (n) => labels.get(n) ?? n);
      if (o.out) await writeFileAtomic(o.out, `${md}\n`);
      else console.log(md);
      if (o.card) {
        const { scoreSetting, writeScoreCard } = await import("./score-card.ts");
        const flags = [
          o.withoutReference ? " --without-reference" : "",
          o.newSites ? ` --new-sites ${o.newSites}` : "",
          ` --card${o.card === true ? "" : ` ${o.card}`}`,
        ].join("");
        const runFeatures = siteCv
          ? (await import("../training/run-dir.ts").then((m) => m.readRunConfig(modelDir))).config.features
          : undefined;
        const path = await writeScoreCard(
          o.card === true ? modelDir : o.card,
          outcome,
          scoreSetting(outcome, siteCv),
          (n) => labels.get(n) ?? n,
          `soilco2 score ${modelDir} --data ${o.data}${flags}`,
          runFeatures,
        );
        console.error(`wrote its section into ${path}`);
      }
      if (o.json)
        await writeJsonAtomic(o.json, {
          model: outcome.model,
          withoutReference: Boolean(o.withoutReference),
          test: outcome.evaluation.test,
        });
    });
}
