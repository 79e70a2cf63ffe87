// Splits: the paper's temporal split, site folds, and site cross-validation labels.
import { describe, expect, it } from "vitest";
import { seededRng } from "../core/random.ts";
import { secondHalfOfValidation } from "../training/score-model.ts";
import { labelledDays, SPLIT, siteCvSplit, siteFolds, temporalSplit } from "../training/splits.ts";
import { toySite } from "./helpers/toy-sites.ts";

describe("temporal split", () => {
  const site = toySite({ length: 200, flux: () => 1, observed: (t) => t % 2 === 0 }); // 100 observed days
  const [labels] = temporalSplit([site], 0.3, 0.1);

  it("labels the last 30% of observed days test and the 10% before them validation", () => {
    expect(labelledDays([site], [labels!], SPLIT.test)[0]!.length).toBe(30);
    expect(labelledDays([site], [labels!], SPLIT.val)[0]!.length).toBe(10);
    expect(labelledDays([site], [labels!], SPLIT.train)[0]!.length).toBe(60);
  });
  it("keeps time order: every train day precedes every validation day, which precede every test day", () => {
    const last = (c: number) => labels!.lastIndexOf(c);
    const first = (c: number) => labels!.indexOf(c);
    expect(last(SPLIT.train)).toBeLessThan(first(SPLIT.val));
    expect(last(SPLIT.val)).toBeLessThan(first(SPLIT.test));
  });
  it("labels days without a target by the period they fall in", () => {
    expect(labels![1]).toBe(SPLIT.train);
    expect(labels![199]).toBe(SPLIT.test);
  });
});

describe("site folds and site cross-validation", () => {
  it("puts every site in exactly one fold, sizes differing by at most one, repeatably", () => {
    const folds = siteFolds(23, 5, seededRng(1));
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(siteFolds(23, 5, seededRng(1))).toEqual(folds);
    expect(siteFolds(23, 5, seededRng(2))).not.toEqual(folds);
  });
  it("labels held-out sites all test, the others train with a validation tail", () => {
    const sites = [0, 1, 2].map((i) => toySite({ site: `s${i}`, length: 100, flux: () => 1 }));
    const labels = siteCvSplit(sites, [1], 0.2);
    expect(labels[1]!.every((l) => l === SPLIT.test)).toBe(true);
    for (const i of [0, 2]) {
      expect(labels[i]!.includes(SPLIT.test)).toBe(false);
      expect(labelledDays(sites, labels, SPLIT.val)[i]!.length).toBe(20);
      expect(labels[i]![99]).toBe(SPLIT.val);
      expect(labels[i]![0]).toBe(SPLIT.train);
    }
  });
});

describe("secondHalfOfValidation (soilco2 score --on validation)", () => {
  it("scores the second half of the validation days, keeps the first half as validation, and drops the test days", () => {
    const s = toySite({ length: 10, flux: () => 1 });
    const lab = Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(Array.from(secondHalfOfValidation(s, lab))).toEqual([1, 1, 1, 1, 2, 2, 3, 3, 0, 0]);
  });
});
