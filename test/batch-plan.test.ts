// How a batch job is cut: parts of whole sites closed once they reach their site-day budget (deterministic, so every
// worker and every rerun sees the same partitions), and batches of similar-length sites within the padded budget.
import { describe, expect, it } from "vitest";
import { planParts } from "../batch/job.ts";
import { groupBatches } from "../batch/run-part.ts";
import type { PlannedSite } from "../core/predict-site.ts";

const site = (name: string, days: number, ix = 0) => ({
  site: name,
  ix,
  rows: days,
  firstDay: 100,
  lastDay: 100 + days - 1,
});

describe("planParts", () => {
  it("keeps sites whole, in order, and closes a part once it reaches the budget", () => {
    const parts = planParts(
      [site("a", 40, 1), site("b", 70, 2), site("c", 10, 3), site("d", 200, 4), site("e", 5, 5)],
      100,
    );
    expect(
      parts.map((p) => [p.name, p.firstSite, p.lastSite, p.firstIx, p.lastIx, p.sites, p.siteDays]),
    ).toEqual([
      ["chunk-00000", "a", "b", 1, 2, 2, 110],
      ["chunk-00001", "c", "d", 3, 4, 2, 210],
      ["chunk-00002", "e", "e", 5, 5, 1, 5],
    ]);
  });

  it("is the same plan for the same sites", () => {
    const sites = Array.from({ length: 50 }, (_, i) => site(`s${i}`, 10 + ((i * 37) % 90)));
    expect(planParts(sites, 300)).toEqual(planParts(sites, 300));
    expect(planParts(sites, 300).reduce((n, p) => n + p.siteDays, 0)).toBe(
      sites.reduce((n, s) => n + s.rows, 0),
    );
  });
});

describe("groupBatches", () => {
  const plan = (days: number) => ({ run: { dynamic: new Float32Array(days * 2) } }) as unknown as PlannedSite;
  it("sorts by length and keeps each batch's padded size within the budget (a long site alone may exceed it)", () => {
    const plans = [plan(30), plan(10), plan(500), plan(20), plan(25)];
    const batches = groupBatches(plans, 2, 60);
    const lengths = batches.map((b) => b.map((p) => p.run.dynamic.length / 2));
    expect(lengths).toEqual([[10, 20], [25, 30], [500]]);
    for (const b of lengths.slice(0, -1)) expect(b.length * Math.max(...b)).toBeLessThanOrEqual(60);
  });
});
