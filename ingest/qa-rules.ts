/** Every QA rule of `soilco2 ingest` with its threshold, in one place: the SQL, the reports and docs/ingest.md read them from here. */
import { findFeature } from "../core/features.ts";
import { EXTERNAL_DRIVER_COLUMNS, QA } from "./qa-thresholds.ts";

/** Where a rule acts: a CSV line, a row, a cell, a dataset's column, a site-day, a whole dataset, or the external-driver table. */
export type RuleLevel = "line" | "row" | "value" | "column" | "day" | "dataset" | "external";

interface RuleDef {
  id: string;
  level: RuleLevel;
  description: string;
  threshold: string;
  action: string;
}

const r = (min: number, max: number, unit: string) => `[${min}, ${max}] ${unit}`;

const EXTERNAL_RANGES_TEXT = EXTERNAL_DRIVER_COLUMNS.map((name) => {
  const f = findFeature(name);
  return `${name} ${r(f?.min ?? Number.NaN, f?.max ?? Number.NaN, f?.unit ?? "")}`;
}).join(", ");

/** The rules, in the order they are applied. */
export const QA_RULES = [
  {
    id: "malformed_row",
    level: "line",
    description: "CSV line whose field count differs from the header or whose quoting is broken",
    threshold: "field count = header field count",
    action:
      "line dropped (DuckDB store_rejects); an unterminated quote loses every line up to the end of file",
  },
  {
    id: "bad_timestamp",
    level: "row",
    description: "CSR_TIMESTAMP_BEGIN missing or not a timestamp (`YYYY-MM-DD HH:MM:SS`)",
    threshold: "must cast to TIMESTAMP",
    action: "row dropped for every variable",
  },
  {
    id: "non_control_port",
    level: "row",
    description:
      "flux record from a port that is not control soil respiration: ports.csv CSR_MSMT_VAR != Rs or CSR_TREATMENT != None (port 0 = all ports, a specific port overrides it, ports compared numerically), or a port not listed",
    threshold: "CSR_MSMT_VAR = Rs and CSR_TREATMENT = None",
    action: "flux dropped; the row's drivers are still used (they are site conditions)",
  },
  {
    id: "non_numeric",
    level: "value",
    description:
      "cell of a used variable (flux, tsoil, swc, tair, precip) that is neither NA/empty nor a finite number",
    threshold: "must cast to a finite DOUBLE",
    action: "value treated as missing; counted per variable",
  },
  {
    id: "flux_range",
    level: "value",
    description: "CSR_FLUX_CO2 outside the physical range",
    threshold: r(QA.flux.min, QA.flux.max, "umol m-2 s-1"),
    action: "flux dropped",
  },
  {
    id: "flux_outlier",
    level: "value",
    description:
      "robust outlier: |flux - median| > k * max(1.4826 * MAD, floor), median and MAD per dataset, port and ISO week of local standard time; the reference follows the season, so summer peaks stay",
    threshold: `k = ${QA.outlier.k}, floor = ${QA.outlier.scaleFloor} umol m-2 s-1, windows with >= ${QA.outlier.minRecords} records`,
    action: "flux dropped",
  },
  {
    id: "tsoil_range",
    level: "value",
    description: "soil temperature outside the physical range",
    threshold: r(QA.tsoil.min, QA.tsoil.max, "degC"),
    action: "value dropped",
  },
  {
    id: "swc_percent",
    level: "column",
    description:
      "soil moisture written in % instead of m3 m-3, decided per dataset and column from the median of its numeric values (a m3 m-3 median cannot exceed 1)",
    threshold: `median > ${QA.swcPercentMedian}`,
    action: "every value of the column divided by 100 (records fixed are counted)",
  },
  {
    id: "column_implausible",
    level: "column",
    description:
      "driver column (soil temperature, moisture, air temperature, precipitation) whose numeric values are too often out of range after the unit fix: an unknown unit or a broken sensor, so its in-range values are not trusted either",
    threshold: `> ${QA.columnMaxOutOfRange * 100}% of numeric values out of range`,
    action:
      "column not used, the next candidate (next depth, CSR_TAIR_AMB) is tried; its numeric records are counted",
  },
  {
    id: "swc_range",
    level: "value",
    description: "soil moisture outside the physical range after the unit fix",
    threshold: r(QA.swc.min, QA.swc.max, "m3 m-3"),
    action: "value dropped",
  },
  {
    id: "tair_range",
    level: "value",
    description: "air temperature outside the physical range",
    threshold: r(QA.tair.min, QA.tair.max, "degC"),
    action: "value dropped",
  },
  {
    id: "precip_range",
    level: "value",
    description: "precipitation per record outside the physical range",
    threshold: r(QA.precip.min, QA.precip.max, "mm"),
    action: "value dropped",
  },
  {
    id: "precip_duplicate",
    level: "value",
    description:
      "precipitation repeated on rows with the same timestamp (COSORE repeats site data on each port's row)",
    threshold: "one value per CSR_TIMESTAMP_BEGIN (the largest)",
    action: "repeats not summed",
  },
  {
    id: "low_coverage",
    level: "day",
    description:
      "site-day with valid control flux records but too few, or all in too few clock hours, for a daily mean",
    threshold: `>= ${QA.coverage.minRecords} records and >= ${QA.coverage.minHours} distinct hours`,
    action: "flux_mean NULL (flux_n, flux_ports, flux_hours kept); counted in days",
  },
  {
    id: "port_set",
    level: "day",
    description:
      "site-day on which only some of the site's control ports report, so the plain mean over ports would step with the set",
    threshold:
      "fewer ports than the site has; each port's level factor from the days it shares with another port",
    action:
      "flux_mean = mean over the reporting ports of (port daily mean / its level factor) × the mean factor of all ports (ingest/port-sets.ts)",
  },
  {
    id: "missing_file",
    level: "dataset",
    description:
      "dataset listed in description.csv (or asked for with --datasets) without datasets/data_<id>.csv[.gz]",
    threshold: "file must exist",
    action: "dataset skipped",
  },
  {
    id: "missing_metadata",
    level: "dataset",
    description: "data file whose dataset has no row in description.csv (no time zone, no coordinates)",
    threshold: "row must exist",
    action: "dataset skipped",
  },
  {
    id: "unreadable_file",
    level: "dataset",
    description: "data file that cannot be read: truncated or corrupt gzip, I/O error, empty file",
    threshold: "gzip stream must inflate to its end",
    action: "dataset skipped",
  },
  {
    id: "missing_column",
    level: "dataset",
    description: "data file without CSR_TIMESTAMP_BEGIN or CSR_FLUX_CO2",
    threshold: "both columns present",
    action: "dataset skipped",
  },
  {
    id: "bad_timezone",
    level: "dataset",
    description: "CSR_TIMEZONE missing or not an IANA zone known to DuckDB's ICU",
    threshold: "zone in pg_timezone_names()",
    action: "dataset skipped",
  },
  {
    id: "no_numeric_flux",
    level: "dataset",
    description: "no row with a numeric CSR_FLUX_CO2 at all",
    threshold: ">= 1 numeric flux",
    action: "dataset skipped",
  },
  {
    id: "no_control_port",
    level: "dataset",
    description: "no numeric flux from a control Rs port",
    threshold: ">= 1 control flux record",
    action: "dataset skipped",
  },
  {
    id: "no_flux_day",
    level: "dataset",
    description: "no site-day reaches the coverage rule after QA",
    threshold: ">= 1 day with flux_mean",
    action: "dataset skipped",
  },
  {
    id: "ext_unknown_site",
    level: "external",
    description: "external-driver row whose site is not a kept dataset of this run",
    threshold: "site in daily.parquet",
    action: "row ignored",
  },
  {
    id: "ext_unknown_column",
    level: "external",
    description: "external-driver column other than site, date and the six driver names",
    threshold: "tsoil_mean, tsoil_min, tsoil_max, swc_mean, tair_mean, precip_sum",
    action: "column ignored (counted once per column)",
  },
  {
    id: "ext_bad_date",
    level: "external",
    description: "external-driver row whose date is missing or not a real YYYY-MM-DD calendar date",
    threshold: "YYYY-MM-DD",
    action: "row ignored",
  },
  {
    id: "ext_non_numeric",
    level: "external",
    description: "external-driver cell that is neither empty/NA nor a finite number",
    threshold: "must cast to a finite DOUBLE",
    action: "value ignored",
  },
  {
    id: "ext_out_of_range",
    level: "external",
    description: "external-driver value outside the range of core/features.ts",
    threshold: EXTERNAL_RANGES_TEXT,
    action: "value ignored",
  },
  {
    id: "ext_duplicate",
    level: "external",
    description: "more than one external-driver row for the same site and date",
    threshold: "one row per site and date",
    action: "values averaged; extra rows counted",
  },
] as const satisfies readonly RuleDef[];

/** Stable id of a QA rule. */
export type RuleId = (typeof QA_RULES)[number]["id"];

/** Every rule id, in application order. */
export const RULE_IDS: readonly RuleId[] = QA_RULES.map((rule) => rule.id);

/** A count per rule, every rule present (0 when it never fired). */
export type RuleCounts = Record<RuleId, number>;

/** A fresh all-zero {@link RuleCounts}. */
export function emptyRuleCounts(): RuleCounts {
  return Object.fromEntries(RULE_IDS.map((id) => [id, 0])) as RuleCounts;
}

/** The rule table as Markdown, as it appears in docs/ingest.md (a test keeps the two identical). */
export function qaRulesMarkdown(): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const lines = ["| id | level | what | threshold | action |", "| --- | --- | --- | --- | --- |"];
  for (const q of QA_RULES) {
    lines.push(
      `| \`${q.id}\` | ${q.level} | ${esc(q.description)} | ${esc(q.threshold)} | ${esc(q.action)} |`,
    );
  }
  return lines.join("\n");
}
