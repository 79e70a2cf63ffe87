// External daily drivers in the three modes, with the bad rows of that table counted, never fatal.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.ts";
import type { DriversMode } from "../ingest/external-drivers.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { cleanup, readRows, tempDir, timestamps, writeMiniRelease } from "./helpers/mini-release.ts";

const hourly = (v: number) =>
  timestamps("2020-01-01 00:00:00", 72, 60).map((t) => [1, t, 2, v] as (string | number)[]);
let release: string;
let work: string;
let csv: string;
beforeAll(() => {
  const columns = ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2", "CSR_T5"];
  release = writeMiniRelease([
    { id: "dA", columns, rows: hourly(10) },
    { id: "dB", columns, rows: hourly(20) },
  ]);
  work = tempDir();
  csv = join(work, "ext.csv");
  writeFileSync(
    csv,
    [
      "site,date,tsoil_mean,swc_mean,foo",
      "dA,2019-12-31,1.5,0.2,x",
      "dA,2020-01-01,9,0.3,x",
      "dA,2020-01-02,abc,0.31,x",
      "dA,2020-01-03,99,0.32,x",
      "dA,2020-01-03,,0.34,x",
      "nope,2020-01-01,5,0.1,x",
      "dA,2020-02-30,5,0.1,x",
      "dA,01/02/2020,5,0.1,x",
    ].join("\n"),
  );
});
afterAll(() => cleanup(release, work));

async function ingest(mode: DriversMode, file = csv) {
  const out = join(work, `out-${mode}-${Math.random().toString(36).slice(2)}`);
  const summary = await runIngest({ cosore: release, out, externalDrivers: file, driversMode: mode });
  const rows = await readRows(join(out, "daily.parquet"), "SELECT * FROM t WHERE site = 'dA' ORDER BY date");
  return { summary, rows };
}

describe("external drivers", () => {
  it("counts unknown sites and columns, bad dates, non-numeric and out-of-range values, duplicates", async () => {
    const { summary } = await ingest("beside");
    const ext = summary.report.external;
    expect(ext).toMatchObject({
      rows_read: 8,
      rows_used: 5,
      columns_used: ["tsoil_mean", "swc_mean"],
      unknown_columns: ["foo"],
      days_added: 1,
      rule_counts: {
        ext_unknown_site: 1,
        ext_unknown_column: 1,
        ext_bad_date: 2,
        ext_non_numeric: 1,
        ext_out_of_range: 1,
        ext_duplicate: 1,
      },
    });
    const rule = (id: string) => summary.report.rules.find((r) => r.id === id)?.count;
    expect(rule("ext_bad_date")).toBe(2);
  });

  it("beside: stores ext_<name> next to in-situ values and adds days outside the chamber period", async () => {
    const { rows } = await ingest("beside");
    expect(
      rows.map((r) => [r.date, r.flux_mean, r.flux_n, r.tsoil_mean, r.ext_tsoil_mean, r.ext_swc_mean]),
    ).toEqual([
      ["2019-12-31", null, 0, null, 1.5, 0.2],
      ["2020-01-01", 2, 24, 10, 9, 0.3],
      ["2020-01-02", 2, 24, 10, null, 0.31],
      ["2020-01-03", 2, 24, 10, null, 0.33],
    ]);
    expect(rows[0]).not.toHaveProperty("tsoil_mean_source");
  });

  it("fill: in-situ where present, else external, with <name>_source and the records behind", async () => {
    const { rows, summary } = await ingest("fill");
    expect(
      rows.map((r) => [
        r.date,
        r.tsoil_mean,
        r.tsoil_mean_source,
        r.tsoil_n,
        r.swc_mean,
        r.swc_mean_source,
        r.swc_n,
      ]),
    ).toEqual([
      ["2019-12-31", 1.5, "external", 1, 0.2, "external", 1],
      ["2020-01-01", 10, "insitu", 24, 0.3, "external", 1],
      ["2020-01-02", 10, "insitu", 24, 0.31, "external", 1],
      ["2020-01-03", 10, "insitu", 24, 0.33, "external", 2],
    ]);
    expect(summary.report.external?.values_applied).toEqual({ tsoil_mean: 1, swc_mean: 4 });
    const sites = await readRows(join(summary.out, "sites.parquet"), "SELECT * FROM t WHERE site = 'dA'");
    expect(sites[0]).toMatchObject({ first_date: "2019-12-31", last_date: "2020-01-03", flux_days: 3 });
  });

  it("replace: external values only", async () => {
    const { rows } = await ingest("replace");
    expect(rows.map((r) => [r.date, r.tsoil_mean, r.tsoil_mean_source, r.tsoil_n, r.tsoil_min])).toEqual([
      ["2019-12-31", 1.5, "external", 1, null],
      ["2020-01-01", 9, "external", 1, 10],
      ["2020-01-02", null, null, 0, 10],
      ["2020-01-03", null, null, 0, 10],
    ]);
  });

  it("reads a Parquet table with a DATE column", async () => {
    const file = join(work, "ext.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(
      `COPY (SELECT * FROM (VALUES ('dB', DATE '2020-01-04', 0.25)) v(site, date, swc_mean)) TO '${file}' (FORMAT parquet)`,
    );
    con.closeSync();
    instance.closeSync();
    const out = join(work, "out-parquet");
    const s = await runIngest({ cosore: release, out, externalDrivers: file, driversMode: "fill" });
    const rows = await readRows(
      join(out, "daily.parquet"),
      "SELECT * FROM t WHERE site = 'dB' ORDER BY date",
    );
    expect(rows.at(-1)).toMatchObject({
      date: "2020-01-04",
      swc_mean: 0.25,
      swc_mean_source: "external",
      flux_n: 0,
    });
    expect(s.report.external?.days_added).toBe(1);
  });

  it("rejects a missing file or one without site/date before doing any work", async () => {
    await expect(
      runIngest({ cosore: release, out: join(work, "x1"), externalDrivers: join(work, "nope.csv") }),
    ).rejects.toBeInstanceOf(InputError);
    const bad = join(work, "bad.csv");
    writeFileSync(bad, "site,day,tsoil_mean\ndA,2020-01-01,3\n");
    await expect(runIngest({ cosore: release, out: join(work, "x2"), externalDrivers: bad })).rejects.toThrow(
      /no 'date' column/,
    );
    expect(existsSync(join(work, "x1"))).toBe(false);
    expect(existsSync(join(work, "x2"))).toBe(false);
  });
});
