// The port-set rule: a chamber that stops reporting makes no step in the daily flux; the rule's counts in the reports.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetReport } from "../ingest/report.ts";
import { type IngestSummary, runIngest } from "../ingest/run-ingest.ts";
import {
  type Cell,
  cleanup,
  readRows,
  tempDir,
  timestamps,
  writeMiniRelease,
} from "./helpers/mini-release.ts";

// Six days, hourly. Port 1 reads 1, port 2 reads 3 (level factors 0.5 and 1.5 of the two-port mean 2);
// port 2 stops after day 3. The plain mean over ports would fall from 2 to 1.
const hours = timestamps("2020-06-01 00:00:00", 6 * 24, 60);
const rows: Cell[][] = hours.flatMap((ts, i) => {
  const day = Math.floor(i / 24);
  const wiggle = 0.02 * ((i % 3) - 1);
  const out: Cell[][] = [[1, ts, 1 + wiggle]];
  if (day < 3) out.push([2, ts, 3 + 3 * wiggle]);
  return out;
});
const steady: Cell[][] = hours.flatMap((ts) => [
  [1, ts, 1],
  [2, ts, 3],
]);

let release: string;
let out: string;
let summary: IngestSummary;
const report = (id: string): DatasetReport => summary.datasets.find((d) => d.dataset === id)!;

beforeAll(async () => {
  const ports: [string, string, string][] = [
    ["1", "Rs", "None"],
    ["2", "Rs", "None"],
  ];
  release = writeMiniRelease([
    { id: "dStop", ports, columns: ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2"], rows },
    { id: "dSteady", ports, columns: ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2"], rows: steady },
  ]);
  out = join(tempDir(), "out");
  summary = await runIngest({ cosore: release, out });
});
afterAll(() => cleanup(release, out));

describe("port-set rule", () => {
  it("keeps the site's level when one of its chambers stops reporting", async () => {
    const d = await readRows(
      join(out, "daily.parquet"),
      "SELECT flux_mean, flux_ports FROM t WHERE site = 'dStop' ORDER BY date",
    );
    expect(d.map((r) => Number(r.flux_ports))).toEqual([2, 2, 2, 1, 1, 1]);
    for (const r of d) expect(Number(r.flux_mean)).toBeCloseTo(2, 2);
  });
  it("counts the set change and the rescaled days in the dataset and run reports", () => {
    const r = report("dStop");
    expect(r.flux.port_sets.set_changes).toBe(1);
    expect(r.flux.port_sets.adjusted_days).toBe(3);
    expect(r.flux.port_sets.max_log_adjustment).toBeCloseTo(Math.log(2), 2);
    expect(r.rule_counts.port_set).toBe(3);
    expect(summary.report.rules.find((q) => q.id === "port_set")!.count).toBe(3);
  });
  it("leaves a site whose ports all report every day as the plain mean of port means", async () => {
    const d = await readRows(join(out, "daily.parquet"), "SELECT flux_mean FROM t WHERE site = 'dSteady'");
    for (const r of d) expect(Number(r.flux_mean)).toBe(2);
    expect(report("dSteady").flux.port_sets).toEqual({
      set_changes: 0,
      adjusted_days: 0,
      max_log_adjustment: 0,
    });
  });
});

describe("Parquet metadata", () => {
  it("daily.parquet and sites.parquet carry column units, licence and citation as key-value metadata", async () => {
    for (const [file, column] of [
      ["daily.parquet", "flux_mean"],
      ["sites.parquet", "latitude"],
    ] as const) {
      const kv = await readRows(
        join(out, file),
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${join(out, file)}')`,
      );
      const meta = Object.fromEntries(kv.map((r) => [String(r.k), String(r.v)]));
      expect(meta.licence).toMatch(/CC BY 4\.0/);
      expect(meta.citation).toMatch(/doi:10\.1111\/gcb\.15353/);
      expect(JSON.parse(meta["soilco2.columns"]!)[column]).toMatch(/umol CO2 m-2 s-1|degree_north/);
    }
  });

  it("declares the key columns REQUIRED (site and date; site in sites.parquet) and every other column OPTIONAL", async () => {
    for (const [file, keys] of [
      ["daily.parquet", ["site", "date"]],
      ["sites.parquet", ["site"]],
    ] as const) {
      const rows = await readRows(
        join(out, file),
        `SELECT name, repetition_type AS r, converted_type AS c FROM parquet_schema('${join(out, file)}') WHERE name <> 'root'`,
      );
      const rep = Object.fromEntries(rows.map((x) => [String(x.name), String(x.r)]));
      for (const k of keys) expect(rep[k], `${file} ${k}`).toBe("REQUIRED");
      expect(
        Object.entries(rep).filter(([n, r]) => r === "REQUIRED" && !(keys as readonly string[]).includes(n)),
      ).toEqual([]);
      if (file === "daily.parquet") expect(rows.find((x) => x.name === "date")!.c).toBe("DATE");
    }
  });
});
