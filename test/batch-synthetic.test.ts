// `soilco2 synthetic-series` on a small ingest-format dataset: every calendar day of each training site from its first
// day to its last (days without any row included), observed efflux where measured, the split and warm-up flags of
// training's synthetic series, and the batch path's coverage flags; a site with too few flux days is left out.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../ingest/cosore-path.ts";
import { duck, soilco2 } from "./helpers/batch-fixtures.ts";

const MODEL = join(REPO_ROOT, "models/soilco2-lstm/2");

describe("synthetic-series", () => {
  const dir = mkdtempSync(join(tmpdir(), "soilco2-synth-"));
  const data = join(dir, "daily");
  const out = join(dir, "synthetic");
  let run: ReturnType<typeof soilco2>;
  type Row = [string, string, number | null, number, number, string, string | null, boolean, number, boolean];
  let rows: Row[] = [];

  beforeAll(async () => {
    // A: 400 days, a row only on 2 of every 3 days, flux every other row day; B: 300 days; C: 10 flux days (too few)
    mkdirSync(data, { recursive: true });
    const daily = `SELECT site, DATE '2015-01-01' + d::INTEGER AS date,
        CASE WHEN d % 2 = 0 THEN 1.5 + sin(d / 30.0) ELSE NULL END AS flux_mean,
        10 + 8 * sin(d / 58.0) AS tsoil_mean, NULL::DOUBLE AS tsoil_min, NULL::DOUBLE AS tsoil_max,
        0.3 AS swc_mean, 11 + 8 * sin(d / 58.0) AS tair_mean, 1.0 AS precip_sum
      FROM (SELECT 'A' AS site, d FROM range(400) r(d) WHERE d % 3 <> 1 OR d = 399
            UNION ALL SELECT 'B', d FROM range(300) r(d)
            UNION ALL SELECT 'C', d FROM range(20) r(d))`;
    await duck(`COPY (${daily}) TO '${data}/daily.parquet' (FORMAT parquet)`);
    await duck(`COPY (SELECT * FROM (VALUES ('A', 'a', 45.0, 7.0, 200.0, 'DBF', 9.0, 800.0, 'pub'), ('B', 'b', -20.0, 30.0, NULL, 'EBF', NULL, NULL, 'pub'), ('C', 'c', 10.0, 10.0, 10.0, 'GRA', NULL, NULL, 'pub'))
      t(site, site_name, latitude, longitude, elevation, igbp, mat, map, primary_pub)) TO '${data}/sites.parquet' (FORMAT parquet)`);
    run = soilco2([
      "synthetic-series",
      "--data",
      data,
      "--out",
      out,
      "--model",
      MODEL,
      "--sessions",
      "1",
      "--no-progress",
    ]);
    rows =
      await duck<Row>(`SELECT site, strftime(date, '%Y-%m-%d'), flux_observed, flux_modelled, flux_filled, source, split, warmup,
        drivers_present, driver_covered FROM read_parquet('${out}/synthetic-daily.parquet') ORDER BY site, date`);
  }, 120_000);

  it("covers every calendar day of each training site, first to last", () => {
    expect(run.status, run.stderr).toBe(0);
    const a = rows.filter((r) => r[0] === "A");
    expect(a.length).toBe(400);
    expect([a[0]![1], a.at(-1)![1]]).toEqual(["2015-01-01", "2016-02-04"]);
    expect(rows.filter((r) => r[0] === "B").length).toBe(300);
    expect(rows.some((r) => r[0] === "C")).toBe(false);
  });

  it("fills with the model where nothing was measured, and flags it", () => {
    const a = rows.filter((r) => r[0] === "A");
    const gapDay = a[1]!; // day 1: no row at all in daily.parquet
    expect([gapDay[2], gapDay[5], gapDay[8], gapDay[9]]).toEqual([null, "modelled", 0, false]);
    expect(gapDay[4]).toBe(gapDay[3]);
    const measured = a[0]!;
    expect(measured[5]).toBe("observed");
    expect(measured[4]).toBeCloseTo(1.5, 6);
    expect(measured[8]).toBe(4);
    for (const r of rows) expect(r[3]).toBeGreaterThan(0);
  });

  it("has training's split and warm-up flags (cold start: the first 90 days warm up)", () => {
    const b = rows.filter((r) => r[0] === "B");
    expect(b.slice(0, 90).every((r) => r[7])).toBe(true);
    expect(b.slice(90).some((r) => r[7])).toBe(false);
    expect(new Set(b.map((r) => r[6]))).toEqual(new Set(["train", "val", "test"]));
    expect(b.at(-1)![6]).toBe("test");
  });
});
