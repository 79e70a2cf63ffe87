/** metrics/summary.json: the evaluation's figures as nested tables (the model card renders them as they are). */
import type { TrainConfig } from "./config.ts";
import type { SiteSeries } from "./dataset.ts";
import type { Evaluation, GroupSummary, ModelSummary } from "./evaluate.ts";

/** The paper's figures (per-site medians), for side-by-side comparison. */
export const PAPER = {
  reference:
    "Smykalov, Li, Vargas, Bond-Lamberty (2025) Towards a global deep learning model for daily soil CO2 efflux. EarthArXiv, doi:10.31223/X5QH84",
  trainNse: 0.54,
  testNse: 0.02,
  trainKge: 0.67,
  testKge: 0.3,
  goodShare: "about one third of sites",
} as const;

/** The targets the project set itself for the temporal split. */
export const TARGETS = { medianKge: 0.5, medianNse: 0.3, goodShare: 0.5 } as const;

const r3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

function modelRow(m: ModelSummary): Record<string, number | null> {
  return {
    sites: m.sites,
    medianNse: r3(m.medianNse),
    medianKge: r3(m.medianKge),
    medianR: r3(m.medianR),
    medianAlpha: r3(m.medianAlpha),
    medianBeta: r3(m.medianBeta),
    medianRmse: r3(m.medianRmse),
    medianPeakError: r3(m.medianPeakError),
    goodSites: m.goodSites,
    goodShare: r3(m.goodShare),
    goodWithTestLevel: m.goodWithTestLevel,
    goodWithTestLevelAndAmplitude: m.goodWithTestLevelAndAmplitude,
  };
}

function groupRows(groups: GroupSummary[]): Record<string, Record<string, number | null>> {
  return Object.fromEntries(
    groups.map((g) => [
      g.group,
      { sites: g.sites, medianNse: r3(g.medianNse), medianKge: r3(g.medianKge), goodShare: r3(g.goodShare) },
    ]),
  );
}

/**
 * Build summary.json from an evaluation.
 * @param withHistory a site cross-validation's sites scored with their own history (training/score-site-cv.ts)
 */
export function summaryJson(
  config: TrainConfig,
  ev: Evaluation,
  sites: readonly SiteSeries[],
  withHistory?: Evaluation,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    split: config.split.kind,
    sitesInRun: sites.length,
    minDaysPerSite: ev.minDays,
    definition:
      "per-site metrics on test days, then the median over sites; good = NSE > 0.5 and KGE > 0.3 (the paper's rule); " +
      "every model of a comparison set is scored on exactly the same sites and days",
  };
  for (const set of ev.test) {
    out[`test: ${set.label}`] = Object.fromEntries(set.models.map((m) => [m.model, modelRow(m)]));
  }
  for (const set of withHistory?.test ?? [])
    out[`test with the site's history: ${set.label}`] = Object.fromEntries(
      set.models.map((m) => [m.model, modelRow(m)]),
    );
  for (const set of ev.train) {
    const lstm = set.models.find((m) => m.model === "lstm");
    if (lstm && lstm.sites > 0) out[`train: ${set.label}`] = { lstm: modelRow(lstm) };
  }
  out["LSTM by land cover (IGBP), test, all days"] = groupRows(ev.byIgbp.all ?? []);
  out["LSTM by climate group, test, all days"] = groupRows(ev.byClimate.all ?? []);
  out["LSTM by climate group, test, days with soil temperature"] = groupRows(ev.byClimate.tsoil ?? []);
  out["paper (Smykalov et al. 2025), per-site medians"] = {
    trainNse: PAPER.trainNse,
    testNse: PAPER.testNse,
    trainKge: PAPER.trainKge,
    testKge: PAPER.testKge,
  };
  return out;
}
