/** Per-column counts of one dataset's raw table (rows with a valid timestamp) and the driver choice made from them. */
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  type Candidate,
  chooseDrivers,
  type DriverName,
  isPercentMoisture,
  isPlausible,
  type ScoredCandidate,
} from "./columns.ts";
import type { DriverColumns } from "./daily-sql.ts";
import { QA } from "./qa-thresholds.ts";
import { num, numOrNull, queryRows } from "./sql.ts";

const RANGE: Record<DriverName, { min: number; max: number }> = {
  tsoil: QA.tsoil,
  swc: QA.swc,
  tair: QA.tair,
  precip: QA.precip,
};

/** One candidate column with its counts and decisions. */
export interface ColumnStats extends ScoredCandidate {
  /** Index `i` of the raw-table columns `p_i`/`x_i`. */
  index: number;
  /** Non-null cells. */
  present: number;
  /** Taken as % moisture (rule swc_percent). */
  percent: boolean;
  /** Passes rule column_implausible. */
  plausible: boolean;
}

/** Counts of one dataset's raw table. Timestamps: all rows; everything else: rows with a valid timestamp. */
export interface RawStats {
  rows: number;
  badTimestamp: number;
  firstYear: number | null;
  lastYear: number | null;
  flux: { present: number; numeric: number; numericAnyRow: number };
  columns: ColumnStats[];
  chosen: DriverColumns;
}

function aggregatesSql(raw: string, candidates: readonly Candidate[]): string {
  const ok = "ts IS NOT NULL";
  const agg = [
    "count(*) AS n_rows",
    "count(*) FILTER (WHERE ts IS NULL) AS n_bad_ts",
    "year(min(ts)) AS y0",
    "year(max(ts)) AS y1",
    `count(*) FILTER (WHERE ${ok} AND p_f) AS present_f`,
    `count(*) FILTER (WHERE ${ok} AND isfinite(x_f)) AS numeric_f`,
    "count(*) FILTER (WHERE isfinite(x_f)) AS numeric_any_f",
  ];
  candidates.forEach((c, i) => {
    const r = RANGE[c.driver];
    agg.push(
      `count(*) FILTER (WHERE ${ok} AND p_${i}) AS present_${i}`,
      `count(*) FILTER (WHERE ${ok} AND isfinite(x_${i})) AS numeric_${i}`,
      `count(*) FILTER (WHERE ${ok} AND x_${i} BETWEEN ${r.min} AND ${r.max}) AS valid_${i}`,
    );
    if (c.driver === "swc")
      agg.push(
        `median(x_${i}) FILTER (WHERE ${ok} AND isfinite(x_${i})) AS median_${i}`,
        `count(*) FILTER (WHERE ${ok} AND x_${i} BETWEEN ${r.min * 100} AND ${r.max * 100}) AS validpct_${i}`,
      );
  });
  return `SELECT ${agg.join(", ")} FROM ${raw}`;
}

/**
 * Count the raw table of a dataset and choose its driver columns: % moisture by its median (swc_percent),
 * implausible columns set aside (column_implausible), then the depth rules of ingest/columns.ts.
 */
export async function rawStats(
  con: DuckDBConnection,
  raw: string,
  candidates: readonly Candidate[],
): Promise<RawStats> {
  const s = (await queryRows(con, aggregatesSql(raw, candidates)))[0] ?? {};
  const columns: ColumnStats[] = candidates.map((c, i) => {
    const percent = c.driver === "swc" && isPercentMoisture(numOrNull(s[`median_${i}`]));
    const numeric = num(s[`numeric_${i}`]);
    const valid = num(percent ? s[`validpct_${i}`] : s[`valid_${i}`]);
    return {
      ...c,
      index: i,
      present: num(s[`present_${i}`]),
      numeric,
      valid,
      percent,
      plausible: isPlausible({ numeric, valid }),
    };
  });
  const picked = chooseDrivers(columns);
  const chosen: DriverColumns = { tsoil: null, swc: null, tair: null, precip: null };
  for (const name of Object.keys(chosen) as DriverName[]) {
    const c = picked[name] as ColumnStats | null;
    if (c) chosen[name] = { index: c.index, factor: c.percent ? 0.01 : 1 };
  }
  return {
    rows: num(s.n_rows),
    badTimestamp: num(s.n_bad_ts),
    firstYear: numOrNull(s.y0),
    lastYear: numOrNull(s.y1),
    flux: { present: num(s.present_f), numeric: num(s.numeric_f), numericAnyRow: num(s.numeric_any_f) },
    columns,
    chosen,
  };
}
