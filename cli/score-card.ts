/** The model card's skill sections written by `soilco2 score --card`: one per setting, between markers, so a rerun replaces its own section and leaves the others. */
import { InputError } from "../core/errors.ts";
import type { ScoreOutcome } from "../training/score-model.ts";
import { withMarkedSection } from "./card-section.ts";

/** The settings a card can carry, in the order a reader meets them. */
export type ScoreSetting = "with-reference" | "without-reference" | "with-history-unseen";

const TITLES: Record<ScoreSetting, string> = {
  "with-reference": "A site with history: the model's own training sites, test days (temporal split)",
  "without-reference":
    "A site never measured: the same sites and days, no reference statistics in the requests",
  "with-history-unseen":
    "A site new to the network, with its own history: site cross-validation, each site split by time within itself",
};

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const marker = (s: ScoreSetting, end: boolean) => `<!-- soilco2 score ${s}: ${end ? "end" : "begin"} -->`;

/** Which setting an outcome measured. */
export function scoreSetting(o: ScoreOutcome, siteCv: boolean): ScoreSetting {
  return siteCv ? "with-history-unseen" : o.withoutReference ? "without-reference" : "with-reference";
}

/**
 * The section: per comparison set, every model's median KGE, median NSE and good sites, in words.
 * @param labelOf a model's name in words (e.g. `q10_moisture` → "Q10 × moisture (per site)")
 * @param command the command that made it, quoted in the card
 */
export function scoreCardSection(
  o: ScoreOutcome,
  setting: ScoreSetting,
  labelOf: (name: string) => string,
  command: string,
): string {
  const out = [marker(setting, false), `## Skill: ${TITLES[setting]}`, ""];
  if (setting === "with-history-unseen")
    out.push(
      `The networks are the folds of ${o.model.dir} (this model's inputs, each trained without the sites it scores), not this`,
      "model's own: what its configuration and the site calibration give on a site the network never saw.",
      "",
    );
  out.push(
    "Per-site medians over each set's sites (good: NSE > 0.5 and KGE > 0.3); every per-site baseline fitted on the same",
    "history as the model (training + validation days). Test days only, computed for what ships and the baselines.",
    "",
    "| days | sites | model | median KGE | median NSE | good sites |",
    "|---|---|---|---|---|---|",
  );
  for (const set of o.evaluation.test)
    for (const m of set.models)
      out.push(
        `| ${set.label} | ${m.sites} | ${labelOf(m.model)} | ${f2(m.medianKge)} | ${f2(m.medianNse)} | ${m.goodSites} |`,
      );
  if (o.coverage)
    out.push(
      "",
      `The site calibration's 10-90% interval covers a median ${(100 * o.coverage.median).toFixed(0)}% of test days (nominal 80%) over ${o.coverage.sites} sites.`,
    );
  if (o.networkCoverage)
    out.push(
      "",
      `The model's own 10-90% interval covers a median ${(100 * o.networkCoverage.median).toFixed(0)}% of test days (nominal 80%) over ${o.networkCoverage.sites} sites.`,
    );
  if (o.newSiteCoverage)
    out.push(
      "",
      `On new sites (out-of-fold predictions of ${o.newSiteCoverage.run}), the interval without reference statistics covers a median ${(100 * o.newSiteCoverage.median).toFixed(0)}% of test days (nominal 80%) over ${o.newSiteCoverage.sites} sites.`,
    );
  out.push("", `Made by \`${command}\`.`, marker(setting, true));
  return out.join("\n");
}

/**
 * Write the section into `<modelDir>/MODEL_CARD.md` (atomically). For a site cross-validation run, its inputs must be
 * the model's (`runFeatures`), or the figures would describe another model.
 * @throws {InputError} naming `--card` if the inputs differ
 */
export async function writeScoreCard(
  modelDir: string,
  o: ScoreOutcome,
  setting: ScoreSetting,
  labelOf: (name: string) => string,
  command: string,
  runFeatures?: { dynamic: readonly string[]; static: readonly string[] },
): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { MODEL_DIR_FILES } = await import("../model/manifest.ts");
  const { writeFileAtomic } = await import("../io/atomic-write.ts");
  if (runFeatures) {
    const manifest = JSON.parse(await readFile(join(modelDir, MODEL_DIR_FILES.manifest), "utf8")) as {
      schema: { dynamic: { name: string }[]; static: { name: string }[] };
    };
    const inputs = (d: readonly string[], s: readonly string[]) => `${d.join(",")} | ${s.join(",")}`;
    const model = inputs(
      manifest.schema.dynamic.map((f) => f.name),
      manifest.schema.static.map((f) => f.name),
    );
    const run = inputs(runFeatures.dynamic, runFeatures.static);
    if (model !== run)
      throw new InputError(
        "--card",
        `${modelDir} takes other inputs (${model}) than the run (${run})`,
        "write a run's figures only into the card of a model with its features",
      );
  }
  const path = join(modelDir, MODEL_DIR_FILES.card);
  const card = await readFile(path, "utf8").catch(() => "");
  const section = scoreCardSection(o, setting, labelOf, command);
  await writeFileAtomic(
    path,
    withMarkedSection(card, marker(setting, false), marker(setting, true), section),
  );
  return path;
}
