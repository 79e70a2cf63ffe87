/** The run report's figures: SVGs under `figures/` (skill, medians, site map, LSTM vs baselines, loss curves, per-site series). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isoDate } from "../../core/dates.ts";
import { writeFileAtomic } from "../../io/atomic-write.ts";
import { foldDir, memberDirs, RUN_FILES } from "../run-dir.ts";
import { SPLIT } from "../splits.ts";
import type { EpochRecord } from "../train-loop.ts";
import {
  lossCurveSpec,
  medianBarsSpec,
  siteMapSpec,
  skillDistributionSpec,
  timeSeriesSpec,
  versusSpec,
} from "./charts.ts";
import { f2 } from "./markdown-table.ts";
import { renderSvg } from "./render-chart.ts";
import type { ReportInput } from "./report-input.ts";

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

/**
 * Render every figure of the report into `<runDir>/figures/`.
 * @param labelOf a model's label in legends, e.g. `q10_moisture` → `Q10 × moisture`
 * @returns the figure file names, relative to `figures/`
 */
export async function writeFigures(
  runDir: string,
  input: ReportInput,
  labelOf: (m: string) => string,
): Promise<string[]> {
  const { config, sites, labels, models, evaluation: ev } = input;
  const figDir = join(runDir, RUN_FILES.figures);
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
  return figures;
}
