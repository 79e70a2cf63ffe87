// Small batch inputs built in code: long-format drivers (CSV or Parquet) and a sites file, with bad rows of every kind on request.
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { REPO_ROOT } from "../../ingest/cosore-path.ts";

/** One site of a fixture: `days` calendar days from `start`, every `gapEvery`-th day without a row. */
export interface FixtureSite {
  site: string;
  start: string;
  days: number;
  gapEvery?: number;
  latitude?: number | string;
  igbp?: string;
  calibration?: unknown;
}

const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Driver rows of a site: smooth seasonal soil and air temperature, constant moisture, some rain. */
export function driverRows(s: FixtureSite): string[] {
  const rows: string[] = [];
  for (let i = 0; i < s.days; i++) {
    if (s.gapEvery && i % s.gapEvery === s.gapEvery - 1 && i !== s.days - 1) continue;
    const t = 10 + 8 * Math.sin((2 * Math.PI * i) / 365);
    rows.push(
      `${s.site},${addDays(s.start, i)},${t.toFixed(2)},0.25,${(t + 1).toFixed(2)},${((i * 7) % 5).toFixed(1)}`,
    );
  }
  return rows;
}

export const DRIVER_HEADER = "site,date,tsoil_mean,swc_mean,tair_mean,precip_sum";

/** Write `drivers.csv` (with `extra` rows appended) and `sites.csv` into `dir`; returns their paths. */
export function writeFixture(
  dir: string,
  sites: FixtureSite[],
  extra: string[] = [],
  extraSites: string[] = [],
) {
  const drivers = join(dir, "drivers.csv");
  writeFileSync(drivers, `${[DRIVER_HEADER, ...sites.flatMap(driverRows), ...extra].join("\n")}\n`);
  const csvCell = (v: unknown) => (v === undefined ? "" : `"${JSON.stringify(v).replaceAll('"', '""')}"`);
  const siteLines = sites.map(
    (s) => `${s.site},${s.latitude ?? 45},120,9,800,${s.igbp ?? "DBF"},${csvCell(s.calibration)}`,
  );
  const sitesFile = join(dir, "sites.csv");
  writeFileSync(
    sitesFile,
    `${["site,latitude,elevation,mat,map,igbp,calibration", ...siteLines, ...extraSites].join("\n")}\n`,
  );
  return { drivers, sites: sitesFile };
}

/** Run a SQL statement with DuckDB (e.g. to turn a CSV fixture into Parquet, or read an output back). */
export async function duck<T = unknown[]>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowsJS() as T[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** Run the CLI to completion. */
export function soilco2(args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "bin/soilco2.js"), ...args], {
    encoding: "utf8",
    cwd: REPO_ROOT,
    timeout: 120_000,
  });
}

/** Start the CLI in the background (for kill tests); its stderr is collected. */
export function soilco2Background(args: string[]) {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin/soilco2.js"), ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => {
    log += String(d);
  });
  child.stderr.on("data", (d) => {
    log += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, log: () => log, exited };
}

/** Every output row of a batch directory: site, date, efflux, lower, upper, warmup, drivers_present, covered, interval source. */
export function readOutput(out: string) {
  return duck<
    [string, string, number, number | null, number | null, boolean, number, boolean, string | null]
  >(
    `SELECT site, strftime(date, '%Y-%m-%d'), efflux, efflux_lower, efflux_upper, warmup, drivers_present, driver_covered,
       interval_source
     FROM read_parquet('${out}/parts/*.parquet') ORDER BY site, date`,
  );
}

/** The shipped model, which the batch tests predict with. */
export const BATCH_TEST_MODEL = join(REPO_ROOT, "models/soilco2-lstm/2");

/** `predict-batch` arguments for drivers and sites into `out` with the test model and no progress bar, plus `extra`. */
export function predictBatchArgs(drivers: string, sites: string, out: string, ...extra: string[]): string[] {
  return [
    "predict-batch",
    "--drivers",
    drivers,
    "--sites",
    sites,
    "--out",
    out,
    "--model",
    BATCH_TEST_MODEL,
    ...extra,
    "--no-progress",
  ];
}
