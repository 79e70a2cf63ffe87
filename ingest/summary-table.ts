/** The human summary of an ingest run: one line per dataset (days, drivers, issues) and the totals. */
import type { DriverName } from "./columns.ts";
import type { DatasetReport, IngestReport } from "./report.ts";

const DRIVER_HEADS: [DriverName, string][] = [
  ["tsoil", "Ts"],
  ["swc", "SWC"],
  ["tair", "Ta"],
  ["precip", "P"],
];

const fmt = (n: number) => n.toLocaleString("en-US");

function driverCell(r: DatasetReport, d: DriverName): string {
  const c = r.drivers[d].column;
  if (!c || r.drivers[d].days === 0) return "-";
  return c.replace(/^CSR_/, "") + (r.drivers[d].percent_fixed ? "%" : "");
}

/** The issues of one dataset in a few words: its skip reason, or its largest non-zero rule counts. */
export function issuesOf(r: DatasetReport, max = 3): string {
  if (r.reason) return `${r.reason.rule ?? "error"}: ${r.reason.message}`;
  return Object.entries(r.rule_counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([id, n]) => `${id} ${fmt(n)}`)
    .join(", ");
}

/** One-paragraph totals of a run. */
export function formatTotals(report: IngestReport): string {
  const t = report.totals;
  const drivers = DRIVER_HEADS.map(([d]) => `${d} ${t.sites_with[d]}`).join(", ");
  return [
    `${t.datasets_kept} of ${t.datasets_considered} datasets kept (${t.datasets_skipped} skipped, ${t.datasets_failed} failed)`,
    `${fmt(t.flux_days)} days with flux_mean in ${fmt(t.site_days)} site-days; ${t.sites_with_30_flux_days} sites with >= 30 flux days`,
    `sites with drivers: ${drivers}; IGBP unknown: ${t.sites_igbp_unknown}`,
    `${fmt(t.rows_read)} rows read in ${(t.elapsed_ms / 1000).toFixed(1)} s -> ${report.out}`,
  ].join("\n");
}

/** A fixed-width table of every dataset followed by the totals. `width` caps the issues column. */
export function formatSummary(report: IngestReport, datasets: readonly DatasetReport[], width = 70): string {
  const head = ["dataset", "status", "days", "flux days", ...DRIVER_HEADS.map(([, h]) => h), "issues"];
  const rows = datasets.map((r) => [
    r.dataset,
    r.status,
    fmt(r.status === "kept" ? r.days.rows : 0),
    fmt(r.status === "kept" ? r.days.flux_days : 0),
    ...DRIVER_HEADS.map(([d]) => (r.status === "kept" ? driverCell(r, d) : "-")),
    issuesOf(r).slice(0, width),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const right = new Set([2, 3]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    formatTotals(report),
  ].join("\n");
}
