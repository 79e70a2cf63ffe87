/** A COSORE release on disk: locate its files and read the site metadata (description.csv, ancillary.csv.gz). */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ArtefactError } from "../core/errors.ts";
import { findFeature } from "../core/features.ts";
import { queryRows, sqlString, strOrNull } from "./sql.ts";

/** Paths of one release. */
export interface ReleaseFiles {
  dir: string;
  description: string;
  ports: string;
  /** ancillary.csv[.gz], null when absent (MAT/MAP then stay NULL). */
  ancillary: string | null;
  /** Dataset id -> its flux table (`datasets/data_<id>.csv.gz` or `.csv`). */
  dataFiles: Map<string, string>;
}

const HINT =
  "point --cosore at an unpacked COSORE release (description.csv, ports.csv, datasets/data_<id>.csv[.gz])";

function firstExisting(dir: string, names: string[]): string | null {
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Find the files of a release. Throws {@link ArtefactError} if the folder, description.csv or ports.csv is missing,
 * or if there is no data file at all. Datasets may be any subset; `.csv.gz` wins over `.csv` for the same id.
 */
export function locateRelease(dir: string): ReleaseFiles {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new ArtefactError(root, "release folder not found", HINT);
  const description = firstExisting(root, ["description.csv", "description.csv.gz"]);
  if (!description) throw new ArtefactError(join(root, "description.csv"), "missing", HINT);
  const ports = firstExisting(root, ["ports.csv", "ports.csv.gz"]);
  if (!ports) throw new ArtefactError(join(root, "ports.csv"), "missing", HINT);
  const dataFiles = new Map<string, string>();
  const datasetsDir = join(root, "datasets");
  if (existsSync(datasetsDir)) {
    const names = readdirSync(datasetsDir).sort();
    for (const name of names) {
      const m = /^data_(.+?)\.csv(\.gz)?$/.exec(name);
      if (!m?.[1]) continue;
      if (m[2] || !dataFiles.has(m[1])) dataFiles.set(m[1], join(datasetsDir, name));
    }
  }
  if (dataFiles.size === 0)
    throw new ArtefactError(join(root, "datasets"), "no data_<id>.csv[.gz] file: the release is empty", HINT);
  return {
    dir: root,
    description,
    ports,
    ancillary: firstExisting(root, ["ancillary.csv.gz", "ancillary.csv"]),
    dataFiles,
  };
}

/** One row of description.csv, typed; unparseable numbers are null. */
export interface DatasetDescription {
  dataset: string;
  siteName: string | null;
  /** degree_north */
  latitude: number | null;
  /** degree_east */
  longitude: number | null;
  /** m above sea level */
  elevation: number | null;
  /** IANA zone of the wall-clock timestamps */
  timezone: string | null;
  igbpLabel: string | null;
  primaryPub: string | null;
}

function inRange(name: string, v: number | null): number | null {
  const f = findFeature(name);
  if (v === null || !f) return v;
  return v >= f.min && v <= f.max ? v : null;
}

/** Read description.csv (one row per dataset). Throws {@link ArtefactError} if unreadable or without CSR_DATASET. */
export async function readDescriptions(
  con: DuckDBConnection,
  file: string,
): Promise<Map<string, DatasetDescription>> {
  let rows: Record<string, unknown>[];
  try {
    rows = await queryRows(
      con,
      `SELECT * FROM read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NA', ''])`,
    );
  } catch (err) {
    throw new ArtefactError(file, "cannot be read as CSV", HINT, { cause: err });
  }
  if (rows.length === 0 || !("CSR_DATASET" in (rows[0] ?? {})))
    throw new ArtefactError(file, "no CSR_DATASET column or no rows", HINT);
  const numOf = (v: unknown) => {
    const n = v === null || v === undefined ? Number.NaN : Number(String(v).trim());
    return Number.isFinite(n) ? n : null;
  };
  const out = new Map<string, DatasetDescription>();
  for (const r of rows) {
    const dataset = strOrNull(r.CSR_DATASET)?.trim();
    if (!dataset || out.has(dataset)) continue;
    out.set(dataset, {
      dataset,
      siteName: strOrNull(r.CSR_SITE_NAME),
      latitude: inRange("latitude", numOf(r.CSR_LATITUDE)),
      longitude: inRange("longitude", numOf(r.CSR_LONGITUDE)),
      elevation: inRange("elevation", numOf(r.CSR_ELEVATION)),
      timezone: strOrNull(r.CSR_TIMEZONE)?.trim() ?? null,
      igbpLabel: strOrNull(r.CSR_IGBP)?.trim() ?? null,
      primaryPub: strOrNull(r.CSR_PRIMARY_PUB)?.trim() ?? null,
    });
  }
  return out;
}

/** Site climate from ancillary data: mean annual air temperature (degC) and precipitation (mm yr-1). */
export interface SiteClimate {
  mat: number | null;
  map: number | null;
}

/**
 * Per-dataset MAT and MAP from ancillary.csv.gz: the mean of the numeric CSR_MAT / CSR_MAP values within the
 * ranges of core/features.ts. An unreadable file gives an empty map and a warning, never an error.
 */
export async function readAncillary(
  con: DuckDBConnection,
  file: string | null,
  warnings: string[],
): Promise<Map<string, SiteClimate>> {
  const out = new Map<string, SiteClimate>();
  if (!file) {
    warnings.push("no ancillary.csv.gz: mat and map are NULL for every site");
    return out;
  }
  const mat = findFeature("mat");
  const map = findFeature("map");
  try {
    const cols = (
      await queryRows(
        con,
        `DESCRIBE SELECT * FROM read_csv(${sqlString(file)}, all_varchar = true, header = true)`,
      )
    ).map((r) => String(r.column_name));
    const pick = (c: string, lo: number, hi: number) =>
      cols.includes(c)
        ? `avg(try_cast(${c} AS DOUBLE)) FILTER (WHERE try_cast(${c} AS DOUBLE) BETWEEN ${lo} AND ${hi})`
        : "NULL::DOUBLE";
    const rows = await queryRows(
      con,
      `SELECT trim(CSR_DATASET) AS dataset, ${pick("CSR_MAT", mat?.min ?? -30, mat?.max ?? 40)} AS mat,
              ${pick("CSR_MAP", map?.min ?? 0, map?.max ?? 15000)} AS map
       FROM read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NA', ''])
       GROUP BY 1`,
    );
    for (const r of rows) {
      const ds = strOrNull(r.dataset);
      if (!ds) continue;
      const m = r.mat === null ? null : Number(r.mat);
      const p = r.map === null ? null : Number(r.map);
      if (m !== null || p !== null) out.set(ds, { mat: m, map: p });
    }
  } catch (err) {
    warnings.push(
      `ancillary data unreadable (${(err as Error).message.split("\n")[0]}): mat and map are NULL`,
    );
  }
  return out;
}
