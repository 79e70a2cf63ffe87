/** Markdown tables and number formats of the run report. */
import type { ModelSummary, SetSummary } from "../evaluate.ts";

/** Two decimals, `–` for a non-finite value. */
export const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
/** A share as a whole percentage, `–` for a non-finite value. */
export const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "–");

/** A Markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** One comparison set's models: medians of every metric and the good sites. */
export function modelTable(set: SetSummary, labelOf: (m: string) => string): string {
  return table(
    ["model", "sites", "median NSE", "median KGE", "r", "α", "β", "RMSE", "peak error", "good sites"],
    set.models.map((m: ModelSummary) => [
      labelOf(m.model),
      m.sites,
      f2(m.medianNse),
      f2(m.medianKge),
      f2(m.medianR),
      f2(m.medianAlpha),
      f2(m.medianBeta),
      f2(m.medianRmse),
      f2(m.medianPeakError),
      `${m.goodSites} (${pct(m.goodShare)})`,
    ]),
  );
}
