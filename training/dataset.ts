/** Load the daily site dataset (ingest output) into one contiguous daily series per site, in schema units. */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DAILY_FILES } from "../core/daily-table.ts";
import { dateFeatureColumns } from "../core/date-features.ts";
import { dayNumber } from "../core/dates.ts";
import { ArtefactError } from "../core/errors.ts";
import { DYNAMIC_FEATURES, IGBP_CODES } from "../core/features.ts";
import { staticRow } from "../core/static-vector.ts";

/** Site attributes as read from sites.parquet. */
export interface SiteInfo {
  site: string;
  siteName: string;
  latitude: number;
  longitude: number;
  elevation: number | null;
  igbp: string | null;
  mat: number | null;
  map: number | null;
  primaryPub: string | null;
}

/**
 * One site as a contiguous daily series from its first to its last day.
 * Arrays are indexed by day offset from `firstDay`; NaN marks a gap (nothing imputed).
 */
export interface SiteSeries {
  info: SiteInfo;
  /** Day number (days since 1970-01-01) of index 0. */
  firstDay: number;
  length: number;
  /** Daily drivers by catalog name (°C, m3 m-3, mm d-1; doy_sin/doy_cos computed from the date), each [length]. */
  drivers: Record<string, Float32Array>;
  /** Daily mean efflux, µmol CO2 m-2 s-1, [length]. */
  target: Float32Array;
  /** Number of days with a target. */
  fluxDays: number;
}

/** Numeric site attribute by catalog name (NaN if unknown). */
export function staticValue(info: SiteInfo, name: string): number {
  const v = (info as unknown as Record<string, unknown>)[name];
  return typeof v === "number" && Number.isFinite(v) ? v : Number.NaN;
}

/**
 * Raw static vector of a site for a model: numeric attributes by name, then the IGBP one-hot block.
 * @returns [static.length + IGBP_CODES.length]
 */
export function staticVector(
  info: SiteInfo,
  staticNames: readonly string[],
  extra: Readonly<Record<string, number>> = {},
): Float32Array {
  return staticRow(
    staticNames.map((n) => (n in extra ? extra[n]! : staticValue(info, n))),
    info.igbp,
    IGBP_CODES,
  );
}

/**
 * Raw dynamic matrix of a site for a model, row-major [length, names.length].
 * @param names dynamic feature names in model order
 */
export function dynamicMatrix(s: SiteSeries, names: readonly string[]): Float32Array {
  const cols = names.length;
  const out = new Float32Array(s.length * cols);
  names.forEach((n, c) => {
    const col = s.drivers[n];
    if (!col) throw new ArtefactError(n, `driver ${n} not in the daily dataset`, "re-run soilco2 ingest");
    for (let t = 0; t < s.length; t++) out[t * cols + c] = col[t]!;
  });
  return out;
}

const OBSERVED_DRIVERS = DYNAMIC_FEATURES.filter((f) => f.source === "observed").map((f) => f.name);

/**
 * Read `daily.parquet` and `sites.parquet` from an ingest output directory.
 * Sites with fewer than `minFluxDays` observed days are left out (and listed in `excluded`).
 * @throws {ArtefactError} if the directory lacks the files
 */
export async function loadDailyDataset(
  dir: string,
  minFluxDays = 1,
): Promise<{ sites: SiteSeries[]; excluded: { site: string; reason: string }[] }> {
  const dailyPath = join(dir, DAILY_FILES.daily);
  const sitesPath = join(dir, DAILY_FILES.sites);
  for (const p of [dailyPath, sitesPath]) {
    try {
      await access(p);
    } catch {
      throw new ArtefactError(
        p,
        "not found",
        "run `soilco2 ingest --cosore <release> --out <dir>` and pass that dir",
      );
    }
  }
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const siteRows = (
      await con.runAndReadAll(
        `SELECT site, site_name, latitude, longitude, elevation, igbp, mat, map, primary_pub FROM read_parquet('${sitesPath.replaceAll("'", "''")}') ORDER BY site`,
      )
    ).getRowObjectsJS() as Record<string, unknown>[];
    const cols = OBSERVED_DRIVERS;
    const reader = await con.runAndReadAll(
      `SELECT site, CAST(date AS VARCHAR) AS date, flux_mean, ${cols.join(", ")} FROM read_parquet('${dailyPath.replaceAll("'", "''")}') ORDER BY site, date`,
    );
    const columns = reader.getColumnsObjectJS() as Record<string, unknown[]>;
    const bySite = new Map<string, number[]>();
    const siteCol = columns.site as string[];
    siteCol.forEach((s, i) => {
      const list = bySite.get(s);
      if (list) list.push(i);
      else bySite.set(s, [i]);
    });
    const sites: SiteSeries[] = [];
    const excluded: { site: string; reason: string }[] = [];
    for (const row of siteRows) {
      const info = toInfo(row);
      const rows = bySite.get(info.site) ?? [];
      const days = rows.map((i) => dayNumber(String(columns.date![i]))!);
      if (days.length === 0) {
        excluded.push({ site: info.site, reason: "no days in daily.parquet" });
        continue;
      }
      const firstDay = days[0]!;
      const length = days[days.length - 1]! - firstDay + 1;
      const target = new Float32Array(length).fill(Number.NaN);
      const drivers: Record<string, Float32Array> = {};
      for (const n of cols) drivers[n] = new Float32Array(length).fill(Number.NaN);
      rows.forEach((i, k) => {
        const t = days[k]! - firstDay;
        target[t] = num(columns.flux_mean![i]);
        for (const n of cols) drivers[n]![t] = num(columns[n]![i]);
      });
      Object.assign(drivers, dateFeatureColumns(firstDay, length));
      const fluxDays = target.reduce((n, v) => n + (Number.isNaN(v) ? 0 : 1), 0);
      if (fluxDays < minFluxDays) {
        excluded.push({ site: info.site, reason: `${fluxDays} days with flux, fewer than ${minFluxDays}` });
        continue;
      }
      sites.push({ info, firstDay, length, drivers, target, fluxDays });
    }
    return { sites, excluded };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

function num(v: unknown): number {
  if (v === null || v === undefined) return Number.NaN;
  const n = Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
}

function toInfo(r: Record<string, unknown>): SiteInfo {
  const opt = (v: unknown) =>
    v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);
  return {
    site: String(r.site),
    siteName: String(r.site_name ?? r.site),
    latitude: Number(r.latitude),
    longitude: Number(r.longitude),
    elevation: opt(r.elevation),
    igbp: r.igbp === null || r.igbp === undefined ? null : String(r.igbp),
    mat: opt(r.mat),
    map: opt(r.map),
    primaryPub: r.primary_pub === null || r.primary_pub === undefined ? null : String(r.primary_pub),
  };
}
