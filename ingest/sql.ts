/** Small DuckDB helpers shared by the ingest modules: quoting and reading rows back as plain JS values. */
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * A SQL string literal with single quotes doubled.
 * @example sqlString("it's") // "'it''s'"
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A quoted SQL identifier (column or table name) with double quotes doubled.
 * @example sqlIdent("CSR_T16.5") // '"CSR_T16.5"'
 */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A plain JS row: numbers, strings (dates as `YYYY-MM-DD`), booleans, lists, or null. */
export type Row = Record<string, unknown>;

/** Run one statement and return its rows as JSON-compatible values (BIGINT and DATE arrive as strings). */
export async function queryRows(con: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/** Run one statement for its effect. */
export async function exec(con: DuckDBConnection, sql: string): Promise<void> {
  await con.run(sql);
}

/** A count or measure read back from DuckDB as a number (NULL -> 0 unless `nullAs` says otherwise). */
export function num(value: unknown, nullAs = 0): number {
  if (value === null || value === undefined) return nullAs;
  const n = Number(value);
  return Number.isFinite(n) ? n : nullAs;
}

/** A nullable number read back from DuckDB. */
export function numOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A nullable string read back from DuckDB. */
export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
