/** Read one part's sites and drivers from the staged files (a site-rank range, so DuckDB reads only its row groups) into site requests. */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type SiteCalibration, siteCalibrationSchema } from "../core/calibration-file.ts";
import { isoDate } from "../core/dates.ts";
import type { SiteRequest } from "../core/request.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { readChunkColumn } from "./duckdb-columns.ts";
import type { BatchJob, JobPart } from "./job.ts";
import { STAGING_FILES, usableRows } from "./stage-input.ts";

/** A site of a part as read: its request (gap-free from first to last day), or why it cannot run. */
export interface PartSite {
  site: string;
  request: SiteRequest | null;
  /** Drivers observed per day of the request, [span]. */
  present: Uint8Array;
  /** Rows dropped here: days given more than once (all copies dropped: there is no right one). */
  duplicateRows: number;
  error: string | null;
}

const ranks = (part: JobPart) => `ix BETWEEN ${part.firstIx} AND ${part.lastIx}`;

/**
 * The sites of `part` with their drivers as site requests (`start` + one value per calendar day, NaN for a gap).
 * A calibration that is not a valid calibration file makes that site's `error`; the other sites are unaffected.
 */
export async function readPart(
  con: DuckDBConnection,
  outDir: string,
  job: BatchJob,
  part: JobPart,
): Promise<PartSite[]> {
  const staging = join(outDir, STAGING_FILES.dir);
  const attrs = await con.runAndReadAll(
    `SELECT * FROM read_parquet(${sqlString(join(staging, STAGING_FILES.sites))}) WHERE ${ranks(part)} ORDER BY ix`,
  );
  const names = attrs.columnNames();
  const notAttributes = new Set(["ix", "site", "calibration", "span_rows", "span_first", "span_last"]);
  const staticByIx = new Map<number, SiteMeta>();
  const byIx = new Map<number, Builder>();
  const builders: Builder[] = [];
  const drivers = job.drivers;
  for (const row of attrs.getRowObjectsJS()) {
    const a: Record<string, number | string | null> = {};
    for (const n of names)
      if (!notAttributes.has(n)) a[n] = (row[n] as number | string | null | undefined) ?? null;
    let calibration: SiteCalibration | undefined;
    let calError: string | null = null;
    if (typeof row.calibration === "string") {
      try {
        const r = siteCalibrationSchema.safeParse(JSON.parse(row.calibration));
        if (r.success) calibration = r.data as SiteCalibration;
        else calError = `calibration: ${r.error.issues[0]?.path.join(".")} ${r.error.issues[0]?.message}`;
      } catch {
        calError = "calibration: not JSON";
      }
    }
    const ix = Number(row.ix);
    staticByIx.set(ix, { site: String(row.site), attrs: a, calibration, calError });
    // staging counted the site's usable rows and day span: a site without any is not part of a part
    if (row.span_rows === null || row.span_rows === undefined) continue;
    const b = newBuilder(ix, Number(row.span_first), Number(row.span_last), drivers.length);
    byIx.set(ix, b);
    builders.push(b);
  }
  const from = `FROM read_parquet(${sqlString(join(staging, STAGING_FILES.drivers))}) WHERE ${ranks(part)} AND ${usableRows}`;
  // rows stream in vectors of 2048 in any order (each lands at its site and day), each column copied whole out of
  // its vector (staging wrote NaN for a gap)
  const res = await con.run(`SELECT ix, day, ${drivers.map(sqlIdent).join(", ")} ${from}`);
  const ix = new Int32Array(VECTOR);
  const day = new Int32Array(VECTOR);
  const vals = drivers.map(() => new Float32Array(VECTOR));
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    readChunkColumn(chunk, 0, ix);
    readChunkColumn(chunk, 1, day);
    vals.forEach((v, c) => {
      readChunkColumn(chunk, c + 2, v);
    });
    const n = chunk.rowCount;
    let b = byIx.get(ix[0]!)!;
    for (let r = 0; r < n; r++) {
      if (b.ix !== ix[r]) b = byIx.get(ix[r]!)!;
      addRow(b, day[r]!, vals, r);
    }
  }
  return builders.map((bd) => finishSite(bd, drivers, staticByIx.get(bd.ix)!, job));
}

/** A site's static attributes and calibration as staged (or why its calibration is unusable). */
interface SiteMeta {
  site: string;
  attrs: Record<string, number | string | null>;
  calibration: unknown;
  calError: string | null;
}

/** A site's series being filled from the rows. */
interface Builder {
  /** The site's rank in the staged files. */
  ix: number;
  first: number;
  /** Per driver, [span] values, NaN for a gap. */
  series: Float64Array[];
  present: Uint8Array;
  /** Rows each day got, counted up to 2 (a day with more than one is dropped). */
  copies: Uint8Array;
  /** Rows of days given more than once, every copy counted. */
  duplicateRows: number;
}

const VECTOR = 2048;

function newBuilder(ix: number, first: number, last: number, drivers: number): Builder {
  const span = last - first + 1;
  return {
    ix,
    first,
    series: Array.from({ length: drivers }, () => new Float64Array(span).fill(Number.NaN)),
    present: new Uint8Array(span),
    copies: new Uint8Array(span),
    duplicateRows: 0,
  };
}

function addRow(b: Builder, day: number, vals: Float32Array[], r: number): void {
  const t = day - b.first;
  const seen = b.copies[t]!;
  if (seen > 0) b.duplicateRows += seen === 1 ? 2 : 1;
  b.copies[t] = Math.min(2, seen + 1);
  let present = 0;
  for (let c = 0; c < vals.length; c++) {
    const v = vals[c]![r]!;
    b.series[c]![t] = v;
    if (!Number.isNaN(v)) present++;
  }
  b.present[t] = present;
}

function finishSite(b: Builder, drivers: string[], meta: SiteMeta, job: BatchJob): PartSite {
  const { present, series } = b;
  const site = meta.site;
  const duplicateRows = b.duplicateRows;
  for (let t = 0; t < b.copies.length; t++)
    if (b.copies[t]! > 1) {
      present[t] = 0;
      for (const s of series) s[t] = Number.NaN;
    }
  if (meta.calError) return { site, request: null, present, duplicateRows, error: meta.calError };
  return {
    site,
    present,
    duplicateRows,
    error: null,
    request: {
      id: site,
      static: meta.attrs,
      start: isoDate(b.first),
      drivers: Object.fromEntries(drivers.map((d, c) => [d, series[c]!])),
      spin_up: job.options.spinUp,
      ...(meta.calibration ? { calibration: meta.calibration as SiteCalibration } : {}),
    },
  };
}
