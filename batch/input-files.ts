/** The batch inputs as DuckDB sees them: a file or glob resolved to its files, its format, and the `read_…` call that reads it. */
import { stat } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError } from "../core/errors.ts";
import { sqlString } from "../ingest/sql.ts";

/** One input (drivers or sites) as resolved files. */
export interface InputFiles {
  /** What the user gave (a path or a glob). */
  pattern: string;
  format: "parquet" | "csv";
  /** Matching files, sorted. */
  files: string[];
  /** Size and modification time of each file, so a rerun can tell whether the input changed. */
  fingerprint: string;
}

const FORMATS: [RegExp, InputFiles["format"]][] = [
  [/\.parquet$/i, "parquet"],
  [/\.(csv|csv\.gz|tsv)$/i, "csv"],
];

/**
 * Resolve `pattern` (a path or a DuckDB glob such as `drivers/*.parquet`) to its files.
 * @param what `--drivers` or `--sites`, for the error
 * @throws {InputError} when nothing matches, a file cannot be read, or the format is neither Parquet nor CSV
 */
export async function resolveInput(
  con: DuckDBConnection,
  pattern: string,
  what: string,
): Promise<InputFiles> {
  const format = FORMATS.find(([re]) => re.test(pattern))?.[1];
  if (!format)
    throw new InputError(
      what,
      `"${pattern}" is neither Parquet nor CSV`,
      "name files *.parquet, *.csv or *.csv.gz",
    );
  const rows = (
    await con.runAndReadAll(`SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`)
  ).getRows();
  const files = rows.map((r) => String(r[0]));
  if (files.length === 0)
    throw new InputError(
      what,
      `no file matches "${pattern}"`,
      "check the path (globs such as dir/*.parquet work)",
    );
  const parts: string[] = [];
  for (const f of files) {
    const s = await stat(f).catch((cause: unknown) => {
      throw new InputError(
        what,
        `cannot read ${f}: ${(cause as Error).message}`,
        "check the file's permissions",
      );
    });
    if (!s.isFile()) throw new InputError(what, `${f} is not a file`);
    parts.push(`${f}:${s.size}:${s.mtimeMs}`);
  }
  return { pattern, format, files, fingerprint: parts.join("|") };
}

/**
 * The DuckDB table function that reads an input; CSV is read as text (every column VARCHAR) so a bad value is a
 * counted bad row instead of a failed read.
 */
export function readSql(input: InputFiles): string {
  const list = `[${input.files.map(sqlString).join(", ")}]`;
  return input.format === "parquet"
    ? `read_parquet(${list}, union_by_name = true)`
    : `read_csv(${list}, header = true, all_varchar = true, union_by_name = true)`;
}

/** Column names of an input (all files together). */
export async function inputColumns(
  con: DuckDBConnection,
  input: InputFiles,
  what: string,
): Promise<string[]> {
  return [...(await inputColumnTypes(con, input, what)).keys()];
}

/** Column names of an input with their DuckDB types (e.g. `DOUBLE`, `VARCHAR`), in file order. */
export async function inputColumnTypes(
  con: DuckDBConnection,
  input: InputFiles,
  what: string,
): Promise<Map<string, string>> {
  const r = await readingInput(what, input, () =>
    con.runAndReadAll(`DESCRIBE SELECT * FROM ${readSql(input)}`),
  );
  return new Map(r.getRows().map((row) => [String(row[0]), String(row[1])]));
}

/** Whether a DuckDB column type holds only numbers (every non-NULL value casts to DOUBLE). */
export const isNumericType = (type: string) =>
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(.*\))?)$/.test(
    type,
  );

/**
 * Run a read of `input`: an error DuckDB raises while reading (not Parquet, a broken CSV) becomes one
 * {@link InputError} naming the flag, its first line kept.
 */
export async function readingInput<T>(what: string, input: InputFiles, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InputError) throw err;
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
    throw new InputError(
      what,
      `cannot read ${input.pattern}: ${first}`,
      `check that it is valid ${input.format === "parquet" ? "Parquet" : "CSV with a header row"}`,
    );
  }
}
