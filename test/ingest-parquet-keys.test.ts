// ingest/parquet-keys.ts: DuckDB rows encoded by hyparquet-writer with REQUIRED keys, read back by DuckDB unchanged.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { ArtefactError } from "../core/errors.ts";
import { parquetBytes } from "../ingest/parquet-keys.ts";

const dir = await mkdtemp(join(tmpdir(), "soilco2-pqkeys-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
const ROWS = `SELECT * FROM (VALUES ('a', DATE '2020-01-01', 1.5::DOUBLE, 3::INTEGER, true),
  ('a', DATE '2020-01-02', NULL, NULL, NULL), ('b', DATE '1969-12-31', -2.25, 0, false)) t(site, date, v, n, ok)`;

describe("parquetBytes", () => {
  it("writes every value and type back as DuckDB reads them, keys REQUIRED, metadata kept", async () => {
    const file = join(dir, "t.parquet");
    await writeFile(file, await parquetBytes(con, ROWS, ["site", "date"], { units: "x" }, file));
    const back = await con.runAndReadAll(`SELECT * FROM '${file}' EXCEPT ALL ${ROWS}`);
    expect(back.getRowsJS()).toEqual([]);
    const n = await con.runAndReadAll(`SELECT count(*)::INTEGER FROM '${file}'`);
    expect(n.getRowsJS()).toEqual([[3]]);
    const types = await con.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`);
    expect(types.getRowsJS().map((r) => r[1])).toEqual(["VARCHAR", "DATE", "DOUBLE", "INTEGER", "BOOLEAN"]);
    const schema = await con.runAndReadAll(
      `SELECT name, repetition_type FROM parquet_schema('${file}') WHERE name IN ('site', 'date', 'v')`,
    );
    expect(schema.getRowsJS()).toEqual([
      ["site", "REQUIRED"],
      ["date", "REQUIRED"],
      ["v", "OPTIONAL"],
    ]);
    const kv = await con.runAndReadAll(
      `SELECT decode(key), decode(value) FROM parquet_kv_metadata('${file}')`,
    );
    expect(kv.getRowsJS()).toEqual([["units", "x"]]);
  });

  it("refuses a NULL in a key column, a missing key and a type it does not encode, naming them", async () => {
    await expect(parquetBytes(con, `SELECT NULL::VARCHAR AS site`, ["site"], {}, "f")).rejects.toThrow(
      /key column site has NULL values/,
    );
    await expect(parquetBytes(con, `SELECT 'a' AS x`, ["site"], {}, "f")).rejects.toThrow(
      /no key column site/,
    );
    const err = await parquetBytes(con, `SELECT 1::HUGEINT AS big`, [], {}, "f").catch((e) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect(String(err.message)).toMatch(/column big has type HUGEINT/);
  });
});
