/** Shapes of the ingest reports (reports/<dataset>.json and ingest-report.json) and how totals are summed. */
import type { DriverName } from "./columns.ts";
import type { PortSetCounts } from "./port-sets.ts";
import { emptyRuleCounts, QA_RULES, type RuleCounts, type RuleId } from "./qa-rules.ts";
import type { ExternalDriverColumn } from "./qa-thresholds.ts";

/** What one driver got from one dataset. Counts are raw records (rows with a valid timestamp). */
export interface DriverReport {
  /** Raw column used, null when the dataset has none with valid values. */
  column: string | null;
  /** Depth of that column, cm (soil temperature and moisture only). */
  depth_cm: number | null;
  /** Every column that could have fed this driver: numeric and valid records, % moisture, plausibility. */
  candidates: {
    column: string;
    depth_cm: number | null;
    numeric: number;
    valid: number;
    percent: boolean;
    plausible: boolean;
  }[];
  /** Valid records used. */
  records: number;
  non_numeric: number;
  out_of_range: number;
  /** Soil moisture only: true when the column was taken as % and divided by 100. */
  percent_fixed: boolean;
  /** Days with a value. */
  days: number;
}

/** Why a dataset was not kept. */
export interface SkipReason {
  /** The dataset-level QA rule, or null for an unexpected error (status "failed"). */
  rule: RuleId | null;
  message: string;
}

/** reports/<dataset>.json */
export interface DatasetReport {
  dataset: string;
  /** kept: rows in daily.parquet; skipped: a dataset-level rule fired; failed: an unexpected error. */
  status: "kept" | "skipped" | "failed";
  reason: SkipReason | null;
  file: string | null;
  timezone: string | null;
  rows: {
    /** Data rows DuckDB read (malformed lines excluded). */
    read: number;
    malformed_lines: number;
    bad_timestamp: number;
  };
  flux: {
    /** Rows from ports that are not control Rs, grouped by ports.csv class (`CSR_MSMT_VAR/CSR_TREATMENT`). */
    non_control: { label: string; ports: (number | null)[]; records: number }[];
    control_ports: number[];
    missing: number;
    non_numeric: number;
    out_of_range: number;
    outliers: number;
    /** Records behind the daily values (after every record rule). */
    valid: number;
    /** What the port-set rule (ingest/port-sets.ts) did here. */
    port_sets: PortSetCounts;
  };
  drivers: Record<DriverName, DriverReport>;
  days: {
    /** Rows in daily.parquet for this site (in-situ days; external-only days are counted in the run report). */
    rows: number;
    flux_days: number;
    low_coverage: number;
    first_date: string | null;
    last_date: string | null;
  };
  /** Count per QA rule (records, lines, days or 1 for a dataset-level rule, as the rule's level says). */
  rule_counts: RuleCounts;
  non_numeric_by_variable: Record<"flux" | DriverName, number>;
  warnings: string[];
  errors: string[];
  elapsed_ms: number;
}

/** A fresh report for a dataset before anything is read. */
export function emptyDatasetReport(
  dataset: string,
  file: string | null,
  timezone: string | null,
): DatasetReport {
  const driver = (): DriverReport => ({
    column: null,
    depth_cm: null,
    candidates: [],
    records: 0,
    non_numeric: 0,
    out_of_range: 0,
    percent_fixed: false,
    days: 0,
  });
  return {
    dataset,
    status: "skipped",
    reason: null,
    file,
    timezone,
    rows: { read: 0, malformed_lines: 0, bad_timestamp: 0 },
    flux: {
      non_control: [],
      control_ports: [],
      missing: 0,
      non_numeric: 0,
      out_of_range: 0,
      outliers: 0,
      valid: 0,
      port_sets: { set_changes: 0, adjusted_days: 0, max_log_adjustment: 0 },
    },
    drivers: { tsoil: driver(), swc: driver(), tair: driver(), precip: driver() },
    days: { rows: 0, flux_days: 0, low_coverage: 0, first_date: null, last_date: null },
    rule_counts: emptyRuleCounts(),
    non_numeric_by_variable: { flux: 0, tsoil: 0, swc: 0, tair: 0, precip: 0 },
    warnings: [],
    errors: [],
    elapsed_ms: 0,
  };
}

/** Mark a report skipped by a dataset-level rule (counted once). */
export function skip(report: DatasetReport, rule: RuleId, message: string): DatasetReport {
  report.status = "skipped";
  report.reason = { rule, message };
  report.rule_counts[rule] += 1;
  return report;
}

/** Counts of the external-driver table (see ingest/external-drivers.ts). */
export interface ExternalReport {
  file: string;
  mode: "beside" | "fill" | "replace";
  rows_read: number;
  rows_used: number;
  columns_used: ExternalDriverColumn[];
  unknown_columns: string[];
  /** Rows added to daily.parquet for days without in-situ data (flux NULL). */
  days_added: number;
  /** Values that filled an in-situ gap (fill mode) or replaced in-situ values (replace mode), per column. */
  values_applied: Record<string, number>;
  rule_counts: Partial<RuleCounts>;
}

/** Whole-run totals in ingest-report.json. */
export interface IngestTotals {
  datasets_considered: number;
  datasets_kept: number;
  datasets_skipped: number;
  datasets_failed: number;
  rows_read: number;
  site_days: number;
  flux_days: number;
  sites_with_30_flux_days: number;
  /** Kept sites with each driver. */
  sites_with: Record<DriverName, number>;
  sites_igbp_unknown: number;
  elapsed_ms: number;
}

/** ingest-report.json */
export interface IngestReport {
  tool: "soilco2 ingest";
  version: string;
  created: string;
  release: string;
  out: string;
  options: Record<string, unknown>;
  totals: IngestTotals;
  rules: {
    id: RuleId;
    level: string;
    description: string;
    threshold: string;
    action: string;
    count: number;
  }[];
  external: ExternalReport | null;
  warnings: string[];
  datasets: {
    dataset: string;
    status: DatasetReport["status"];
    reason: SkipReason | null;
    rows_read: number;
    site_days: number;
    flux_days: number;
    drivers: Record<DriverName, string | null>;
  }[];
}

/** Sum rule counts of every dataset and of the external table, in rule order. */
export function ruleTotals(
  reports: readonly DatasetReport[],
  external: ExternalReport | null,
): IngestReport["rules"] {
  const totals = emptyRuleCounts();
  for (const r of reports) for (const q of QA_RULES) totals[q.id] += r.rule_counts[q.id];
  if (external) for (const [k, v] of Object.entries(external.rule_counts)) totals[k as RuleId] += v ?? 0;
  return QA_RULES.map((q) => ({ ...q, count: totals[q.id] }));
}
