// Evaluation: which sites and days each comparison set scores, and that every model is scored on the same days.
import { describe, expect, it } from "vitest";
import { nse } from "../core/metrics.ts";
import {
  type ComparisonSet,
  defaultComparisonSets,
  evaluate,
  LONG_RECORD_DAYS,
  type ModelSeries,
} from "../training/evaluate.ts";
import { SPLIT } from "../training/splits.ts";
import { seasonalT, toySite } from "./helpers/toy-sites.ts";

/** A site with `testDays` test days at its end, soil temperature on every day, and efflux 1 + T/10. */
function site(name: string, testDays: number, withTsoil = true) {
  const length = 100 + testDays;
  const s = toySite({
    site: name,
    length,
    ...(withTsoil ? { tsoil: seasonalT } : {}),
    flux: (t) => 1 + seasonalT(t) / 10,
  });
  const labels = Uint8Array.from({ length }, (_, t) => (t < 100 ? SPLIT.train : SPLIT.test));
  return { s, labels };
}

describe("evaluate", () => {
  const short = site("short", 20);
  const long = site("long", LONG_RECORD_DAYS);
  const noT = site("no-tsoil", 80, false);
  const sites = [short.s, long.s, noT.s];
  const labels = [short.labels, long.labels, noT.labels];
  // LSTM: the truth plus a wiggle; "flat": the site's training mean.
  const models: ModelSeries[] = [
    {
      name: "lstm",
      label: "LSTM",
      series: sites.map((s) => s.target.map((y, t) => y + 0.1 * Math.sin(t))),
    },
    { name: "flat", label: "flat", series: sites.map((s) => new Float32Array(s.length).fill(2)) },
  ];
  const sets: ComparisonSet[] = [
    { name: "all", label: "all days", needs: [], models: ["lstm", "flat"] },
    { name: "tsoil", label: "soil temperature", needs: ["tsoil_mean"], models: ["lstm"] },
    {
      name: "all_long",
      label: "all days, long",
      needs: [],
      models: ["lstm", "flat"],
      minDays: LONG_RECORD_DAYS,
    },
  ];
  const ev = evaluate(sites, labels, models, sets, 10);
  const set = (name: string) => ev.test.find((x) => x.set === name)!;

  it("a site enters a set with enough of the set's days: the set's own minimum where it has one", () => {
    expect(set("all").sites).toEqual(["short", "long", "no-tsoil"]);
    expect(set("tsoil").sites).toEqual(["short", "long"]);
    expect(set("all_long").sites).toEqual(["long", "no-tsoil"]);
    expect(set("all_long").days).toBe(LONG_RECORD_DAYS + 80);
  });

  it("scores each model on the site's test days of the set", () => {
    const row = ev.rows.find(
      (r) => r.split === "test" && r.set === "all" && r.site === "long" && r.model === "lstm",
    )!;
    const obs = Array.from(long.s.target.subarray(100));
    const sim = Array.from(models[0]!.series[1]!.subarray(100));
    expect(row.metrics.nse).toBeCloseTo(nse(obs, sim), 10);
    const lstm = set("all_long").models.find((m) => m.model === "lstm")!;
    expect(lstm.sites).toBe(2);
  });

  it("leaves a site out of a set where a model has no prediction on one of its days", () => {
    const gappy: ModelSeries = {
      name: "flat",
      label: "flat",
      series: sites.map((s, i) => {
        const v = new Float32Array(s.length).fill(2);
        if (i === 1) v[s.length - 1] = Number.NaN;
        return v;
      }),
    };
    const e = evaluate(sites, labels, [models[0]!, gappy], sets, 10);
    expect(e.test.find((x) => x.set === "all")!.sites).toEqual(["short", "no-tsoil"]);
  });

  it("leaves out a set with its own minimum that keeps exactly the sites of an earlier set", () => {
    const strict: ComparisonSet = { ...sets[0]!, name: "all_strict", minDays: 15 };
    const e = evaluate(sites, labels, models, [...sets, strict], 10);
    expect(e.test.map((x) => x.set)).toEqual(["all", "tsoil", "all_long"]);
    expect(e.rows.some((r) => r.set === "all_strict")).toBe(false);
    expect(e.byClimate.all_strict).toBeUndefined();
  });
});

describe("defaultComparisonSets", () => {
  it("adds long-record variants of the all-days and soil-temperature sets with their baselines", () => {
    const sets = defaultComparisonSets([
      { name: "q10", needs: ["tsoil_mean"] },
      { name: "climatology", needs: [] },
    ]);
    const byName = Object.fromEntries(sets.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(["all", "tsoil", "tsoil_swc", "all_long", "tsoil_long"]);
    expect(byName.tsoil_long!.models).toEqual(["lstm", "q10", "climatology"]);
    expect(byName.tsoil_long!.minDays).toBe(LONG_RECORD_DAYS);
    expect(byName.all!.minDays).toBeUndefined();
  });
});
