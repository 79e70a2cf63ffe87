/** The batch part writer: every column round-trips through Parquet with its type, NULLs and site names, at every ENUM width. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BatchDb, openBatchDb } from "../batch/duckdb.ts";
import { allocPartColumns, type PartColumns, writePart } from "../batch/part-output.ts";
import type { IntervalSource } from "../core/predict-site.ts";

const dir = mkdtempSync(join(tmpdir(), "soilco2-part-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `sites` sites of `days` days each; sources cycle calibration, network, none (NaN bounds). */
function columns(sites: number, days: number): PartColumns {
  const cols = allocPartColumns(sites * days);
  const sources: IntervalSource[] = ["calibration", "network", null];
  for (let s = 0; s < sites; s++) {
    cols.sites.push(`site ${s}'s "name"`);
    const source = sources[s % 3]!;
    cols.intervalSource.push(source);
    for (let d = 0; d < days; d++) {
      const r = s * days + d;
      cols.siteIx[r] = s;
      cols.day[r] = 18_000 + s + d; // 2019-04-13 + s + d
      cols.efflux[r] = Math.fround(1 + r / 7);
      cols.lower[r] = source ? Math.fround(0.5 + r / 7) : Number.NaN;
      cols.upper[r] = source ? Math.fround(2 + r / 7) : Number.NaN;
      cols.warmup[r] = d < 2 ? 1 : 0;
      cols.driversPresent[r] = (r * 5) % 7;
    }
  }
  return cols;
}

interface Row {
  site: string;
  days: number;
  efflux: number;
  efflux_lower: number | null;
  efflux_upper: number | null;
  interval_source: string | null;
  warmup: boolean;
  drivers_present: number;
  driver_covered: boolean;
}

async function readBack(db: BatchDb, file: string): Promise<{ rows: Row[]; types: Record<string, string> }> {
  const described = await db.con.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`);
  const types = Object.fromEntries(
    described.getRowObjects().map((o) => [String(o.column_name), String(o.column_type)]),
  );
  const read = await db.con.runAndReadAll(
    `SELECT site, (date - DATE '1970-01-01')::INTEGER AS days, efflux, efflux_lower, efflux_upper, interval_source,
      warmup, drivers_present, driver_covered FROM '${file}'`,
  );
  return { rows: read.getRowObjectsJS() as unknown as Row[], types };
}

describe("writePart", () => {
  // 3 sites: 8-bit site codes; 300: 16-bit; 70,000 (one day each): 32-bit
  it.each([
    [3, 2500],
    [300, 9],
    [70_000, 1],
  ])("writes %i sites of %i days with every value, NULL and type as given", async (sites, days) => {
    const db = await openBatchDb(join(dir, `tmp-${sites}`));
    try {
      const cols = columns(sites, days);
      const file = join(dir, `part-${sites}.parquet`);
      const { rows } = await writePart(db.con, cols, file, { note: "test" });
      expect(rows).toBe(sites * days);
      const back = await readBack(db, file);
      expect(back.types).toEqual({
        site: "VARCHAR",
        date: "DATE",
        efflux: "FLOAT",
        efflux_lower: "FLOAT",
        efflux_upper: "FLOAT",
        interval_source: "VARCHAR",
        warmup: "BOOLEAN",
        drivers_present: "UTINYINT",
        driver_covered: "BOOLEAN",
      });
      expect(back.rows).toHaveLength(sites * days);
      const expected: Row[] = Array.from({ length: sites * days }, (_, r) => {
        const s = cols.siteIx[r]!;
        const none = Number.isNaN(cols.lower[r]!);
        return {
          site: cols.sites[s]!,
          days: cols.day[r]!,
          efflux: cols.efflux[r]!,
          efflux_lower: none ? null : cols.lower[r]!,
          efflux_upper: none ? null : cols.upper[r]!,
          interval_source: cols.intervalSource[s]!,
          warmup: cols.warmup[r] === 1,
          drivers_present: cols.driversPresent[r]!,
          driver_covered: cols.driversPresent[r]! > 0,
        };
      });
      // the scan runs on one thread, so the file keeps the columns' row order
      expect(back.rows).toEqual(expected);
    } finally {
      db.close();
    }
  });
});
