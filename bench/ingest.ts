/** `npm run bench:ingest`: the full ingest of the shared COSORE release, timed against a bare DuckDB count(*) over the same gzip CSVs. */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { cosorePath } from "../ingest/cosore-path.ts";
import { locateRelease } from "../ingest/release.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { sqlString } from "../ingest/sql.ts";

/** Seconds DuckDB needs for `SELECT count(*)` over every data file (all columns VARCHAR, as the ingest reads them). */
async function yardstick(files: string[]): Promise<{ seconds: number; rows: number }> {
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  try {
    const list = `[${files.map(sqlString).join(", ")}]`;
    const t = performance.now();
    const reader = await con.runAndReadAll(
      `SELECT count(*) AS n FROM read_csv(${list}, union_by_name = true, all_varchar = true)`,
    );
    const seconds = (performance.now() - t) / 1000;
    return { seconds, rows: Number(reader.getRowObjectsJson()[0]?.n) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const release = cosorePath();
const files = [...locateRelease(release).dataFiles.values()];
const out = mkdtempSync(join(tmpdir(), "soilco2-bench-"));
try {
  const scan = await yardstick(files);
  const t = performance.now();
  const summary = await runIngest({ cosore: release, out: join(out, "run"), force: true });
  const seconds = (performance.now() - t) / 1000;
  const rows = summary.report.totals.rows_read;
  const lines = [
    `release:    ${release} (${files.length} data files, ${availableParallelism()} CPUs)`,
    `ingest:     ${seconds.toFixed(2)} s for ${rows.toLocaleString("en-US")} rows = ${Math.round(rows / seconds).toLocaleString("en-US")} rows/s`,
    `            ${summary.report.totals.datasets_kept} datasets kept, ${summary.report.totals.flux_days.toLocaleString("en-US")} flux days`,
    `yardstick:  ${scan.seconds.toFixed(2)} s for DuckDB SELECT count(*) over the same gzip CSVs (${scan.rows.toLocaleString("en-US")} rows)`,
    `ratio:      ingest / yardstick = ${(seconds / scan.seconds).toFixed(2)}`,
  ];
  console.log(lines.join("\n"));
} finally {
  rmSync(out, { recursive: true, force: true });
}
