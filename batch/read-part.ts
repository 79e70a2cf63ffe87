/** Read one part's sites and drivers from the staged files (a site range, so DuckDB reads only its row groups) into site requests. */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type SiteCalibration, siteCalibrationSchema } from "../core/calibration-file.ts";
import { isoDate } from "../core/dates.ts";
import type { SiteRequest } from "../core/request.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import { readChunkColumn } from "./duckdb-columns.ts";
import type { BatchJob, JobPart } from "./job.ts";
import { DROPPING_ISSUES, STAGING_FILES } from "./stage-input.ts";

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

const range = (part: JobPart) =>
  `site >= ${sqlString(part.firstSite)} AND site <= ${sqlString(part.lastSite)}`;

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
    `SELECT * FROM read_parquet(${sqlString(join(staging, STAGING_FILES.sites))}) WHERE ${range(part)} ORDER BY site`,
  );
  const names = attrs.columnNames();
  const staticBySite = new Map<
    string,
    { attrs: Record<string, number | string | null>; calibration: unknown; calError: string | null }
  >();
  for (const row of attrs.getRowObjectsJS()) {
    const a: Record<string, number | string | null> = {};
    for (const n of names)
      if (n !== "site" && n !== "calibration") a[n] = (row[n] as number | string | null | undefined) ?? null;
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
    staticBySite.set(String(row.site), { attrs: a, calibration, calError });
  }
  const drivers = job.drivers;
  const dropping = DROPPING_ISSUES.map(sqlString).join(", ");
  const from = `FROM read_parquet(${sqlString(join(staging, STAGING_FILES.drivers))})
     WHERE ${range(part)} AND (issue IS NULL OR issue NOT IN (${dropping}))`;
  const spans = (
    await con.runAndReadAll(
      `SELECT site, count(*)::INTEGER, min(day), max(day) ${from} GROUP BY site ORDER BY site`,
    )
  ).getRows();
  const builders = spans.map((r) =>
    newBuilder(String(r[0]), Number(r[1]), Number(r[2]), Number(r[3]), drivers.length),
  );
  // rows stream in vectors of 2048 (no site strings: the counts above say where each site ends), each column copied
  // whole out of its vector; a missing value comes as NaN, and `present` counts the day's observed drivers
  const present = drivers.map((d) => `(${sqlIdent(d)} IS NOT NULL)::UTINYINT`).join(" + ");
  const values = drivers.map((d) => `coalesce(${sqlIdent(d)}, 'NaN'::DOUBLE)`).join(", ");
  const res = await con.run(
    `SELECT day, (${present})::UTINYINT AS present, ${values} ${from} ORDER BY site, day`,
  );
  const day = new Int32Array(VECTOR);
  const count = new Uint8Array(VECTOR);
  const vals = drivers.map(() => new Float64Array(VECTOR));
  let b = 0;
  let left = builders[0]?.rows ?? 0;
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    readChunkColumn(chunk, 0, day);
    readChunkColumn(chunk, 1, count);
    vals.forEach((v, c) => {
      readChunkColumn(chunk, c + 2, v);
    });
    const n = chunk.rowCount;
    for (let r = 0; r < n; r++) {
      while (left === 0) left = builders[++b]!.rows;
      addRow(builders[b]!, day[r]!, count[r]!, vals, r);
      left--;
    }
  }
  return builders.map((bd) => finishSite(bd, drivers, staticBySite.get(bd.site), job));
}

/** A site's series being filled from the rows. */
interface Builder {
  site: string;
  rows: number;
  first: number;
  /** Per driver, [span] values, NaN for a gap. */
  series: Float64Array[];
  present: Uint8Array;
  /** How many rows each day got (a day with more than one is dropped). */
  copies: Uint8Array;
}

const VECTOR = 2048;

function newBuilder(site: string, rows: number, first: number, last: number, drivers: number): Builder {
  const span = last - first + 1;
  return {
    site,
    rows,
    first,
    series: Array.from({ length: drivers }, () => new Float64Array(span).fill(Number.NaN)),
    present: new Uint8Array(span),
    copies: new Uint8Array(span),
  };
}

function addRow(b: Builder, day: number, present: number, vals: Float64Array[], r: number): void {
  const t = day - b.first;
  b.copies[t] = Math.min(255, b.copies[t]! + 1);
  for (let c = 0; c < vals.length; c++) b.series[c]![t] = vals[c]![r]!;
  b.present[t] = present;
}

function finishSite(
  b: Builder,
  drivers: string[],
  meta:
    | { attrs: Record<string, number | string | null>; calibration: unknown; calError: string | null }
    | undefined,
  job: BatchJob,
): PartSite {
  const { site, present, series } = b;
  let duplicateRows = 0;
  for (let t = 0; t < b.copies.length; t++)
    if (b.copies[t]! > 1) {
      duplicateRows += b.copies[t]!;
      present[t] = 0;
      for (const s of series) s[t] = Number.NaN;
    }
  if (!meta) return { site, request: null, present, duplicateRows, error: "not in the sites file" };
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
