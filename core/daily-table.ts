/** The daily site dataset written by `soilco2 ingest` and read by training: file names and column contract. */

/** Files inside an ingest output directory. */
export const DAILY_FILES = {
  /** One row per site-day (see {@link DAILY_COLUMNS}). */
  daily: "daily.parquet",
  /** One row per site (see {@link SITE_COLUMNS}). */
  sites: "sites.parquet",
  /** Whole-run report: totals, QA rules with counts, per-dataset summaries. */
  report: "ingest-report.json",
  /** Folder with one JSON report per dataset. */
  reportsDir: "reports",
} as const;

/**
 * Columns of `daily.parquet`, one row per site and local-standard-time calendar day.
 * Every driver `<x>` comes with `<x>_n`, the number of raw records behind it (0 = unavailable, value NULL).
 * Nothing is imputed: a NULL stays NULL.
 */
export const DAILY_COLUMNS = {
  site: "COSORE dataset id, e.g. d20190409_ANJILELI (VARCHAR)",
  date: "calendar day in local standard time (DATE)",
  flux_mean: "daily mean soil CO2 efflux of control Rs ports, umol CO2 m-2 s-1; NULL below coverage (DOUBLE)",
  flux_n: "valid flux records behind flux_mean (INTEGER)",
  flux_ports: "ports contributing to flux_mean (INTEGER)",
  flux_hours: "distinct clock hours with a valid flux record (INTEGER)",
  tsoil_mean: "soil temperature at the depth nearest 5 cm, daily mean, degC (DOUBLE)",
  tsoil_min: "daily minimum of the same, degC (DOUBLE)",
  tsoil_max: "daily maximum of the same, degC (DOUBLE)",
  tsoil_n: "records behind the soil temperature (INTEGER)",
  swc_mean: "volumetric soil water content nearest the surface, daily mean, m3 m-3 (DOUBLE)",
  swc_n: "records behind swc_mean (INTEGER)",
  tair_mean: "air temperature, daily mean, degC (DOUBLE)",
  tair_n: "records behind tair_mean (INTEGER)",
  precip_sum: "precipitation, daily total, mm (DOUBLE)",
  precip_n: "records behind precip_sum (INTEGER)",
} as const;

/**
 * Extra columns of `daily.parquet` when `soilco2 ingest --external-drivers` is used, one per driver column
 * `<name>` (tsoil_mean, tsoil_min, tsoil_max, swc_mean, tair_mean, precip_sum) present in the external table.
 * In fill and replace modes a driver's `_n` counts in-situ records, or external rows when its value is external.
 * Days that only the external table covers are added with flux_mean NULL and flux_n = 0.
 */
export const DAILY_EXTERNAL_COLUMNS = {
  "ext_<name>": "mode beside: the external value, same unit as <name> (DOUBLE)",
  "<name>_source": "modes fill and replace: 'insitu' or 'external', NULL when <name> is NULL (VARCHAR)",
} as const;

/** Columns of `sites.parquet`, one row per kept site. */
export const SITE_COLUMNS = {
  site: "COSORE dataset id (VARCHAR)",
  site_name: "CSR_SITE_NAME (VARCHAR)",
  latitude: "degree_north (DOUBLE)",
  longitude: "degree_east (DOUBLE)",
  elevation: "m above sea level, NULL if unknown (DOUBLE)",
  timezone: "IANA zone of the raw timestamps (VARCHAR)",
  igbp: "IGBP code (ENF, DBF, ...), NULL if unknown (VARCHAR)",
  igbp_label: "land cover as written in COSORE (VARCHAR)",
  mat: "mean annual air temperature from ancillary data, degC, NULL if absent (DOUBLE)",
  map: "mean annual precipitation from ancillary data, mm yr-1, NULL if absent (DOUBLE)",
  tsoil_depth_cm: "depth of the soil temperature used, cm, NULL if none (DOUBLE)",
  swc_depth_cm: "depth of the soil moisture used, cm, NULL if none (DOUBLE)",
  first_date: "first day in daily.parquet (DATE)",
  last_date: "last day in daily.parquet (DATE)",
  flux_days: "days with flux_mean (INTEGER)",
  primary_pub: "CSR_PRIMARY_PUB, the dataset's publication to cite (VARCHAR)",
} as const;

export type DailyColumn = keyof typeof DAILY_COLUMNS;
export type SiteColumn = keyof typeof SITE_COLUMNS;

/** The COSORE citation every ingest output, run and model carries. */
export const COSORE_CITATION =
  "Bond-Lamberty, B., et al. (2020) COSORE: A community database for continuous soil respiration and other soil-atmosphere greenhouse gas flux data. Global Change Biology 26, 7268-7283, doi:10.1111/gcb.15353. CC BY 4.0.";

/**
 * Key-value metadata of an ingest Parquet file: what each column holds with its unit, the data licence and the
 * citation (each dataset's own publication is in sites.parquet `primary_pub`), and the writer.
 * @param columns name → description with unit, e.g. {@link DAILY_COLUMNS}
 */
export function parquetMetadata(
  columns: Readonly<Record<string, string>>,
  writer: string,
): Record<string, string> {
  return {
    "soilco2.columns": JSON.stringify(columns),
    licence:
      "CC BY 4.0 (COSORE); cite the COSORE paper and each dataset's primary publication (sites.parquet primary_pub)",
    citation: COSORE_CITATION,
    writer,
  };
}
