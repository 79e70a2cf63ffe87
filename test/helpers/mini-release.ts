/** Tiny COSORE releases written by the tests into a temp folder, and a reader for the Parquet outputs. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";

/** A cell: number, string (written as is), or null (written NA). */
export type Cell = number | string | null;

/** One dataset of a mini release. */
export interface MiniDataset {
  id: string;
  /** CSR_TIMEZONE; default Etc/GMT+8. */
  timezone?: string;
  /** CSR_IGBP; default "Deciduous broadleaf forest". */
  igbp?: string;
  /** ports.csv rows: [CSR_PORT as written, CSR_MSMT_VAR, CSR_TREATMENT]; default port 0 Rs None. */
  ports?: [string, string, string][];
  /** Data table: header and rows; omitted = no data file. */
  columns?: string[];
  rows?: Cell[][];
  /** Raw text appended after the rows (to plant malformed lines). */
  tail?: string;
  /** Write data_<id>.csv instead of .csv.gz. */
  plainCsv?: boolean;
  /** Leave the dataset out of description.csv. */
  noDescription?: boolean;
}

/** Write a CSV with a quoted header (as COSORE does) and unquoted cells, NA for null. */
export function csvText(columns: readonly string[], rows: readonly Cell[][]): string {
  const head = columns.map((c) => `"${c}"`).join(",");
  return `${[head, ...rows.map((r) => r.map((v) => (v === null ? "NA" : String(v))).join(","))].join("\n")}\n`;
}

/**
 * Wall-clock timestamps `YYYY-MM-DD HH:MM:SS`, `count` of them every `stepMinutes` from `start` (no time zone
 * involved: pure calendar arithmetic).
 */
export function timestamps(start: string, count: number, stepMinutes: number): string[] {
  const t0 = Date.parse(`${start.replace(" ", "T")}Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(t0 + i * stepMinutes * 60_000).toISOString().slice(0, 19).replace("T", " "),
  );
}

/** Write a release with these datasets into a new temp folder; returns its path. */
export function writeMiniRelease(
  datasets: readonly MiniDataset[],
  options: { ancillary?: string } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "soilco2-mini-"));
  mkdirSync(join(dir, "datasets"));
  const desc = [
    '"CSR_DATASET","CSR_SITE_NAME","CSR_LONGITUDE","CSR_LATITUDE","CSR_ELEVATION","CSR_TIMEZONE","CSR_IGBP","CSR_PRIMARY_PUB"',
  ];
  const ports = ['"CSR_DATASET","CSR_PORT","CSR_MSMT_VAR","CSR_TREATMENT","CSR_AREA"'];
  datasets.forEach((d, i) => {
    if (!d.noDescription)
      desc.push(
        `"${d.id}","Site ${i}","${-100 + i}","${40 + i}","${100 * i}","${d.timezone ?? "Etc/GMT+8"}","${d.igbp ?? "Deciduous broadleaf forest"}","10.1/${d.id}"`,
      );
    for (const [port, v, tr] of d.ports ?? [["0", "Rs", "None"]])
      ports.push(`"${d.id}","${port}","${v}","${tr}","80"`);
    if (d.columns) {
      const text = csvText(d.columns, d.rows ?? []) + (d.tail ?? "");
      const name = `data_${d.id}.csv${d.plainCsv ? "" : ".gz"}`;
      writeFileSync(join(dir, "datasets", name), d.plainCsv ? text : gzipSync(text));
    }
  });
  writeFileSync(join(dir, "description.csv"), `${desc.join("\n")}\n`);
  writeFileSync(join(dir, "ports.csv"), `${ports.join("\n")}\n`);
  if (options.ancillary !== undefined)
    writeFileSync(join(dir, "ancillary.csv.gz"), gzipSync(options.ancillary));
  return dir;
}

/** A fresh temp folder (for --out). */
export function tempDir(prefix = "soilco2-out-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Remove temp folders. */
export function cleanup(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Rows of a Parquet file (or any DuckDB-readable file) as JSON values; `sql` may filter or order. */
export async function readRows(
  file: string,
  sql = "SELECT * FROM t",
): Promise<Record<string, string | number | boolean | null>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  try {
    await con.run(`CREATE VIEW t AS SELECT * FROM '${file.replaceAll("'", "''")}'`);
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, string | number | boolean | null>[];
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
