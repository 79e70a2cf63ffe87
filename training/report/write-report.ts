/** The run report: `report.md` with the tables a scientist reads, and SVG figures under `figures/`. */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { isoDate } from "../../core/dates.ts";
import { writeFileAtomic } from "../../io/atomic-write.ts";
import { CLIMATE_RULE } from "../climate.ts";
import type { TrainConfig } from "../config.ts";
import type { SiteSeries } from "../dataset.ts";
import {
  type Evaluation,
  LONG_RECORD_DAYS,
  type ModelSeries,
  type ModelSummary,
  type SetSummary,
} from "../evaluate.ts";
import { memberDirs, memberSeedsLabel, RUN_FILES } from "../run-dir.ts";
import { foldDir } from "../run-train.ts";
import { SPLIT } from "../splits.ts";
import { PAPER, TARGETS } from "../summary.ts";
import type { EpochRecord } from "../train-loop.ts";
import {
  lossCurveSpec,
  medianBarsSpec,
  siteMapSpec,
  skillDistributionSpec,
  timeSeriesSpec,
  versusSpec,
} from "./charts.ts";
import { renderSvg } from "./render-chart.ts";

export interface ReportInput {
  config: TrainConfig;
  sites: readonly SiteSeries[];
  labels: readonly Uint8Array[];
  models: readonly ModelSeries[];
  evaluation: Evaluation;
  summary: Record<string, unknown>;
  log?: (line: string) => void;
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
/** The model's own forms: the network and the site-calibrated network (everything else is a baseline). */
const OURS = new Set(["lstm", "lstm_calibrated"]);
/** The project's bar: the LSTM's median KGE and median NSE each at least those of the other model. */
const beats = (l: ModelSummary, m: ModelSummary) => l.medianKge >= m.medianKge && l.medianNse >= m.medianNse;
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "–");

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function modelTable(set: SetSummary, labelOf: (m: string) => string): string {
  return table(
    ["model", "sites", "median NSE", "median KGE", "r", "α", "β", "RMSE", "peak error", "good sites"],
    set.models.map((m: ModelSummary) => [
      labelOf(m.model),
      m.sites,
      f2(m.medianNse),
      f2(m.medianKge),
      f2(m.medianR),
      f2(m.medianAlpha),
      f2(m.medianBeta),
      f2(m.medianRmse),
      f2(m.medianPeakError),
      `${m.goodSites} (${pct(m.goodShare)})`,
    ]),
  );
}

/** Per ensemble member of a fold, its history.json (empty where missing). */
async function readHistories(runDir: string, fold: number | null, members: number): Promise<EpochRecord[][]> {
  return Promise.all(
    memberDirs(foldDir(runDir, fold), members).map(async (dir) => {
      try {
        return JSON.parse(await readFile(join(dir, RUN_FILES.history), "utf8")) as EpochRecord[];
      } catch {
        return [];
      }
    }),
  );
}

/** Write report.md and figures/*.svg into the run directory. Returns the report path. */
export async function writeReport(runDir: string, input: ReportInput): Promise<string> {
  const { config, sites, labels, models, evaluation: ev } = input;
  const figDir = join(runDir, RUN_FILES.figures);
  const labelOf = (m: string) => models.find((x) => x.name === m)?.label ?? m;
  const figures: string[] = [];
  const save = async (name: string, svg: string) => {
    await writeFileAtomic(join(figDir, name), svg);
    figures.push(name);
  };
  const testRows = ev.rows.filter((r) => r.split === "test");

  // Skill distribution and medians.
  for (const set of ev.test) {
    const rows = testRows
      .filter((r) => r.set === set.set)
      .flatMap((r) => [
        { model: labelOf(r.model), metric: "KGE", value: r.metrics.kge },
        { model: labelOf(r.model), metric: "NSE", value: r.metrics.nse },
      ]);
    if (rows.length > 0)
      await save(
        `skill-${set.set}.svg`,
        await renderSvg(skillDistributionSpec(`Per-site test skill: ${set.label}`, rows)),
      );
  }
  await save(
    "medians.svg",
    await renderSvg(
      medianBarsSpec(
        "Median test skill, LSTM and baselines",
        ev.test.flatMap((s) =>
          s.models.flatMap((m) => [
            {
              set: `${s.label} (${s.sites.length} sites)`,
              model: labelOf(m.model),
              metric: "KGE",
              value: m.medianKge,
            },
            {
              set: `${s.label} (${s.sites.length} sites)`,
              model: labelOf(m.model),
              metric: "NSE",
              value: m.medianNse,
            },
          ]),
        ),
      ),
    ),
  );
  const lstmAll = testRows.filter((r) => r.set === "all" && r.model === "lstm");
  await save(
    "site-map.svg",
    await renderSvg(
      siteMapSpec(
        "LSTM test KGE by site (all test days)",
        lstmAll.map((r) => {
          const s = sites.find((x) => x.info.site === r.site)!;
          return { site: r.site, latitude: s.info.latitude, longitude: s.info.longitude, kge: r.metrics.kge };
        }),
      ),
    ),
  );
  for (const [set, baseline] of [
    ["tsoil", "q10"],
    ["tsoil_swc", "q10_moisture"],
    ["all", "climatology"],
  ] as const) {
    const lstm = testRows.filter((r) => r.set === set && r.model === "lstm");
    const base = new Map(
      testRows.filter((r) => r.set === set && r.model === baseline).map((r) => [r.site, r.metrics.kge]),
    );
    const rows = lstm
      .filter((r) => base.has(r.site))
      .map((r) => ({ site: r.site, lstm: r.metrics.kge, baseline: base.get(r.site)! }));
    if (rows.length > 0)
      await save(
        `lstm-vs-${baseline}.svg`,
        await renderSvg(versusSpec(`Per-site test KGE (${set})`, `${labelOf(baseline)} test KGE`, rows)),
      );
  }
  const folds =
    config.split.kind === "temporal" ? [null] : Array.from({ length: config.split.folds }, (_, k) => k);
  for (const fold of folds) {
    const hists = await readHistories(runDir, fold, config.train.members);
    const rows = hists.flatMap((hist, k) => {
      const member = hists.length > 1 ? `, member ${k + 1}` : "";
      return hist.flatMap((h) => [
        { epoch: h.epoch, loss: h.trainLoss, split: `train (windows)${member}` },
        { epoch: h.epoch, loss: h.valLoss, split: `validation (full series)${member}` },
      ]);
    });
    if (rows.length === 0) continue;
    await save(
      `loss${fold === null ? "" : `-fold-${fold}`}.svg`,
      await renderSvg(lossCurveSpec("Loss per epoch", rows)),
    );
  }

  // Observed vs predicted per site.
  const lstm = models.find((m) => m.name === "lstm")!;
  const best = models.find((m) => m.name === "q10_moisture")!;
  const q10 = models.find((m) => m.name === "q10")!;
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i]!;
    const rows: { date: string; series: string; value: number }[] = [];
    const firstTest = labels[i]!.indexOf(SPLIT.test);
    for (let t = 0; t < s.length; t++) {
      const hasData = !Number.isNaN(s.target[t]!) || !Number.isNaN(s.drivers.tsoil_mean?.[t] ?? Number.NaN);
      if (!hasData) continue;
      const date = isoDate(s.firstDay + t);
      if (!Number.isNaN(s.target[t]!)) rows.push({ date, series: "observed", value: s.target[t]! });
      const v = lstm.series[i]?.[t];
      if (v !== undefined && Number.isFinite(v)) rows.push({ date, series: "LSTM", value: v });
      const other = best.series[i] ?? q10.series[i];
      const name = best.series[i] ? best.label : q10.label;
      const b = other?.[t];
      if (b !== undefined && Number.isFinite(b)) rows.push({ date, series: name, value: b });
    }
    const m = lstmAll.find((r) => r.site === s.info.site)?.metrics;
    const title = `${s.info.site} (${s.info.siteName}, ${s.info.igbp ?? "?"})${m ? `: test KGE ${f2(m.kge)}, NSE ${f2(m.nse)}` : ""}`;
    await save(
      `sites/${s.info.site}.svg`,
      await renderSvg(
        timeSeriesSpec(
          title,
          rows,
          firstTest >= 0 ? isoDate(s.firstDay + firstTest) : null,
          // the series is predicted from the site's first day: its first warmupDays are the network's warm-up
          config.train.warmupDays > 0
            ? { from: isoDate(s.firstDay), to: isoDate(s.firstDay + config.train.warmupDays - 1) }
            : undefined,
        ),
      ),
    );
  }
  input.log?.(`wrote ${figures.length} figures`);

  const md = renderMarkdown(runDir, input, figures, labelOf);
  const path = join(runDir, RUN_FILES.report);
  await writeFileAtomic(path, md);
  return path;
}

function renderMarkdown(
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
  out.push("## Test skill by comparison set");
  for (const set of ev.test) {
    out.push(`### ${set.label}: ${set.sites.length} sites, ${set.days} days`);
    out.push(modelTable(set, labelOf));
  }
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
  return `${out.join("\n\n")}\n`;
}
