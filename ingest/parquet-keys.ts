/**
 * Write the rows of a DuckDB SELECT to Parquet with hyparquet-writer, so that key columns are REQUIRED (non-null) in
 * the file's schema. DuckDB's own COPY marks every column OPTIONAL, NOT NULL or not (duckdb#23051, DuckDB 1.5), and
 * no option changes it; DuckDB still computes the rows, hyparquet-writer only encodes them.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { parquetWriteBuffer } from "hyparquet-writer";
import { ArtefactError } from "../core/errors.ts";
import { sqlIdent } from "./sql.ts";

/** DuckDB column types this writer encodes, and their Parquet form (DATE as days since 1970-01-01). */
const PARQUET_TYPE = {
  VARCHAR: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  DOUBLE: { type: "DOUBLE" },
  INTEGER: { type: "INT32" },
  BIGINT: { type: "INT64" },
  BOOLEAN: { type: "BOOLEAN" },
  DATE: { type: "INT32", converted_type: "DATE" },
} as const;
type DuckType = keyof typeof PARQUET_TYPE;

/**
 * Encode the rows of `selectSql` as Parquet bytes (snappy, one row group per 100 000 rows, written in the SELECT's
 * order), with `required` columns REQUIRED and `metadata` as the file's key-value metadata.
 * @throws {ArtefactError} for a NULL in a required column or a column type not in {@link PARQUET_TYPE}
 */
export async function parquetBytes(
  con: DuckDBConnection,
  selectSql: string,
  required: readonly string[],
  metadata: Readonly<Record<string, string>>,
  what: string,
): Promise<Uint8Array> {
  const described = await con.runAndReadAll(`DESCRIBE (${selectSql})`);
  const columns = described
    .getRowObjectsJS()
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  for (const c of columns)
    if (!(c.type in PARQUET_TYPE))
      throw new ArtefactError(
        what,
        `column ${c.name} has type ${c.type}, which the Parquet writer does not encode`,
        `add ${c.type} to PARQUET_TYPE in ingest/parquet-keys.ts, or cast the column in the SELECT`,
      );
  for (const name of required)
    if (!columns.some((c) => c.name === name))
      throw new ArtefactError(what, `has no key column ${name}`, "select the key columns the file promises");
  const projection = columns
    .map(({ name, type }) =>
      type === "DATE"
        ? `(${sqlIdent(name)} - DATE '1970-01-01')::INTEGER AS ${sqlIdent(name)}`
        : sqlIdent(name),
    )
    .join(", ");
  const data = (await con.runAndReadAll(`SELECT ${projection} FROM (${selectSql})`)).getColumnsJS();
  const columnData = columns.map(({ name, type }, i) => {
    const values = data[i]!;
    const isRequired = required.includes(name);
    if (isRequired && values.some((v) => v === null))
      throw new ArtefactError(
        what,
        `key column ${name} has NULL values`,
        "report this: ingest never writes a row without its key",
      );
    return {
      name,
      data: values as unknown[],
      // the full schema element: hyparquet-writer's basic types have no DATE
      element: {
        name,
        ...PARQUET_TYPE[type as DuckType],
        repetition_type: isRequired ? "REQUIRED" : "OPTIONAL",
      },
    };
  });
  const buffer = parquetWriteBuffer({
    columnData: columnData.map(({ name, data }) => ({ name, data })),
    schema: [{ name: "root", num_children: columnData.length }, ...columnData.map((c) => c.element)],
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    rowGroupSize: 100_000,
    createdBy: "soilco2 (hyparquet-writer)",
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buffer);
}
