// Calendar arithmetic used by request encoding and training: day numbers, day of year, leap years, seasonal phase.
import { describe, expect, it } from "vitest";
import { dateFeatureColumns } from "../core/date-features.ts";
import { dayNumber, dayOfYear, isoDate, seasonalPhase, yearLength } from "../core/dates.ts";

describe("dates", () => {
  it("round-trips ISO dates and rejects non-dates", () => {
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(isoDate(dayNumber("2024-02-29")!)).toBe("2024-02-29");
    expect(dayNumber("2023-02-29")).toBeUndefined();
    expect(dayNumber("2023-13-01")).toBeUndefined();
    expect(dayNumber("20230101")).toBeUndefined();
  });
  it("day of year and year length agree with the calendar, leap years and centuries included", () => {
    expect(dayOfYear(dayNumber("2020-12-31")!)).toBe(366);
    expect(dayOfYear(dayNumber("2021-12-31")!)).toBe(365);
    expect(dayOfYear(dayNumber("1969-12-31")!)).toBe(365);
    expect(yearLength(dayNumber("1900-06-01")!)).toBe(365);
    expect(yearLength(dayNumber("2000-06-01")!)).toBe(366);
    for (let d = dayNumber("1890-01-01")!; d < dayNumber("2110-01-01")!; d += 11) {
      const date = new Date(d * 86_400_000);
      const expected = Math.round((d * 86_400_000 - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
      expect(dayOfYear(d)).toBe(expected);
    }
  });
  it("the seasonal phase is continuous across New Year", () => {
    const [s1, c1] = seasonalPhase(dayNumber("2020-12-31")!);
    const [s2, c2] = seasonalPhase(dayNumber("2021-01-01")!);
    expect(Math.hypot(s1 - s2, c1 - c2)).toBeLessThan(0.02);
    expect(Math.hypot(s1, c1)).toBeCloseTo(1, 12);
  });

  it("the date feature columns equal the seasonal phase day by day, across leap years and centuries", () => {
    for (const first of ["1899-12-20", "1999-12-30", "2000-02-27", "2023-06-01"]) {
      const f = dayNumber(first)!;
      const cols = dateFeatureColumns(f, 3000);
      for (let t = 0; t < 3000; t++) {
        const [s, c] = seasonalPhase(f + t);
        expect(cols.doy_sin![t], `${first} + ${t}`).toBe(Math.fround(s));
        expect(cols.doy_cos![t], `${first} + ${t}`).toBe(Math.fround(c));
      }
    }
  });
});
