/** Train / validation / test splits: by time within each site (the paper's), or k-fold by whole sites. */
import { type Rng, shuffled } from "../core/random.ts";
import type { SiteSeries } from "./dataset.ts";

/** Label of one day. */
export const SPLIT = { none: 0, train: 1, val: 2, test: 3 } as const;
export type SplitCode = (typeof SPLIT)[keyof typeof SPLIT];
export type SplitName = Exclude<keyof typeof SPLIT, "none">;

/**
 * Per-site labels, one byte per day of the series. Days without a target are labelled too (by period), so
 * driver statistics can be fitted on the training period; metrics only ever use days with a target.
 */
export type SplitLabels = Uint8Array[];

/** Indices of the days that have a target, in order. */
function observedDays(s: SiteSeries): number[] {
  const out: number[] = [];
  for (let t = 0; t < s.length; t++) if (!Number.isNaN(s.target[t]!)) out.push(t);
  return out;
}

/** First day of the tail holding the last `share` of the observed days (at least one), from `end` back. */
function tailStart(observed: readonly number[], count: number, end: number, fallback: number): number {
  return observed[end - count] ?? fallback;
}

/**
 * The paper's split, within each site by time: of the days that have a target, the last `testFraction` are test,
 * the `valFraction` before them validation, the rest training. Every day (with or without target) gets the label of
 * the period it falls in.
 */
export function temporalSplit(
  sites: readonly SiteSeries[],
  testFraction: number,
  valFraction: number,
): SplitLabels {
  return sites.map((s) => {
    const observed = observedDays(s);
    const n = observed.length;
    const nTest = Math.max(1, Math.round(testFraction * n));
    const nVal = Math.max(1, Math.round(valFraction * n));
    const testStart = tailStart(observed, nTest, n, s.length);
    const valStart = tailStart(observed, nVal, n - nTest, testStart);
    const labels = new Uint8Array(s.length);
    for (let t = 0; t < s.length; t++)
      labels[t] = t >= testStart ? SPLIT.test : t >= valStart ? SPLIT.val : SPLIT.train;
    return labels;
  });
}

/**
 * Assign sites to `k` folds after a seeded shuffle; fold sizes differ by at most one.
 * @returns site indices per fold
 */
export function siteFolds(siteCount: number, k: number, rng: Rng): number[][] {
  const order = shuffled(
    Array.from({ length: siteCount }, (_, i) => i),
    rng,
  );
  const folds: number[][] = Array.from({ length: k }, () => []);
  order.forEach((site, i) => {
    folds[i % k]!.push(site);
  });
  return folds;
}

/**
 * Labels for one fold of site cross-validation: every day of a held-out site is test; the other sites are split by
 * time into training and a validation tail (`valFraction` of their observed days) for early stopping.
 */
export function siteCvSplit(
  sites: readonly SiteSeries[],
  heldOut: readonly number[],
  valFraction: number,
): SplitLabels {
  const held = new Set(heldOut);
  return sites.map((s, i) => {
    if (held.has(i)) return new Uint8Array(s.length).fill(SPLIT.test);
    const observed = observedDays(s);
    const nVal = Math.max(1, Math.round(valFraction * observed.length));
    const valStart = tailStart(observed, nVal, observed.length, s.length);
    const labels = new Uint8Array(s.length);
    for (let t = 0; t < s.length; t++) labels[t] = t >= valStart ? SPLIT.val : SPLIT.train;
    return labels;
  });
}

/** Days with a target carrying `label`, per site: the evaluation set of a split. */
export function labelledDays(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  label: SplitCode,
): number[][] {
  return sites.map((s, i) => {
    const out: number[] = [];
    for (let t = 0; t < s.length; t++)
      if (labels[i]![t] === label && !Number.isNaN(s.target[t]!)) out.push(t);
    return out;
  });
}
