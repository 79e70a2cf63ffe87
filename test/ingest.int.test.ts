// Integration: the whole shared COSORE release ($SOILCO2_COSORE or ../shared/data/cosore), asserting the figures measured on it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosorePath } from "../ingest/cosore-path.ts";
import type { DatasetReport } from "../ingest/report.ts";
import { type IngestSummary, runIngest } from "../ingest/run-ingest.ts";
import { cleanup, readRows, tempDir } from "./helpers/mini-release.ts";

let work: string;
let out: string;
let summary: IngestSummary;
const ds = (id: string): DatasetReport => {
  const r = summary.datasets.find((d) => d.dataset === id);
  if (!r) throw new Error(`no report for ${id}`);
  return r;
};

beforeAll(async () => {
  work = tempDir();
  out = join(work, "out");
  summary = await runIngest({ cosore: cosorePath(), out });
}, 120_000);
afterAll(() => cleanup(work));

describe("ingest of the shared COSORE v0.8 release", () => {
  it("keeps enough sites and site-days", () => {
    const t = summary.report.totals;
    expect(t.datasets_considered).toBe(83); // 83 in description.csv, 69 with a data file
    expect(t.rows_read).toBe(3_188_546);
    expect(t.datasets_kept).toBe(64);
    expect(t.sites_with_30_flux_days).toBe(61);
    expect(t.sites_with_30_flux_days).toBeGreaterThanOrEqual(55);
    expect(t.flux_days).toBe(30_048);
    expect(t.flux_days).toBeGreaterThanOrEqual(20_000);
    expect(t.site_days).toBe(30_693);
    expect(t.sites_with).toEqual({ tsoil: 43, swc: 35, tair: 21, precip: 0 });
    expect(t.sites_igbp_unknown).toBe(0);
    expect(t.datasets_failed).toBe(0);
  });

  it("skips datasets for the right reason", () => {
    expect(ds("d20200407_WANG").reason?.rule).toBe("no_numeric_flux"); // every CSR_FLUX_CO2 is NA
    expect(ds("d20200328_UEYAMA_FAIRBANKS").reason?.rule).toBe("no_control_port"); // NEE ports only
    expect(ds("d20200328_UEYAMA_HOKUROKU").reason?.rule).toBe("no_control_port"); // NEE ports only
    expect(ds("d20200109_HIRANO_PDB").reason?.rule).toBe("no_control_port"); // Rh ports only
    expect(ds("d20200213_SEIBT").reason?.rule).toBe("no_flux_day"); // every record stamped 16:00
    const missing = summary.datasets.filter((d) => d.reason?.rule === "missing_file").map((d) => d.dataset);
    expect(missing).toHaveLength(14);
    expect(missing).toContain("d20190821_LIU");
  });

  it("applies the port, unit and plausibility rules where the data needs them", () => {
    const miniat = ds("d20200808_MINIAT"); // ports.csv writes "0601", the data 601
    expect(miniat.flux.control_ports.slice(0, 3)).toEqual([601, 602, 603]);
    expect(miniat.drivers.swc).toMatchObject({ column: "CSR_SM15", percent_fixed: true });
    expect(ds("d20190430_DESAI").drivers.tsoil).toMatchObject({ column: "CSR_T7", depth_cm: 7 });
    expect(ds("d20190504_SAVAGE_hf006-03").drivers.tsoil.column).toBe("CSR_T4.5");
    expect(ds("d20190607_RUEHR").drivers.tsoil.column).toBe("CSR_T0");
    expect(ds("d20200417_ARAIN_TPD").drivers.swc.column).toBeNull(); // values 0.7-1.2: unknown unit
    expect(ds("d20191214_PANG").drivers.tsoil.column).toBeNull(); // 31% above 60 degC
    expect(ds("d20190409_ZOU").drivers.tair.column).toBeNull(); // 14% near 175 degC
    const rules = Object.fromEntries(summary.report.rules.map((r) => [r.id, r.count]));
    expect(rules).toMatchObject({
      non_control_port: 329_851,
      flux_range: 4_373,
      flux_outlier: 20_334,
      low_coverage: 640,
      swc_percent: 238_409,
      column_implausible: 515_066,
      missing_file: 14,
      malformed_row: 0,
      bad_timestamp: 0,
    });
  });

  it("writes one row per site-day within the feature ranges, and one row per kept site", async () => {
    const daily = join(out, "daily.parquet");
    const [d] = await readRows(
      daily,
      `SELECT count(*) AS n, count(DISTINCT (site, date)) AS keys, count(flux_mean) AS flux,
        min(flux_mean) >= -10 AND max(flux_mean) <= 100 AS flux_ok,
        min(swc_mean) >= 0 AND max(swc_mean) <= 1 AS swc_ok,
        min(tsoil_min) >= -40 AND max(tsoil_max) <= 60 AS tsoil_ok,
        count(*) FILTER (WHERE flux_mean IS NOT NULL AND (flux_n < 4 OR flux_hours < 4)) AS thin
       FROM t`,
    );
    expect(d).toEqual({
      n: "30693",
      keys: "30693",
      flux: "30048",
      flux_ok: true,
      swc_ok: true,
      tsoil_ok: true,
      thin: "0",
    });
    const sites = await readRows(join(out, "sites.parquet"), "SELECT * FROM t ORDER BY site");
    expect(sites).toHaveLength(64);
    expect(sites.filter((s) => (s.flux_days as number) >= 30)).toHaveLength(61);
    expect(sites.find((s) => s.site === "d20200114_CARBONE_BURNS")).toMatchObject({ igbp: "OSH", map: 250 });
    expect(sites.find((s) => s.site === "d20200220_GAVAZZI")?.igbp).toBe("ENF");
    const report = JSON.parse(readFileSync(join(out, "reports", "d20200407_WANG.json"), "utf8"));
    expect(report.status).toBe("skipped");
  });
});

describe("ingest is reproducible", () => {
  it("a second ingest of the same release writes byte-identical Parquet files", async () => {
    const again = join(work, "again");
    await runIngest({ cosore: cosorePath(), out: again });
    const sha = (dir: string, f: string) =>
      createHash("sha256")
        .update(readFileSync(join(dir, f)))
        .digest("hex");
    for (const f of ["daily.parquet", "sites.parquet"]) expect(sha(again, f), f).toBe(sha(out, f));
  }, 180_000);
});
