/** The batch output's columns, metadata and Parquet writer: one part written atomically, with its sha256. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBValue,
  INTEGER,
  UTINYINT,
} from "@duckdb/node-api";
import { COSORE_CITATION, parquetMetadata } from "../core/daily-table.ts";
import type { ModelIdentity } from "../core/predict-site.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { replaceFileAtomic } from "../io/atomic-write.ts";

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
    ...(cols.anyWarmup ? ["warmup BOOLEAN"] : []),
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
    const interval = cols.anyInterval
      ? "efflux_lower, efflux_upper"
      : "NULL::DOUBLE AS efflux_lower, NULL::DOUBLE AS efflux_upper";
    const warmup = cols.anyWarmup ? "warmup" : "false AS warmup";
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

/** Append the typed columns in vectors of 2048 rows, value by value into each vector (no per-chunk copies). */
async function appendColumns(con: DuckDBConnection, table: string, cols: PartColumns): Promise<void> {
  const appender = await con.createAppender(table);
  const types = [
    INTEGER,
    INTEGER,
    DOUBLE,
    UTINYINT,
    ...(cols.anyInterval ? [DOUBLE, DOUBLE] : []),
    ...(cols.anyWarmup ? [BOOLEAN] : []),
  ];
  const n = cols.day.length;
  const nullable = (a: Float64Array, i: number) => (Number.isNaN(a[i]!) ? null : a[i]!);
  for (let at = 0; at < n; at += VECTOR) {
    const len = Math.min(VECTOR, n - at);
    const chunk = DuckDBDataChunk.create(types, len);
    type Vec = { setItem(i: number, x: DuckDBValue): void; flush(): void };
    const v = types.map((_, c) => chunk.getColumnVector(c) as unknown as Vec);
    const [ix, day, efflux, present] = v as [Vec, Vec, Vec, Vec];
    for (let i = 0; i < len; i++) {
      const r = at + i;
      ix.setItem(i, cols.siteIx[r]!);
      day.setItem(i, cols.day[r]!);
      efflux.setItem(i, cols.efflux[r]!);
      present.setItem(i, cols.driversPresent[r]!);
    }
    let c = 4;
    if (cols.anyInterval) {
      const lower = v[c++]!;
      const upper = v[c++]!;
      for (let i = 0; i < len; i++) {
        lower.setItem(i, nullable(cols.lower, at + i));
        upper.setItem(i, nullable(cols.upper, at + i));
      }
    }
    if (cols.anyWarmup) {
      const w = v[c++]!;
      for (let i = 0; i < len; i++) w.setItem(i, cols.warmup[at + i] === 1);
    }
    for (const x of v) x.flush();
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}
