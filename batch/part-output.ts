/** The batch output's columns, metadata and Parquet writer: one part written atomically, with its sha256. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DOUBLE, type DuckDBConnection, INTEGER, UTINYINT } from "@duckdb/node-api";
import { COSORE_CITATION, parquetMetadata } from "../core/daily-table.ts";
import type { ModelIdentity } from "../core/predict-site.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { replaceFileAtomic } from "../io/atomic-write.ts";
import { chunkFromColumns } from "./duckdb-columns.ts";

/** Columns of every output part, one row per site and calendar day from the site's first driver day to its last. */
export const BATCH_COLUMNS = {
  site: "site id as given in the drivers and sites files (VARCHAR)",
  date: "calendar day (DATE)",
  efflux:
    "daily mean soil CO2 efflux, umol CO2 m-2 s-1, site-calibrated when the site has a calibration (DOUBLE)",
  efflux_lower:
    "10% bound of the efflux interval, umol CO2 m-2 s-1: the site calibration's, else the model's own; NULL without either (DOUBLE)",
  efflux_upper:
    "90% bound of the efflux interval, umol CO2 m-2 s-1: the site calibration's, else the model's own; NULL without either (DOUBLE)",
  interval_source:
    "where the interval comes from: calibration (the site's) or network (the model's own); NULL: none (VARCHAR)",
  warmup: "true while the model state is still warming up (only with --spin-up none) (BOOLEAN)",
  drivers_present: "how many of the model's daily drivers were observed that day (UTINYINT)",
  driver_covered:
    "true when at least one driver was observed that day; false = the model stepped through a gap (BOOLEAN)",
} as const;

/** Columns of one part, row-aligned typed arrays (sites by index into `sites`). */
export interface PartColumns {
  sites: string[];
  /** Per site: where its interval comes from (core's answer), or null. */
  intervalSource: (string | null)[];
  siteIx: Int32Array;
  /** Days since 1970-01-01. */
  day: Int32Array;
  efflux: Float64Array;
  /** NaN where there is no interval (written as NULL). */
  lower: Float64Array;
  upper: Float64Array;
  warmup: Uint8Array;
  driversPresent: Uint8Array;
  /** Whether any row has an interval / a warm-up flag: when none has, the column is written as constant by SQL. */
  anyInterval: boolean;
  anyWarmup: boolean;
}

/** Columns for `rows` rows. */
export function allocPartColumns(rows: number): PartColumns {
  return {
    sites: [],
    intervalSource: [],
    siteIx: new Int32Array(rows),
    day: new Int32Array(rows),
    efflux: new Float64Array(rows),
    lower: new Float64Array(rows),
    upper: new Float64Array(rows),
    warmup: new Uint8Array(rows),
    driversPresent: new Uint8Array(rows),
    anyInterval: false,
    anyWarmup: false,
  };
}

/** Key-value metadata of a part: column descriptions with units, the model, the COSORE citation. */
export function batchMetadata(model: ModelIdentity, writer: string): Record<string, string> {
  return {
    ...parquetMetadata(BATCH_COLUMNS, writer),
    citation: COSORE_CITATION,
    "soilco2.units": JSON.stringify({
      efflux: "umol CO2 m-2 s-1",
      efflux_lower: "umol CO2 m-2 s-1",
      efflux_upper: "umol CO2 m-2 s-1",
    }),
    "soilco2.model": JSON.stringify(model),
    "soilco2.model.name": model.name,
    "soilco2.model.version": model.version,
    "soilco2.model.sha256": model.sha256,
  };
}

const VECTOR = 2048;

/** sha256 of a file, lower-case hex. */
export async function fileSha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/**
 * Write a part's rows to `path` (Parquet, zstd) atomically: appended to a DuckDB temp table in vectors of 2048 rows,
 * copied to a temp file beside `path`, renamed over it.
 * @returns the row count and the file's sha256
 */
export async function writePart(
  con: DuckDBConnection,
  cols: PartColumns,
  path: string,
  metadata: Record<string, string>,
): Promise<{ rows: number; sha256: string }> {
  const table = `part_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const optional = [
    ...(cols.anyInterval ? ["efflux_lower DOUBLE", "efflux_upper DOUBLE"] : []),
    ...(cols.anyWarmup ? ["warmup UTINYINT"] : []),
  ];
  await con.run(
    `CREATE TEMP TABLE ${table} (ix INTEGER, day INTEGER, efflux DOUBLE, drivers_present UTINYINT${optional.map((c) => `, ${c}`).join("")})`,
  );
  try {
    let sha256 = "";
    await appendColumns(con, table, cols);
    await con.run(`CREATE TEMP TABLE ${table}_sites (ix INTEGER, site VARCHAR, interval_source VARCHAR)`);
    const sa = await con.createAppender(`${table}_sites`);
    cols.sites.forEach((name, i) => {
      sa.appendInteger(i);
      sa.appendVarchar(name);
      const src = cols.intervalSource[i];
      if (src) sa.appendVarchar(src);
      else sa.appendNull();
      sa.endRow();
    });
    sa.flushSync();
    sa.closeSync();
    const kv = Object.entries(metadata).map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`);
    // NaN marks a row without an interval in the typed columns: NULL in the file
    const interval = cols.anyInterval
      ? "CASE WHEN isnan(efflux_lower) THEN NULL ELSE efflux_lower END AS efflux_lower, CASE WHEN isnan(efflux_upper) THEN NULL ELSE efflux_upper END AS efflux_upper"
      : "NULL::DOUBLE AS efflux_lower, NULL::DOUBLE AS efflux_upper";
    const warmup = cols.anyWarmup ? "warmup = 1 AS warmup" : "false AS warmup";
    await replaceFileAtomic(path, async (tmp) => {
      await con.run(`COPY (SELECT s.site, (DATE '1970-01-01' + p.day)::DATE AS date, efflux, ${interval}, s.interval_source,
        ${warmup}, drivers_present, drivers_present > 0 AS driver_covered FROM ${table} p JOIN ${table}_sites s ON p.ix = s.ix
        ORDER BY p.ix, p.day)
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {${kv.join(", ")}})`);
      sha256 = await fileSha256(tmp);
    });
    return { rows: cols.day.length, sha256 };
  } finally {
    await con.run(`DROP TABLE IF EXISTS ${table}`);
    await con.run(`DROP TABLE IF EXISTS ${table}_sites`);
  }
}

/** Append the typed columns in vectors of 2048 rows, each copied whole into its vector (batch/duckdb-columns.ts). */
async function appendColumns(con: DuckDBConnection, table: string, cols: PartColumns): Promise<void> {
  const appender = await con.createAppender(table);
  const types = [
    INTEGER,
    INTEGER,
    DOUBLE,
    UTINYINT,
    ...(cols.anyInterval ? [DOUBLE, DOUBLE] : []),
    ...(cols.anyWarmup ? [UTINYINT] : []),
  ];
  const columns = [
    cols.siteIx,
    cols.day,
    cols.efflux,
    cols.driversPresent,
    ...(cols.anyInterval ? [cols.lower, cols.upper] : []),
    ...(cols.anyWarmup ? [cols.warmup] : []),
  ];
  const n = cols.day.length;
  for (let at = 0; at < n; at += VECTOR)
    appender.appendDataChunk(chunkFromColumns(types, columns, at, Math.min(VECTOR, n - at)));
  appender.flushSync();
  appender.closeSync();
}
