/** Read a drivers CSV (one row per day) into a site request plus observed values, using core's feature catalog for column roles. */

import { InputError } from "../../core/errors.ts";
import { DYNAMIC_FEATURES, IGBP_FEATURE, STATIC_FEATURES, TARGET } from "../../core/features.ts";
import type { SiteRequest } from "../../core/request.ts";

/** Drivers plus the observed efflux to draw next to the prediction (same length as the dates, `null` = none). */
export interface SiteInput {
  site: SiteRequest;
  observed?: (number | null)[] | undefined;
}

/** Column names read as observed efflux. */
const OBSERVED_COLUMNS = new Set(["observed", TARGET.name]);

/**
 * Parse a CSV with a `date` column, driver columns (`tsoil_mean`, ...), optional site-attribute columns
 * (`latitude`, `igbp`, ...; the first non-empty value is used) and an optional `observed` (or `flux_mean`) column.
 * Empty cells and `NA` are gaps.
 * @throws {InputError} for a missing `date` column, an unknown column or a value that is not a number
 * @example parseDriversCsv("date,tsoil_mean,latitude\n2020-01-01,4.5,45\n2020-01-02,,45").site.drivers.tsoil_mean // [4.5, null]
 */
export function parseDriversCsv(text: string, where = "drivers.csv"): SiteInput {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines.shift() ?? "").split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const dateCol = header.indexOf("date");
  if (dateCol < 0) throw new InputError(`${where}: header`, "has no `date` column", "add one (YYYY-MM-DD)");
  const rows = lines.map((l) => l.split(",").map((c) => c.trim().replace(/^"|"$/g, "")));
  const site: SiteRequest = { static: {}, dates: rows.map((r) => r[dateCol] ?? ""), drivers: {} };
  let observed: (number | null)[] | undefined;
  header.forEach((name, col) => {
    if (col === dateCol) return;
    const cells = rows.map((r) => r[col] ?? "");
    if (name === IGBP_FEATURE.name) {
      site.static[name] = cells.find((c) => c !== "" && c !== "NA") ?? null;
    } else if (OBSERVED_COLUMNS.has(name)) {
      observed = cells.map((c, i) => cellNumber(c, `${where}: ${name}[${i}]`));
    } else if (DYNAMIC_FEATURES.some((f) => f.name === name && f.source === "observed")) {
      site.drivers[name] = cells.map((c, i) => cellNumber(c, `${where}: ${name}[${i}]`));
    } else if (STATIC_FEATURES.some((f) => f.name === name)) {
      site.static[name] =
        cells.map((c, i) => cellNumber(c, `${where}: ${name}[${i}]`)).find((v) => v !== null) ?? null;
    } else {
      throw new InputError(
        `${where}: column ${name}`,
        "is not a known driver, site attribute or observed column",
        `use date, ${[...DYNAMIC_FEATURES, ...STATIC_FEATURES].map((f) => f.name).join(", ")}, igbp, observed`,
      );
    }
  });
  return { site, observed };
}

function cellNumber(cell: string, where: string): number | null {
  if (cell === "" || cell === "NA") return null;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new InputError(where, `"${cell}" is not a number`);
  return v;
}
