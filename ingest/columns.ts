/** Which raw columns feed each driver: soil temperature nearest 5 cm, soil moisture nearest the surface, air temperature, precipitation. */
import { QA } from "./qa-thresholds.ts";

/** Target depth for soil temperature, cm. */
export const TSOIL_TARGET_DEPTH_CM = 5;

/** Column names the reader needs: without the first two a dataset is skipped; without CSR_PORT every row is port 0. */
export const REQUIRED_COLUMNS = ["CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2"] as const;

/** Air temperature columns in order of preference: chamber air temperature, else ambient. */
export const TAIR_COLUMNS = ["CSR_TAIR", "CSR_TAIR_AMB"] as const;

/** The precipitation column (mm per record). */
export const PRECIP_COLUMN = "CSR_PRECIP";

/** A driver that the data could supply. */
export type DriverName = "tsoil" | "swc" | "tair" | "precip";

/** One raw column that could feed a driver, with its depth (cm, NULL for tair/precip). */
export interface Candidate {
  driver: DriverName;
  column: string;
  depth_cm: number | null;
}

/** A candidate with its counts: numeric values, and valid ones (numeric, in range, after any unit fix). */
export interface ScoredCandidate extends Candidate {
  numeric: number;
  valid: number;
}

/**
 * Whether a column can be used: at least one valid value and at most {@link QA}.columnMaxOutOfRange of its
 * numeric values out of range (rule `column_implausible`).
 * @example isPlausible({ numeric: 100, valid: 95 }) // true
 */
export function isPlausible(c: { numeric: number; valid: number }): boolean {
  return c.valid > 0 && c.numeric - c.valid <= QA.columnMaxOutOfRange * c.numeric;
}

/**
 * Whether a soil-moisture column is in % (rule `swc_percent`), from the median of its numeric values.
 * @example isPercentMoisture(23.5) // true
 */
export function isPercentMoisture(median: number | null): boolean {
  return median !== null && median > QA.swcPercentMedian;
}

const DEPTH = /^CSR_(T|SM)(\d+(?:\.\d+)?)$/;

/**
 * Depth in cm encoded in a soil column name, or undefined if the name is not `CSR_T<depth>` / `CSR_SM<depth>`.
 * @example depthOf("CSR_T16.5", "T") // 16.5
 */
export function depthOf(column: string, kind: "T" | "SM"): number | undefined {
  const m = DEPTH.exec(column);
  return m && m[1] === kind ? Number(m[2]) : undefined;
}

/** Every column of a header that could feed a driver. */
export function driverCandidates(header: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  for (const column of header) {
    const t = depthOf(column, "T");
    if (t !== undefined) out.push({ driver: "tsoil", column, depth_cm: t });
    const sm = depthOf(column, "SM");
    if (sm !== undefined) out.push({ driver: "swc", column, depth_cm: sm });
    if ((TAIR_COLUMNS as readonly string[]).includes(column))
      out.push({ driver: "tair", column, depth_cm: null });
    if (column === PRECIP_COLUMN) out.push({ driver: "precip", column, depth_cm: null });
  }
  return out;
}

/**
 * Pick the column for each driver among plausible candidates ({@link isPlausible}):
 * soil temperature nearest {@link TSOIL_TARGET_DEPTH_CM} (ties -> the shallower), soil moisture with the
 * smallest depth, CSR_TAIR before CSR_TAIR_AMB, CSR_PRECIP.
 * @returns one chosen candidate or null per driver.
 */
export function chooseDrivers(
  scored: readonly ScoredCandidate[],
): Record<DriverName, ScoredCandidate | null> {
  const usable = (d: DriverName) => scored.filter((c) => c.driver === d && isPlausible(c));
  const best = (list: ScoredCandidate[], key: (c: ScoredCandidate) => number[]) =>
    list.reduce<ScoredCandidate | null>((acc, c) => {
      if (!acc) return c;
      const a = key(acc);
      const b = key(c);
      for (let i = 0; i < a.length; i++) {
        if ((b[i] ?? 0) < (a[i] ?? 0)) return c;
        if ((b[i] ?? 0) > (a[i] ?? 0)) return acc;
      }
      return acc;
    }, null);
  return {
    tsoil: best(usable("tsoil"), (c) => [
      Math.abs((c.depth_cm ?? 0) - TSOIL_TARGET_DEPTH_CM),
      c.depth_cm ?? 0,
    ]),
    swc: best(usable("swc"), (c) => [c.depth_cm ?? 0]),
    tair: best(usable("tair"), (c) => [(TAIR_COLUMNS as readonly string[]).indexOf(c.column)]),
    precip: best(usable("precip"), () => [0]),
  };
}

/** Columns of a header that are not COSORE standard names (`CSR_*`): reported, otherwise ignored. */
export function unknownColumns(header: readonly string[]): string[] {
  return header.filter((h) => !h.startsWith("CSR_"));
}
