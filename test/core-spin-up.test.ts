// Spin-up: prepended days mirror the series' first days, carry their own calendar date features, and move the rows; warm-up flags.
import { describe, expect, it } from "vitest";
import { dateFeatureColumns } from "../core/date-features.ts";
import { dayNumber } from "../core/dates.ts";
import { encodeSite } from "../core/request.ts";
import { spinUpSite, warmupFlags } from "../core/spin-up.ts";
import { readModelDir } from "../model/node/read-model.ts";

const { schema } = await readModelDir("models/soilco2-lstm/2");
const cols = schema.dynamic.length;
const ts = schema.dynamic.findIndex((f) => f.name === "tsoil_mean");
const doy = schema.dynamic.findIndex((f) => f.name === "doy_sin");
const site = encodeSite(
  { start: "2019-03-01", static: { latitude: 45 }, drivers: { tsoil_mean: [1, 2, 3, 4] } },
  schema,
);

describe("spinUpSite", () => {
  it("mirrors the first days backwards, reflecting a short series back and forth", () => {
    const s = spinUpSite(site, schema, 10, "mirror");
    const t = Array.from({ length: 14 }, (_, r) => s.dynamic[r * cols + ts]);
    // going back from the first date: days 0, 1, 2, 3, 3, 2, 1, 0, 0, 1 of the series
    expect(t).toEqual([2, 1, 1, 2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 4]);
    expect(s.firstDay).toBe(site.firstDay - 10);
  });
  it("repeats the first day with mode repeat, and leaves the site alone with none", () => {
    const s = spinUpSite(site, schema, 3, "repeat");
    expect([0, 1, 2].map((r) => s.dynamic[r * cols + ts])).toEqual([1, 1, 1]);
    expect(spinUpSite(site, schema, 90, "none")).toBe(site);
  });
  it("computes the date features of the real calendar days before the series", () => {
    const s = spinUpSite(site, schema, 5, "mirror");
    const expected = dateFeatureColumns(dayNumber("2019-02-24")!, 5).doy_sin!;
    for (let r = 0; r < 5; r++) expect(s.dynamic[r * cols + doy]).toBeCloseTo(expected[r]!, 6);
  });
  it("moves the rows so the same dates are decoded from the longer output", () => {
    const s = spinUpSite(site, schema, 7, "mirror");
    const out = Float32Array.from({ length: 11 }, (_, r) => r);
    expect(s.days).toEqual(site.days);
    expect(Array.from(s.rows, (r) => out[r])).toEqual([7, 8, 9, 10]);
  });
});

describe("warmupFlags", () => {
  it("flags the first warm-up days of a cold start, none after a full spin-up", () => {
    expect(warmupFlags(site, 2, 0)).toEqual([true, true, false, false]);
    expect(warmupFlags(site, 90, 90)).toEqual([false, false, false, false]);
    expect(warmupFlags(site, 3, 1)).toEqual([true, true, false, false]);
  });
});
