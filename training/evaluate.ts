/** Site-by-site evaluation of the LSTM and the baselines on the very same days, and the summaries the report shows. */
import { isGoodSite, type MetricSet, median } from "../core/metrics.ts";
import { climateGroup } from "./climate.ts";
import type { SiteSeries } from "./dataset.ts";
import { headroomCounts } from "./headroom.ts";
import { medianCountingUndefined, siteMetrics, unscorableReason } from "./scoring-rules.ts";
import { SPLIT, type SplitCode } from "./splits.ts";

/** A model's full-series predictions per site (µmol m-2 s-1), null where it has none (e.g. a baseline not fitted). */
export interface ModelSeries {
  name: string;
  label: string;
  series: (Float32Array | null)[];
}

/**
 * A comparison set: which test days count. Every model in the set is scored on exactly these days, so the figures
 * are comparable; a site enters the set only if every model in it has predictions there.
 */
export interface ComparisonSet {
  name: string;
  label: string;
  /** Drivers that must be present on a day. */
  needs: readonly string[];
  models: readonly string[];
  /** Fewest days a site needs in this set; the evaluation's `minDays` where absent. */
  minDays?: number;
}

/**
 * Fewest test days of the long-record comparison sets. On shorter test periods one season or one pulse decides a
 * site's NSE and KGE (their denominators are the test period's own variance), so the long-record sets say how the
 * models do where the per-site figures are themselves reliable.
 */
export const LONG_RECORD_DAYS = 60;

export interface SiteRow {
  site: string;
  igbp: string | null;
  climate: string;
  set: string;
  model: string;
  split: "train" | "test";
  metrics: MetricSet;
}

export interface ModelSummary {
  model: string;
  sites: number;
  medianNse: number;
  medianKge: number;
  medianR: number;
  medianAlpha: number;
  medianBeta: number;
  medianRmse: number;
  medianPeakError: number;
  goodSites: number;
  goodShare: number;
  /** Good sites if each site's predictions had its test period's mean (see headroom.ts): a ceiling, not skill. */
  goodWithTestLevel: number;
  /** Good sites after the best affine recalibration on the test days themselves: a ceiling, not skill. */
  goodWithTestLevelAndAmplitude: number;
}

export interface SetSummary {
  set: string;
  label: string;
  /** Fewest days of the set a site had to have. */
  minDays: number;
  sites: string[];
  days: number;
  models: ModelSummary[];
}

export interface GroupSummary {
  group: string;
  sites: number;
  medianNse: number;
  medianKge: number;
  goodShare: number;
}

export interface Evaluation {
  rows: SiteRow[];
  test: SetSummary[];
  train: SetSummary[];
  byIgbp: Record<string, GroupSummary[]>;
  byClimate: Record<string, GroupSummary[]>;
  minDays: number;
}

function has(s: SiteSeries, name: string, t: number): boolean {
  return !Number.isNaN(s.drivers[name]?.[t] ?? Number.NaN);
}

/** Days of site `i` labelled `split` that have a target and every driver in `needs`. */
export function setDays(
  s: SiteSeries,
  labels: Uint8Array,
  split: SplitCode,
  needs: readonly string[],
): number[] {
  const out: number[] = [];
  for (let t = 0; t < s.length; t++) {
    if (labels[t] !== split || Number.isNaN(s.target[t]!)) continue;
    if (needs.every((n) => has(s, n, t))) out.push(t);
  }
  return out;
}

function summarise(model: string, metrics: MetricSet[]): ModelSummary {
  const headroom = headroomCounts(metrics);
  const good = headroom.asIs;
  return {
    model,
    sites: metrics.length,
    medianNse: medianCountingUndefined(metrics.map((m) => m.nse)),
    medianKge: medianCountingUndefined(metrics.map((m) => m.kge)),
    medianR: median(metrics.map((m) => m.r)),
    medianAlpha: median(metrics.map((m) => m.alpha)),
    medianBeta: median(metrics.map((m) => m.beta)),
    medianRmse: median(metrics.map((m) => m.rmse)),
    medianPeakError: median(metrics.map((m) => m.peakError)),
    goodSites: good,
    goodShare: metrics.length > 0 ? good / metrics.length : Number.NaN,
    goodWithTestLevel: headroom.withLevel,
    goodWithTestLevelAndAmplitude: headroom.withLevelAndAmplitude,
  };
}

/**
 * Score every model of every comparison set, per site, on the test days (and the LSTM on its training days).
 * @param labels per site: for site cross-validation, the labels of the fold in which the site was held out
 * @param minDays a site enters a set with at least this many days in it (unless the set says otherwise)
 */
export function evaluate(
  sites: readonly SiteSeries[],
  labels: readonly Uint8Array[],
  models: readonly ModelSeries[],
  sets: readonly ComparisonSet[],
  minDays = 10,
): Evaluation {
  const rows: SiteRow[] = [];
  const byName = new Map(models.map((m) => [m.name, m]));
  const summaries = (split: SplitCode, splitName: "train" | "test", onlyLstm: boolean): SetSummary[] =>
    sets.map((set) => {
      const names = onlyLstm ? set.models.filter((m) => m === "lstm") : set.models;
      const perModel = new Map<string, MetricSet[]>(names.map((n) => [n, []]));
      const siteNames: string[] = [];
      let days = 0;
      sites.forEach((s, i) => {
        const d = setDays(s, labels[i]!, split, set.needs);
        if (d.length < (set.minDays ?? minDays)) return;
        const preds = names.map((n) => byName.get(n)?.series[i] ?? null);
        if (preds.some((p) => p === null)) return;
        if (preds.some((p) => d.some((t) => !Number.isFinite(p![t]!)))) return;
        const obs = d.map((t) => s.target[t]!);
        if (unscorableReason(obs) !== null) return;
        siteNames.push(s.info.site);
        days += d.length;
        names.forEach((n, k) => {
          const m = siteMetrics(
            obs,
            d.map((t) => preds[k]![t]!),
          );
          perModel.get(n)!.push(m);
          rows.push({
            site: s.info.site,
            igbp: s.info.igbp,
            climate: climateGroup(s.info),
            set: set.name,
            model: n,
            split: splitName,
            metrics: m,
          });
        });
      });
      return {
        set: set.name,
        label: set.label,
        minDays: set.minDays ?? minDays,
        sites: siteNames,
        days,
        models: names.map((n) => summarise(n, perModel.get(n)!)),
      };
    });
  const allTest = summaries(SPLIT.test, "test", false);
  // A set with its own minimum that keeps exactly the sites of an earlier set with the same needs adds nothing
  // (e.g. the long-record sets in site cross-validation, where a site's whole record is test): leave it out.
  const same = (a: ComparisonSet, b: ComparisonSet) => a.needs.join() === b.needs.join();
  const redundant = new Set(
    sets
      .filter(
        (set, k) =>
          set.minDays !== undefined &&
          sets.some((o, j) => j < k && same(o, set) && allTest[j]!.sites.join() === allTest[k]!.sites.join()),
      )
      .map((set) => set.name),
  );
  const kept = sets.filter((set) => !redundant.has(set.name));
  const test = allTest.filter((x) => !redundant.has(x.set));
  const train = summaries(SPLIT.train, "train", true).filter((x) => !redundant.has(x.set));
  const keptRows = rows.filter((r) => !redundant.has(r.set));
  const group = (key: "igbp" | "climate") => {
    const out: Record<string, GroupSummary[]> = {};
    for (const set of kept) {
      const r = keptRows.filter((x) => x.split === "test" && x.set === set.name && x.model === "lstm");
      const groups = [...new Set(r.map((x) => x[key] ?? "unknown"))].sort();
      out[set.name] = groups.map((g) => {
        const m = r.filter((x) => (x[key] ?? "unknown") === g).map((x) => x.metrics);
        return {
          group: g,
          sites: m.length,
          medianNse: medianCountingUndefined(m.map((x) => x.nse)),
          medianKge: medianCountingUndefined(m.map((x) => x.kge)),
          goodShare: m.filter(isGoodSite).length / Math.max(1, m.length),
        };
      });
    }
    return out;
  };
  return { rows: keptRows, test, train, byIgbp: group("igbp"), byClimate: group("climate"), minDays };
}

/**
 * The comparison sets used by `soilco2 evaluate`, from the baselines available: all days, days with soil temperature,
 * days with soil temperature and moisture, and the first two again on sites with ≥ {@link LONG_RECORD_DAYS} such days.
 */
export function defaultComparisonSets(
  baselines: readonly { name: string; needs: readonly string[] }[],
): ComparisonSet[] {
  const needsOnly = (n: readonly string[]) =>
    baselines.filter((b) => b.needs.every((x) => n.includes(x))).map((b) => b.name);
  return [
    { name: "all", label: "all days", needs: [], models: ["lstm", ...needsOnly([])] },
    {
      name: "tsoil",
      label: "days with soil temperature",
      needs: ["tsoil_mean"],
      models: ["lstm", ...needsOnly(["tsoil_mean"])],
    },
    {
      name: "tsoil_swc",
      label: "days with soil temperature and moisture",
      needs: ["tsoil_mean", "swc_mean"],
      models: ["lstm", ...needsOnly(["tsoil_mean", "swc_mean"])],
    },
    {
      name: "all_long",
      label: `all days, sites with ≥ ${LONG_RECORD_DAYS} of them`,
      needs: [],
      models: ["lstm", ...needsOnly([])],
      minDays: LONG_RECORD_DAYS,
    },
    {
      name: "tsoil_long",
      label: `days with soil temperature, sites with ≥ ${LONG_RECORD_DAYS} of them`,
      needs: ["tsoil_mean"],
      models: ["lstm", ...needsOnly(["tsoil_mean"])],
      minDays: LONG_RECORD_DAYS,
    },
  ];
}

/** The sets with the site-calibrated LSTM (training/calibrated-series.ts) scored right after the network in each. */
export function withCalibrated(sets: readonly ComparisonSet[]): ComparisonSet[] {
  return sets.map((s) => ({
    ...s,
    models: ["lstm", "lstm_calibrated", ...s.models.filter((m) => m !== "lstm")],
  }));
}
