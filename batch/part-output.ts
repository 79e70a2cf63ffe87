/** The batch output's columns, metadata and Parquet writer: one part written atomically, with its sha256. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  BOOLEAN,
  DATE,
  type DuckDBConnection,
  DuckDBTableFunction,
  type DuckDBType,
  ENUM,
  FLOAT,
  UTINYINT,
  VARCHAR,
} from "@duckdb/node-api";
import { COSORE_CITATION, parquetMetadata } from "../core/daily-table.ts";
import type { IntervalSource, ModelIdentity } from "../core/predict-site.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { replaceFileAtomic } from "../io/atomic-write.ts";
import { type ChunkColumn, fillChunk, validityMask } from "./duckdb-columns.ts";

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
  intervalSource: IntervalSource[];
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

/** The interval sources a row can name (core's `IntervalSource` less null), as the ENUM they are written as. */
const INTERVAL_SOURCES: readonly Exclude<IntervalSource, null>[] = ["calibration", "network"];

/** A part being written: its output columns in file order, as the table function hands them to DuckDB. */
interface PartRows {
  rows: number;
  names: string[];
  types: DuckDBType[];
  columns: ChunkColumn[];
}

/** The table function that scans a part being written ({@link registerPartRows}). */
const PART_ROWS_FN = "soilco2_part_rows";

/** Parts being written, by key: the table function {@link registerPartRows} scans them. */
const rowsByKey = new Map<string, PartRows>();
const registered = new WeakSet<DuckDBConnection>();

/** ENUM codes of `ix` (values < `size`) in the width DuckDB stores an ENUM of `size` members: 8, 16 or 32 bits. */
function enumCodes(ix: Int32Array, size: number): Uint8Array | Uint16Array | Uint32Array {
  const narrow =
    size <= 0xff ? new Uint8Array(ix.length) : size <= 0xffff ? new Uint16Array(ix.length) : undefined;
  if (narrow) {
    narrow.set(ix); // values < size: no wrap
    return narrow;
  }
  return new Uint32Array(ix.buffer, ix.byteOffset, ix.length); // ix ≥ 0: the same bytes
}

/**
 * The file's columns ({@link BATCH_COLUMNS}, in order) from a part's typed columns, each in its final type, so the
 * COPY only encodes: site and interval_source as ENUM codes (written as strings), date as DATE's day numbers,
 * NaN bounds and null sources as NULL through validity masks, booleans as bytes.
 */
function partRows(cols: PartColumns): PartRows {
  const n = cols.day.length;
  const { siteIx } = cols;
  const sourceOfSite = cols.intervalSource.map((s) => (s === null ? -1 : INTERVAL_SOURCES.indexOf(s)));
  const source = new Uint8Array(n);
  for (let r = 0; r < n; r++) source[r] = Math.max(0, sourceOfSite[siteIx[r]!]!);
  const covered = new Uint8Array(n);
  for (let r = 0; r < n; r++) covered[r] = cols.driversPresent[r]! > 0 ? 1 : 0;
  const bound = (xs: Float32Array): ChunkColumn => ({
    values: xs,
    valid: validityMask(n, (r) => !Number.isNaN(xs[r]!)),
  });
  const entries: [keyof typeof BATCH_COLUMNS, DuckDBType, ChunkColumn][] = [
    ["site", ENUM(cols.sites), { values: enumCodes(siteIx, cols.sites.length) }],
    ["date", DATE, { values: cols.day }],
    ["efflux", FLOAT, { values: cols.efflux }],
    ["efflux_lower", FLOAT, bound(cols.lower)],
    ["efflux_upper", FLOAT, bound(cols.upper)],
    [
      "interval_source",
      ENUM(INTERVAL_SOURCES),
      { values: source, valid: validityMask(n, (r) => sourceOfSite[siteIx[r]!]! >= 0) },
    ],
    ["warmup", BOOLEAN, { values: cols.warmup }],
    ["drivers_present", UTINYINT, { values: cols.driversPresent }],
    ["driver_covered", BOOLEAN, { values: covered }],
  ];
  return {
    rows: n,
    names: entries.map((e) => e[0]),
    types: entries.map((e) => e[1]),
    columns: entries.map((e) => e[2]),
  };
}

/**
 * Register on `con`'s database the table function `soilco2_part_rows(key)`, which hands DuckDB the columns of the
 * part being written under `key`, in their final types, 2048 rows per call copied whole into its vectors, in row
 * order (one scanning thread). It replaces an appender into a temp table that the COPY then re-read (twice the CPU
 * per row), and later SQL expressions over raw columns (the site's name from a list, a date from a day number, NaN
 * to NULL), which cost about as much CPU per row as the Parquet encoding itself (a scratch timing of a part's steps).
 */
function registerPartRows(con: DuckDBConnection): void {
  const fn = PART_ROWS_FN;
  con.registerTableFunction(
    DuckDBTableFunction.create({
      name: fn,
      parameterTypes: [VARCHAR],
      bindFunction: (bind) => {
        const key = String(bind.getParameter(0));
        const part = rowsByKey.get(key);
        if (!part) {
          bind.setError(`${fn}: no part is being written under that key`);
          return;
        }
        part.types.forEach((t, i) => {
          bind.addResultColumn(part.names[i]!, t);
        });
        bind.setBindData({ key });
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

/**
 * Write a part's rows to `path` (Parquet, zstd) atomically: DuckDB scans the columns through a table function and
 * copies them to a temp file beside `path`, which is then renamed over it.
 * @returns the row count and the file's sha256
 */
export async function writePart(
  con: DuckDBConnection,
  cols: PartColumns,
  path: string,
  metadata: Record<string, string>,
): Promise<{ rows: number; sha256: string }> {
  if (!registered.has(con)) {
    registerPartRows(con);
    registered.add(con);
  }
  const key = `${process.pid}-${Math.random().toString(36).slice(2, 12)}`;
  rowsByKey.set(key, partRows(cols));
  try {
    let sha256 = "";
    const kv = Object.entries(metadata).map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`);
    await replaceFileAtomic(path, async (tmp) => {
      // rows come out in the columns' order (site by site, day by day): the scan runs on one thread
      await con.run(`COPY (SELECT * FROM ${PART_ROWS_FN}(${sqlString(key)}))
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {${kv.join(", ")}})`);
      sha256 = await fileSha256(tmp);
    });
    return { rows: cols.day.length, sha256 };
  } finally {
    rowsByKey.delete(key);
  }
}
