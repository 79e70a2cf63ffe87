/** Read one part's sites and drivers from the staged files (a site range, so DuckDB reads only its row groups) into site requests. */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type SiteCalibration, siteCalibrationSchema } from "../core/calibration-file.ts";
import { isoDate } from "../core/dates.ts";
import type { SiteRequest } from "../core/request.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
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
 * The sites of `part` with their drivers as site requests (`start` + one value or null per calendar day).
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
  const res = await con.runAndReadAll(
    `SELECT site, day, ${drivers.map(sqlIdent).join(", ")} FROM read_parquet(${sqlString(join(staging, STAGING_FILES.drivers))})
     WHERE ${range(part)} AND (issue IS NULL OR issue NOT IN (${dropping})) ORDER BY site, day`,
  );
  const cols = res.getColumnsJS() as unknown[][];
  const siteCol = cols[0] as string[];
  const dayCol = cols[1] as number[];
  const valueCols = cols.slice(2) as (number | null)[][];
  const out: PartSite[] = [];
  let i = 0;
  while (i < siteCol.length) {
    const site = siteCol[i]!;
    let j = i;
    while (j < siteCol.length && siteCol[j] === site) j++;
    out.push(buildSite(site, i, j, dayCol, valueCols, drivers, staticBySite.get(site), job));
    i = j;
  }
  return out;
}

function buildSite(
  site: string,
  from: number,
  to: number,
  days: number[],
  values: (number | null)[][],
  drivers: string[],
  meta:
    | { attrs: Record<string, number | string | null>; calibration: unknown; calError: string | null }
    | undefined,
  job: BatchJob,
): PartSite {
  const first = days[from]!;
  const span = days[to - 1]! - first + 1;
  const series = drivers.map(() => new Array<number | null>(span).fill(null));
  const present = new Uint8Array(span);
  let duplicateRows = 0;
  for (let r = from; r < to; r++) {
    const t = days[r]! - first;
    const dupPrev = r > from && days[r - 1] === days[r];
    const dupNext = r + 1 < to && days[r + 1] === days[r];
    if (dupPrev || dupNext) {
      duplicateRows++;
      continue;
    }
    let n = 0;
    for (let c = 0; c < drivers.length; c++) {
      const v = values[c]![r]!;
      if (v !== null) {
        series[c]![t] = v;
        n++;
      }
    }
    present[t] = n;
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
      start: isoDate(first),
      drivers: Object.fromEntries(drivers.map((d, c) => [d, series[c]!])),
      spin_up: job.options.spinUp,
      ...(meta.calibration ? { calibration: meta.calibration as SiteCalibration } : {}),
    },
  };
}
