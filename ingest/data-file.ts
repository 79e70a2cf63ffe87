/** One COSORE flux table on disk: its header, a full gzip integrity check, and loading it into DuckDB with bad lines set aside. */
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { exec, num, queryRows, sqlIdent, sqlString } from "./sql.ts";

const isGzip = (file: string) => file.toLowerCase().endsWith(".gz");

/**
 * Split one CSV line into fields (double quotes, `""` escapes), without the line break.
 * @example splitCsvLine('"CSR_PORT","CSR_T5"') // ["CSR_PORT", "CSR_T5"]
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/**
 * Read the header line of a `.csv` or `.csv.gz` file (only the first bytes are inflated).
 * @returns the column names; throws if the file is empty, unreadable or not gzip when named `.gz`.
 */
export async function readHeader(file: string): Promise<string[]> {
  const source = createReadStream(file, { highWaterMark: 64 * 1024 });
  const stream = isGzip(file) ? source.pipe(createGunzip()) : source;
  let text = "";
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString("utf8");
      if (text.includes("\n") || text.length > 1_000_000) break;
    }
  } finally {
    source.destroy();
    stream.destroy();
  }
  const line = (text.split("\n")[0] ?? "").replace(/^\uFEFF/, "").replace(/\r$/, "");
  if (line.trim() === "") throw new Error("empty file: no header line");
  return splitCsvLine(line);
}

/**
 * Inflate a whole `.gz` file and discard the bytes: throws on a truncated or corrupt stream
 * (DuckDB reads a truncated gzip silently up to the break). A plain `.csv` passes at once.
 */
export async function verifyGzip(file: string): Promise<void> {
  if (!isGzip(file)) return;
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createGunzip({ chunkSize: 1 << 20 }),
    new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    }),
  );
}

/** Result of {@link loadCsv}: lines DuckDB rejected (wrong field count, broken quotes) and examples of them. */
export interface LoadResult {
  /** CSV lines lost to rejected rows (one per line however many errors it has; a broken quote may swallow several lines). */
  malformedLines: number;
  /** Up to three rejects as `line N: message`. */
  examples: string[];
}

/**
 * Load a flux table into `table` as the SQL expressions `select` over its columns (every column read as
 * VARCHAR, `NA` and empty cells as NULL). The header comes from {@link readHeader}, so DuckDB's sniffer is not
 * involved; malformed lines go to a rejects table and are counted.
 */
export async function loadCsv(
  con: DuckDBConnection,
  file: string,
  header: readonly string[],
  select: readonly string[],
  table: string,
): Promise<LoadResult> {
  const columns = header.map((h) => `${sqlString(h)}: 'VARCHAR'`).join(", ");
  const rejects = `${table}_rejects`;
  const scans = `${table}_scans`;
  await exec(
    con,
    `CREATE TABLE ${sqlIdent(table)} AS SELECT ${select.join(", ")} FROM read_csv(${sqlString(file)},
      columns = {${columns}}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
      nullstr = ['NA', ''], compression = '${isGzip(file) ? "gzip" : "none"}',
      store_rejects = true, rejects_table = ${sqlString(rejects)}, rejects_scan = ${sqlString(scans)})`,
  );
  try {
    const rows = await queryRows(
      con,
      `SELECT coalesce(sum(greatest(1, len(string_split(rtrim(csv_line, chr(10)), chr(10))))), 0) AS lines,
        list('line ' || line || ': ' || error_message ORDER BY line)[1:3] AS examples
       FROM (SELECT line, any_value(csv_line) AS csv_line, string_agg(DISTINCT error_message, '; ') AS error_message
             FROM ${sqlIdent(rejects)} GROUP BY line)`,
    );
    return {
      malformedLines: num(rows[0]?.lines),
      examples: (rows[0]?.examples as string[] | null) ?? [],
    };
  } finally {
    await exec(con, `DROP TABLE IF EXISTS ${sqlIdent(rejects)}; DROP TABLE IF EXISTS ${sqlIdent(scans)}`);
  }
}
