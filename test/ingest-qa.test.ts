// Every QA rule, port selection, driver choice and the day convention, on a mini release the test writes itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAILY_COLUMNS, SITE_COLUMNS } from "../core/daily-table.ts";
import { QA_RULES, qaRulesMarkdown } from "../ingest/qa-rules.ts";
import type { DatasetReport } from "../ingest/report.ts";
import { type IngestSummary, runIngest } from "../ingest/run-ingest.ts";
import {
  type Cell,
  cleanup,
  type MiniDataset,
  readRows,
  tempDir,
  timestamps,
  writeMiniRelease,
} from "./helpers/mini-release.ts";

const FLUX = ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2"];
/** Rows for `ports` at each timestamp: [port, ts, ...cells(port, index, ts)]. */
function rowsFor(
  ports: number[],
  ts: string[],
  cells: (port: number, i: number, ts: string) => Cell[],
): Cell[][] {
  return ports.flatMap((p) => ts.map((t, i) => [p, t, ...cells(p, i, t)]));
}
const noise = (i: number) => 0.1 * ((i % 5) - 2);

const hours72 = timestamps("2020-01-01 00:00:00", 72, 60);
const rulesColumns = [
  ...FLUX,
  "CSR_T0",
  "CSR_T2.5",
  "CSR_T7.5",
  "CSR_SM2",
  "CSR_SM10",
  "CSR_TAIR",
  "CSR_TAIR_AMB",
  "CSR_PRECIP",
  "Notes",
];
function rulesRow(i: number): Cell[] {
  const flux: Cell = i === 5 ? "abc" : i === 6 ? 150 : i === 7 ? -20 : 2 + noise(i);
  const t75: Cell = i === 8 ? 70 : i === 9 ? "x" : 12;
  const sm10: Cell = i === 10 ? 150 : 25; // 150 % = 1.5 m3 m-3: out of range
  const tair: Cell = i === 11 ? 80 : 15;
  const precip: Cell = i === 12 ? -1 : 0.5;
  return [flux, 10, null, t75, 5000, sm10, null, tair, precip, "note"];
}
const rulesRows = [
  ...rowsFor([1], hours72, (_p, i) => rulesRow(i)),
  // port 2 repeats day 1's timestamps (COSORE repeats site data per port): precipitation must not double.
  ...rowsFor([2], hours72.slice(0, 24), (_p, i) => rulesRow(i + 24)),
  [1, "2020-13-01 00:00:00", ...rulesRow(100)],
  [1, "garbage", ...rulesRow(100)],
];

const datasets: MiniDataset[] = [
  {
    id: "dPorts",
    ports: [
      ["0", "Rs", "None"],
      ["2", "Rh", "Trenched"],
    ],
    columns: FLUX,
    rows: [
      ...rowsFor([1], timestamps("2020-01-01 00:00:00", 48, 60), () => [2]),
      ...rowsFor([2], timestamps("2020-01-01 00:00:00", 48, 60), () => [50]),
      ...rowsFor([3], timestamps("2020-01-01 00:00:00", 12, 240), () => [4]),
    ],
  },
  {
    id: "dPad",
    ports: [
      ["0601", "Rs", "None"],
      ["0602", "Rs", "Girdled"],
    ],
    columns: FLUX,
    rows: [
      ...rowsFor([601], timestamps("2020-01-01 00:00:00", 24, 60), () => [1]),
      ...rowsFor([602, 603], timestamps("2020-01-01 00:00:00", 24, 60), () => [9]),
    ],
  },
  { id: "dRules", columns: rulesColumns, rows: rulesRows, tail: "1,2020-01-02 00:00:00,2,1\n" },
  {
    id: "dOut",
    columns: FLUX,
    // Monday 2020-01-06: one week at ~2, one summer-like week at ~10, one spike of 40.
    rows: rowsFor([1], timestamps("2020-01-06 00:00:00", 14 * 24, 60), (_p, i) => [
      i === 36 ? 40 : (i < 7 * 24 ? 2 : 10) + noise(i),
    ]),
  },
  {
    id: "dCov",
    columns: FLUX,
    rows: [
      ...["00:00", "06:00", "12:00"].map((h) => [1, `2020-01-01 ${h}:00`, 1]),
      ...["10:00", "10:10", "10:20", "10:30"].map((h) => [1, `2020-01-02 ${h}:00`, 1]),
      ...["00:00", "06:00", "12:00", "18:00"].map((h) => [1, `2020-01-03 ${h}:00`, 3]),
    ],
  },
  {
    id: "dNY",
    timezone: "America/New_York",
    columns: FLUX,
    rows: rowsFor([1], timestamps("2020-06-30 00:00:00", 96, 30), (_p, _i, t) => [
      t.startsWith("2020-06-30") ? 1 : 2,
    ]),
  },
  {
    id: "dGMT8",
    timezone: "Etc/GMT+8",
    igbp: "Moon dust",
    columns: FLUX,
    rows: rowsFor([1], timestamps("2020-06-30 00:30:00", 48, 60), () => [1]),
    plainCsv: true,
  },
  { id: "dNaFlux", columns: FLUX, rows: rowsFor([1], hours72, () => [null]) },
  {
    id: "dNee",
    ports: [["0", "NEE", "None"]],
    columns: FLUX,
    rows: rowsFor([1], hours72, () => [1]),
  },
];
const ancillary =
  '"CSR_DATASET","CSR_MAT","CSR_MAP","CSR_LAI"\n"dRules","9.5","850",""\n"dRules","10.5","",3\n';

let release: string;
let out: string;
let summary: IngestSummary;
const report = (id: string): DatasetReport => {
  const r = summary.datasets.find((d) => d.dataset === id);
  if (!r) throw new Error(`no report for ${id}`);
  return r;
};
const daily = (site: string) =>
  readRows(join(out, "daily.parquet"), `SELECT * FROM t WHERE site = '${site}' ORDER BY date`);

beforeAll(async () => {
  release = writeMiniRelease(datasets, { ancillary });
  out = join(tempDir(), "out");
  summary = await runIngest({ cosore: release, out });
});
afterAll(() => cleanup(release, out));

describe("control ports", () => {
  it("keeps Rs/None ports: port 0 covers all, a specific row overrides it; daily mean = mean of port means", async () => {
    const r = report("dPorts");
    expect(r.status).toBe("kept");
    expect(r.flux.control_ports).toEqual([1, 3]);
    expect(r.flux.non_control).toEqual([{ label: "Rh/Trenched", ports: [2], records: 48 }]);
    expect(r.rule_counts.non_control_port).toBe(48);
    const rows = await daily("dPorts");
    expect(rows.map((d) => [d.date, d.flux_mean, d.flux_n, d.flux_ports, d.flux_hours])).toEqual([
      ["2020-01-01", 3, 30, 2, 24],
      ["2020-01-02", 3, 30, 2, 24],
    ]);
  });

  it('compares ports numerically ("0601" = 601) and drops listed treatments and unlisted ports', async () => {
    const r = report("dPad");
    expect(r.flux.control_ports).toEqual([601]);
    expect(r.flux.non_control).toEqual([
      { label: "Rs/Girdled", ports: [602], records: 24 },
      { label: "not in ports.csv", ports: [603], records: 24 },
    ]);
    expect((await daily("dPad")).map((d) => d.flux_mean)).toEqual([1]);
  });

  it("skips a dataset with only non-control ports, and one without any numeric flux", () => {
    expect(report("dNee").reason?.rule).toBe("no_control_port");
    expect(report("dNee").reason?.message).toContain("NEE/None");
    expect(report("dNaFlux").reason?.rule).toBe("no_numeric_flux");
    expect(report("dNaFlux").rule_counts.no_numeric_flux).toBe(1);
  });
});

describe("record and value rules", () => {
  it("counts malformed lines, bad timestamps, non-numeric cells and range failures", () => {
    const r = report("dRules");
    expect(r.status).toBe("kept");
    expect(r.rows.read).toBe(72 + 24 + 2);
    expect(r.rule_counts.malformed_row).toBe(1);
    expect(r.rule_counts.bad_timestamp).toBe(2);
    // flux "abc" on port 1 and on port 2 (index 5 only exists for port 1), tsoil "x" on port 1.
    expect(r.non_numeric_by_variable).toEqual({ flux: 1, tsoil: 1, swc: 0, tair: 0, precip: 0 });
    expect(r.rule_counts.non_numeric).toBe(2);
    expect(r.rule_counts.flux_range).toBe(2);
    expect(r.flux.out_of_range).toBe(2);
    expect(r.rule_counts.tsoil_range).toBe(1);
    expect(r.rule_counts.swc_range).toBe(1);
    expect(r.rule_counts.tair_range).toBe(1);
    expect(r.rule_counts.precip_range).toBe(1);
    expect(r.warnings.some((w) => w.startsWith("malformed line"))).toBe(true);
    expect(r.warnings).toContain("columns not in the COSORE standard ignored: Notes");
  });

  it("chooses T7.5 (T2.5 is empty, T0 is farther), fixes % moisture, sets aside an implausible column", () => {
    const r = report("dRules");
    expect([r.drivers.tsoil.column, r.drivers.tsoil.depth_cm]).toEqual(["CSR_T7.5", 7.5]);
    expect([r.drivers.swc.column, r.drivers.swc.depth_cm, r.drivers.swc.percent_fixed]).toEqual([
      "CSR_SM10",
      10,
      true,
    ]);
    expect(r.rule_counts.swc_percent).toBe(96);
    const sm2 = r.drivers.swc.candidates.find((c) => c.column === "CSR_SM2");
    expect(sm2).toMatchObject({ percent: true, plausible: false, numeric: 96, valid: 0 });
    expect(r.rule_counts.column_implausible).toBe(96);
    expect(r.drivers.tair.column).toBe("CSR_TAIR_AMB");
    expect(r.drivers.precip.column).toBe("CSR_PRECIP");
  });

  it("aggregates drivers from every row, sums precipitation once per timestamp", async () => {
    const rows = await daily("dRules");
    expect(rows).toHaveLength(3);
    const d1 = rows[0]!;
    expect(d1.swc_mean).toBeCloseTo(0.25, 12);
    expect(d1.swc_n).toBe(47);
    expect(d1.tair_mean).toBe(15);
    expect(d1.precip_sum).toBe(12);
    expect(d1.precip_n).toBe(24);
    expect(report("dRules").rule_counts.precip_duplicate).toBe(23); // 95 valid values over 72 distinct timestamps
    expect(d1.tsoil_max).toBe(12);
    expect(d1.tsoil_n).toBe(46); // 48 rows, one 70 degC and one "x" dropped
    expect(rows.map((d) => d.precip_sum)).toEqual([12, 12, 12]);
  });

  it("removes a spike but keeps a whole high week (weekly median and MAD per port)", async () => {
    const r = report("dOut");
    expect(r.rule_counts.flux_outlier).toBe(1);
    const rows = await daily("dOut");
    expect(rows).toHaveLength(14);
    expect(rows[1]).toMatchObject({ date: "2020-01-07", flux_n: 23 });
    expect(rows[1]?.flux_mean as number).toBeLessThan(2.2);
    for (const d of rows.slice(7)) {
      expect(d.flux_n).toBe(24);
      expect(d.flux_mean as number).toBeCloseTo(10, 1);
    }
  });

  it("keeps a day's flux only with >= 4 records over >= 4 clock hours", async () => {
    const rows = await daily("dCov");
    expect(rows.map((d) => [d.date, d.flux_mean, d.flux_n, d.flux_hours])).toEqual([
      ["2020-01-01", null, 3, 3],
      ["2020-01-02", null, 4, 1],
      ["2020-01-03", 3, 4, 4],
    ]);
    expect(report("dCov").rule_counts.low_coverage).toBe(2);
    expect(report("dCov").days.flux_days).toBe(1);
  });
});

describe("days in local standard time", () => {
  it("puts 2020-07-01 00:30 EDT (America/New_York) on 2020-06-30", async () => {
    const rows = await daily("dNY");
    expect(rows.map((d) => [d.date, d.flux_n])).toEqual([
      ["2020-06-29", 2],
      ["2020-06-30", 48],
      ["2020-07-01", 46],
    ]);
    expect(rows[0]?.flux_mean).toBeNull();
    expect(rows[1]?.flux_mean as number).toBeCloseTo((46 * 1 + 2 * 2) / 48, 12);
    expect(rows[2]?.flux_mean).toBe(2);
  });

  it("keeps wall-clock dates in a fixed zone (Etc/GMT+8) and reads a plain .csv", async () => {
    const rows = await daily("dGMT8");
    expect(rows.map((d) => [d.date, d.flux_n])).toEqual([
      ["2020-06-30", 24],
      ["2020-07-01", 24],
    ]);
  });
});

describe("outputs", () => {
  it("writes daily.parquet and sites.parquet with exactly the contract columns", async () => {
    const dailyCols = await readRows(join(out, "daily.parquet"), "SELECT column_name FROM (DESCRIBE t)");
    expect(dailyCols.map((c) => c.column_name)).toEqual(Object.keys(DAILY_COLUMNS));
    const siteCols = await readRows(join(out, "sites.parquet"), "SELECT column_name FROM (DESCRIBE t)");
    expect(siteCols.map((c) => c.column_name)).toEqual(Object.keys(SITE_COLUMNS));
  });

  it("describes each kept site: depths, IGBP (unknown -> NULL), MAT/MAP from ancillary, span and flux days", async () => {
    const sites = await readRows(join(out, "sites.parquet"), "SELECT * FROM t ORDER BY site");
    expect(sites.map((s) => s.site)).toEqual(["dCov", "dGMT8", "dNY", "dOut", "dPad", "dPorts", "dRules"]);
    const rules = sites.find((s) => s.site === "dRules");
    expect(rules).toMatchObject({
      igbp: "DBF",
      igbp_label: "Deciduous broadleaf forest",
      mat: 10,
      map: 850,
      tsoil_depth_cm: 7.5,
      swc_depth_cm: 10,
      first_date: "2020-01-01",
      last_date: "2020-01-03",
      flux_days: 3,
      timezone: "Etc/GMT+8",
      primary_pub: "10.1/dRules",
    });
    expect(sites.find((s) => s.site === "dGMT8")).toMatchObject({
      igbp: null,
      igbp_label: "Moon dust",
      mat: null,
    });
    expect(summary.report.totals.sites_igbp_unknown).toBe(1);
  });

  it("reports every rule with its threshold and total count, and one file per dataset", () => {
    const run = JSON.parse(readFileSync(join(out, "ingest-report.json"), "utf8"));
    expect(run.rules.map((r: { id: string }) => r.id)).toEqual(QA_RULES.map((r) => r.id));
    const total = (id: string) => run.rules.find((r: { id: string }) => r.id === id).count;
    expect(total("non_control_port")).toBe(48 + 48 + 72);
    expect(total("flux_outlier")).toBe(1);
    expect(run.totals.datasets_kept).toBe(7);
    expect(run.totals.datasets_skipped).toBe(2);
    const per = JSON.parse(readFileSync(join(out, "reports", "dRules.json"), "utf8"));
    expect(per.drivers.tsoil.column).toBe("CSR_T7.5");
    expect(per.days).toMatchObject({ flux_days: 3, first_date: "2020-01-01", last_date: "2020-01-03" });
  });

  it("documents the same rule table and every output column in docs/ingest.md", () => {
    const doc = readFileSync(new URL("../docs/ingest.md", import.meta.url), "utf8");
    expect(doc).toContain(qaRulesMarkdown());
    for (const c of [...Object.keys(DAILY_COLUMNS), ...Object.keys(SITE_COLUMNS)])
      expect(doc).toContain(`\`${c}\``);
  });
});
