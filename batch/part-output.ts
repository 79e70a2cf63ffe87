/** The batch output's columns, metadata and Parquet writer: one part written atomically, with its sha256. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type DuckDBConnection,
  DuckDBTableFunction,
  type DuckDBType,
  FLOAT,
  INTEGER,
  UTINYINT,
  VARCHAR,
} from "@duckdb/node-api";
import { COSORE_CITATION, parquetMetadata } from "../core/daily-table.ts";
import type { ModelIdentity } from "../core/predict-site.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { replaceFileAtomic } from "../io/atomic-write.ts";
import { fillChunk, type TypedColumn } from "./duckdb-columns.ts";

/** Columns of every output part, one row per site and calendar day from the site's first driver day to its last. */
export const BATCH_COLUMNS = {
  site: "site id as given in the drivers and sites files (VARCHAR)",
  date: "calendar day (DATE)",
  efflux:
    "daily mean soil CO2 efflux, umol CO2 m-2 s-1, site-calibrated when the site has a calibration (FLOAT: float32, the network's own precision)",
  efflux_lower:
    "10% bound of the efflux interval, umol CO2 m-2 s-1: the site calibration's, else the model's own; NULL without either (FLOAT)",
  efflux_upper:
    "90% bound of the efflux interval, umol CO2 m-2 s-1: the site calibration's, else the model's own; NULL without either (FLOAT)",
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
  /** Efflux and its bounds as float32, the precision the network computes in (the file's FLOAT columns). */
  efflux: Float32Array;
  /** NaN where there is no interval (written as NULL). */
  lower: Float32Array;
  upper: Float32Array;
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
    efflux: new Float32Array(rows),
    lower: new Float32Array(rows),
    upper: new Float32Array(rows),
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

/** Columns being written, by key: the table functions of {@link registerPartRows} scan them. */
const rowsByKey = new Map<string, { columns: TypedColumn[]; rows: number }>();
const registered = new WeakSet<DuckDBConnection>();

/** The typed columns a part hands DuckDB: the optional ones only when some row has a value. */
function layout(cols: PartColumns): {
  fn: string;
  names: string[];
  types: DuckDBType[];
  columns: TypedColumn[];
} {
  const interval = cols.anyInterval;
  const warmup = cols.anyWarmup;
  return {
    fn: `soilco2_part_rows_${interval ? "i" : ""}${warmup ? "w" : ""}`,
    names: [
      "ix",
      "day",
      "efflux",
      "drivers_present",
      ...(interval ? ["efflux_lower", "efflux_upper"] : []),
      ...(warmup ? ["warmup"] : []),
    ],
    types: [
      INTEGER,
      INTEGER,
      FLOAT,
      UTINYINT,
      ...(interval ? [FLOAT, FLOAT] : []),
      ...(warmup ? [UTINYINT] : []),
    ],
    columns: [
      cols.siteIx,
      cols.day,
      cols.efflux,
      cols.driversPresent,
      ...(interval ? [cols.lower, cols.upper] : []),
      ...(warmup ? [cols.warmup] : []),
    ],
  };
}

/**
 * Register on `con`'s database the table functions `soilco2_part_rows_*(key)` (one per layout), which hand DuckDB
 * the typed columns of a part being written, 2048 rows per call copied whole into its vectors, in row order (one
 * scanning thread). They replace an appender into a temp table that the COPY then re-read, which cost twice the
 * CPU per row (measured with `npm run bench:batch`'s parts phase and a CPU profile).
 */
function registerPartRows(con: DuckDBConnection): void {
  const empty = allocPartColumns(0);
  for (const [anyInterval, anyWarmup] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const { fn, names, types } = layout({ ...empty, anyInterval, anyWarmup });
    con.registerTableFunction(
      DuckDBTableFunction.create({
        name: fn,
        parameterTypes: [VARCHAR],
        bindFunction: (bind) => {
          types.forEach((t, i) => {
            bind.addResultColumn(names[i]!, t);
          });
          bind.setBindData({ key: String(bind.getParameter(0)) });
        },
        initFunction: (init) => {
          init.setInitData({ at: 0 });
          init.setMaxThreads(1);
        },
        mainFunction: (info, out) => {
          const state = info.initData as { at: number };
          const part = rowsByKey.get((info.bindData as { key: string }).key);
          if (!part) {
            info.setError(`${fn}: no part is being written under that key`);
            return;
          }
          const len = Math.min(VECTOR, part.rows - state.at);
          out.rowCount = len;
          if (len > 0) fillChunk(out, part.columns, state.at, len);
          state.at += len;
        },
      }),
    );
  }
}

/**
 * Write a part's rows to `path` (Parquet, zstd) atomically: DuckDB scans the typed columns through a table function
 * and copies them to a temp file beside `path`, which is then renamed over it.
 * @returns the row count and the file's sha256
 */
export async function writePart(
  con: DuckDBConnection,
  cols: PartColumns,
  path: string,
  metadata: Record<string, string>,
): Promise<{ rows: number; sha256: string }> {
  const { fn, columns } = layout(cols);
  if (!registered.has(con)) {
    registerPartRows(con);
    registered.add(con);
  }
  const key = `${process.pid}-${Math.random().toString(36).slice(2, 12)}`;
  rowsByKey.set(key, { columns, rows: cols.day.length });
  try {
    let sha256 = "";
    const kv = Object.entries(metadata).map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`);
    const list = (xs: readonly (string | null)[]) =>
      `([${xs.map((x) => (x === null ? "NULL" : sqlString(x))).join(", ")}]::VARCHAR[])`;
    // NaN marks a row without an interval in the typed columns: NULL in the file
    const interval = cols.anyInterval
      ? "CASE WHEN isnan(efflux_lower) THEN NULL ELSE efflux_lower END AS efflux_lower, CASE WHEN isnan(efflux_upper) THEN NULL ELSE efflux_upper END AS efflux_upper"
      : "NULL::FLOAT AS efflux_lower, NULL::FLOAT AS efflux_upper";
    const warmup = cols.anyWarmup ? "warmup = 1 AS warmup" : "false AS warmup";
    await replaceFileAtomic(path, async (tmp) => {
      // rows come out in the columns' order (site by site, day by day): the scan runs on one thread
      await con.run(`COPY (SELECT ${list(cols.sites)}[ix + 1] AS site, (DATE '1970-01-01' + day)::DATE AS date, efflux,
        ${interval}, ${list(cols.intervalSource)}[ix + 1] AS interval_source, ${warmup}, drivers_present,
        drivers_present > 0 AS driver_covered FROM ${fn}(${sqlString(key)}))
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {${kv.join(", ")}})`);
      sha256 = await fileSha256(tmp);
    });
    return { rows: cols.day.length, sha256 };
  } finally {
    rowsByKey.delete(key);
  }
}
