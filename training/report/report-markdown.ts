/** The run report's text, `report.md`: headline, skill by comparison set, headroom, groups, coverage, figures, per-site skill. */
import { basename } from "node:path";
import { CLIMATE_RULE } from "../climate.ts";
import { LONG_RECORD_DAYS, type ModelSummary } from "../evaluate.ts";
import { memberSeedsLabel } from "../run-dir.ts";
import { PAPER, TARGETS } from "../summary.ts";
import { f2, modelTable, pct, table } from "./markdown-table.ts";
import type { ReportInput } from "./report-input.ts";

/** The model's own forms: the network and the site-calibrated network (everything else is a baseline). */
const OURS = new Set(["lstm", "lstm_calibrated"]);
/** The project's bar: the LSTM's median KGE and median NSE each at least those of the other model. */
const beats = (l: ModelSummary, m: ModelSummary) => l.medianKge >= m.medianKge && l.medianNse >= m.medianNse;

/** The headline: network and site-calibrated network against the best baseline per set, the paper, the bar. */
function headlineSection(input: ReportInput, labelOf: (m: string) => string): string[] {
  const ev = input.evaluation;
  const out: string[] = [];
  out.push("## Headline");
  out.push(
    "Two forms of the model: the network alone (for any site; with the site's reference statistics where it has history) " +
      "and the site-calibrated network (core/site-calibration.ts: the network blended with the site's own process " +
      "models, weights chosen on the validation days), which needs the site's measured days.",
  );
  const ours = (m: ModelSummary) => OURS.has(m.model);
  const rows = ev.test.map((set) => {
    const l = set.models.find((m) => m.model === "lstm");
    const c = set.models.find((m) => m.model === "lstm_calibrated");
    const others = set.models.filter((m) => !ours(m)).sort((a, b) => b.medianKge - a.medianKge);
    const b = others[0];
    const cell = (m: ModelSummary | undefined) =>
      m ? `${f2(m.medianKge)} / ${f2(m.medianNse)} (${m.goodSites}, ${pct(m.goodShare)})` : "–";
    const verdict = (m: ModelSummary | undefined) =>
      m && b ? (others.every((o) => beats(m, o)) ? "yes" : "**no**") : "–";
    return [
      set.label,
      set.sites.length,
      cell(l),
      cell(c),
      b ? `${labelOf(b.model)}: KGE ${f2(b.medianKge)}, NSE ${f2(b.medianNse)}` : "–",
      `${verdict(l)} / ${verdict(c)}`,
    ];
  });
  out.push(
    table(
      [
        "test days",
        "sites",
        "network: KGE / NSE (good sites)",
        "site-calibrated: KGE / NSE (good sites)",
        "best baseline (by KGE)",
        "reaches every baseline on KGE and NSE (network / calibrated)",
      ],
      rows,
    ),
  );
  out.push(
    `Paper (${PAPER.reference}): test median KGE ${PAPER.testKge}, NSE ${PAPER.testNse} (train ${PAPER.trainKge}, ${PAPER.trainNse}); good at ${PAPER.goodShare}. ` +
      `Targets of this project for the temporal split: median KGE ≥ ${TARGETS.medianKge}, NSE ≥ ${TARGETS.medianNse}, more than ${pct(TARGETS.goodShare)} of sites good.`,
  );
  for (const name of OURS) {
    const notReached: string[] = [];
    for (const set of ev.test) {
      const l = set.models.find((m) => m.model === name);
      if (!l) continue;
      for (const m of set.models)
        if (!ours(m) && !beats(l, m))
          notReached.push(
            `${labelOf(m.model)} on ${set.label} (KGE ${f2(m.medianKge)} / NSE ${f2(m.medianNse)} vs ${f2(l.medianKge)} / ${f2(l.medianNse)})`,
          );
    }
    if (!ev.test.some((set) => set.models.some((m) => m.model === name))) continue;
    out.push(
      notReached.length === 0
        ? `${labelOf(name)}: at least as good as every baseline on median test KGE and NSE in every comparison set.`
        : `${labelOf(name)} does **not** reach: ${notReached.join("; ")}.`,
    );
  }
  return out;
}

/** What recalibration alone could give: good sites with the test level, and with level and amplitude. */
function headroomSection(ev: ReportInput["evaluation"], labelOf: (m: string) => string): string[] {
  const out: string[] = [];
  out.push("## Headroom: what recalibration alone could give");
  out.push(
    "Good sites if each site's predictions had the test period's own mean (rescaled by μ_obs/μ_sim), and if they " +
      "were also given its amplitude (the least-squares line a + b·sim, b ≥ 0, fitted on the test days themselves). " +
      "Both use the test period, which no model has: they are ceilings of recalibrating these predictions, not skill. " +
      "What the second leaves is timing: a site is good after it exactly when r > 0.71 (NSE = r² > 0.5). " +
      "Computed from each site's r, α and β (training/headroom.ts).",
  );
  out.push(
    table(
      [
        "test days",
        "sites",
        "model",
        "good sites",
        "with the test level",
        "with the test level and amplitude",
      ],
      ev.test.flatMap((set) =>
        set.models.map((m) => [
          set.label,
          m.sites,
          labelOf(m.model),
          m.goodSites,
          m.goodWithTestLevel,
          m.goodWithTestLevelAndAmplitude,
        ]),
      ),
    ),
  );
  return out;
}

/** Which sites each figure covers, and the figures. */
function coverageSection(input: ReportInput, figures: string[]): string[] {
  const { sites, evaluation: ev } = input;
  const out: string[] = [];
  out.push("## Which sites each figure covers");
  const inAll = new Set(ev.test.find((s) => s.set === "all")?.sites ?? []);
  const left = sites.filter((s) => !inAll.has(s.info.site)).map((s) => s.info.site);
  out.push(
    `All-days set: ${inAll.size} of ${sites.length} sites; left out (fewer than ${ev.minDays} test days): ${left.length ? left.join(", ") : "none"}. ` +
      "Soil-temperature sets: only sites and days with soil temperature (and moisture) in the daily dataset, because the process models need them; the LSTM is scored on the same days." +
      (ev.test.some((s) => s.minDays === LONG_RECORD_DAYS)
        ? ` Long-record sets (“sites with ≥ ${LONG_RECORD_DAYS} of them”): the same days, on the sites with at least ${LONG_RECORD_DAYS} of them, because on a shorter test period one season or one pulse decides a site's NSE and KGE.`
        : ` Long-record sets (sites with ≥ ${LONG_RECORD_DAYS} test days) are left out: they hold exactly the sites of the sets above.`),
  );
  out.push("## Figures");
  for (const f of figures.filter((x) => !x.startsWith("sites/"))) out.push(`![${f}](figures/${f})`);
  out.push(`Per-site time series (observed, LSTM, Q10 × moisture or Q10): \`figures/sites/<site>.svg\`.`);
  return out;
}

/** Per-site test skill of every model on all test days. */
function perSiteSection(ev: ReportInput["evaluation"], labelOf: (m: string) => string): string[] {
  const out: string[] = [];
  out.push("## Per-site test skill (all test days)");
  const all = ev.rows.filter((r) => r.split === "test" && r.set === "all");
  const bySite = [...new Set(all.map((r) => r.site))];
  const modelNames = [...new Set(all.map((r) => r.model))];
  out.push(
    table(
      ["site", "IGBP", "climate", "days", ...modelNames.flatMap((m) => [`${labelOf(m)} NSE`, "KGE"])],
      bySite.map((site) => {
        const r = all.filter((x) => x.site === site);
        return [
          `[${site}](figures/sites/${site}.svg)`,
          r[0]?.igbp ?? "–",
          r[0]?.climate ?? "–",
          r[0]?.metrics.n ?? 0,
          ...modelNames.flatMap((m) => {
            const x = r.find((y) => y.model === m)?.metrics;
            return [x ? f2(x.nse) : "–", x ? f2(x.kge) : "–"];
          }),
        ];
      }),
    ),
  );
  return out;
}

/** report.md for a run, linking `figures` (names relative to `figures/`). */
export function renderMarkdown(
  runDir: string,
  input: ReportInput,
  figures: string[],
  labelOf: (m: string) => string,
): string {
  const { config, sites, evaluation: ev } = input;
  const out: string[] = [];
  out.push(`# soilco2 run report: ${basename(runDir)}`);
  out.push(
    `Split: **${config.split.kind}**${config.split.kind === "temporal" ? ` (last ${pct(config.split.testFraction)} of each site's observed days are test, the ${pct(config.split.valFraction)} before them validation)` : ` (${config.split.folds}-fold cross-validation with whole sites held out)`}. ` +
      `${sites.length} sites with at least ${config.data.minFluxDays} observed days. Metrics are computed per site on its test days, then the median is taken over sites; ` +
      `a site counts in a comparison set with at least ${ev.minDays} test days in it, and every model in a set is scored on exactly the same sites and days. ` +
      `Good site: NSE > 0.5 and KGE > 0.3 (the paper's rule). ` +
      `Baselines get exactly the LSTM's history (its training and validation days); each per-site process model is fitted on the flux scale and in log space (with Duan's smearing), and the one with the lower validation error is refitted on training + validation days. ` +
      `Undefined scores are counted, never dropped: a constant prediction has r = 0 (so KGE = 1 − √(1 + 1 + (β − 1)²)), any other undefined NSE or KGE counts as the worst value in the median, and a site whose observed test efflux is constant leaves the set for every model. Each median runs over the sites its table gives.` +
      (config.train.members > 1
        ? ` The LSTM is a seed ensemble of ${config.train.members} networks (seeds ${memberSeedsLabel(config.train)}): its prediction is their mean.`
        : ""),
  );
  out.push(...headlineSection(input, labelOf));
  out.push("## Test skill by comparison set");
  for (const set of ev.test) {
    out.push(`### ${set.label}: ${set.sites.length} sites, ${set.days} days`);
    out.push(modelTable(set, labelOf));
  }
  if (input.withHistory) {
    out.push("## Sites new to the network, with their own history");
    out.push(
      "Each site split by time as in the temporal split (last 30% of its observed days test, the 10% before them validation); " +
        "the fold's networks that never saw it run with the reference statistics of its own training days; the site calibration and every per-site baseline fitted on its training + validation days " +
        "(training/score-site-cv.ts; `soilco2 score <this run> --data <ingest output>`). The setting of a user who brings a site's measured days to a model that never saw the site.",
    );
    const label = (m: string) => (m === "lstm" ? "LSTM, fold that never saw the site (soilco2)" : labelOf(m));
    for (const set of input.withHistory.test) {
      out.push(`### ${set.label}: ${set.sites.length} sites, ${set.days} days`);
      out.push(modelTable(set, label));
    }
  }
  out.push(...headroomSection(ev, labelOf));
  out.push("## Training skill (LSTM, training days)");
  const trained = ev.train.filter((set) => set.sites.length > 0);
  if (trained.length === 0)
    out.push(
      "Not applicable: in site cross-validation every site is scored by the fold that holds it out entirely.",
    );
  for (const set of trained)
    out.push(`### ${set.label}: ${set.sites.length} sites\n\n${modelTable(set, labelOf)}`);
  out.push("## By land cover and climate group (LSTM, test)");
  out.push(`Climate groups: ${CLIMATE_RULE}`);
  for (const [title, groups] of [
    ["Land cover (IGBP), all test days", ev.byIgbp.all ?? []],
    ["Climate group, all test days", ev.byClimate.all ?? []],
    ["Climate group, test days with soil temperature", ev.byClimate.tsoil ?? []],
  ] as const) {
    out.push(`### ${title}`);
    out.push(
      table(
        ["group", "sites", "median NSE", "median KGE", "good"],
        groups.map((g) => [g.group, g.sites, f2(g.medianNse), f2(g.medianKge), pct(g.goodShare)]),
      ),
    );
  }
  out.push("## Peaks and pulses");
  out.push(
    "Peak error is the mean relative error on each site's top 5% observed days (negative = peaks underestimated), median over sites; see the tables above (column `peak error`).",
  );
  out.push(...coverageSection(input, figures));
  out.push(...perSiteSection(ev, labelOf));
  return `${out.join("\n\n")}\n`;
}
