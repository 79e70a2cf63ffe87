/**
 * Typed-array columns in and out of DuckDB data chunks through the C API's vector memory (@duckdb/node-bindings).
 * Written by hand because node-api's own column access goes value by value (`getItem`/`setItem`, a boxed number
 * each), which CPU profiles of `soilco2 predict-batch` showed as the largest part of its main thread's time.
 * Only fixed-width columns; NULLs go in as a validity bitmask copied whole (the part writer's missing intervals),
 * and staging writes NaN for a gap (batch/stage-input.ts).
 */

import type { DuckDBDataChunk } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";

/**
 * A fixed-width column as JS holds it: DOUBLE, FLOAT, INTEGER (or DATE: days since 1970-01-01), UTINYINT (or
 * BOOLEAN: 0 or 1), or the codes of an ENUM (UTINYINT, USMALLINT or UINTEGER by its size) values.
 */
export type TypedColumn = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedColumn };

/**
 * Copy the `chunk.rowCount` values of column `c` of a fetched chunk into `out` from index `at`; the column must
 * have no NULLs and the element type of `out` (DOUBLE → Float64Array, FLOAT → Float32Array, INTEGER → Int32Array,
 * UTINYINT → Uint8Array).
 */
export function readChunkColumn(chunk: DuckDBDataChunk, c: number, out: TypedColumn, at = 0): void {
  const n = chunk.rowCount;
  const bytes = duckdb.vector_get_data(
    duckdb.data_chunk_get_vector(chunk.chunk, c),
    n * out.BYTES_PER_ELEMENT,
  );
  out.set(new (out.constructor as TypedCtor)(bytes.buffer, bytes.byteOffset, n), at);
}

/** A column a table function hands DuckDB: its values, and a validity bitmask where some rows are NULL. */
export interface ChunkColumn {
  values: TypedColumn;
  /**
   * DuckDB's validity layout: bit `r % 8` of byte `r >> 3` set = row `r` valid (see {@link validityMask}).
   * Leave it out for a column without NULLs.
   */
  valid?: Uint8Array;
}

/**
 * A validity bitmask [⌈n / 8⌉ bytes] for `n` rows: row `r` valid when `isValid(r)`.
 * @example validityMask(lower.length, (r) => !Number.isNaN(lower[r]))
 */
export function validityMask(n: number, isValid: (row: number) => boolean): Uint8Array {
  const mask = new Uint8Array(Math.ceil(n / 8));
  for (let r = 0; r < n; r++) if (isValid(r)) mask[r >> 3]! |= 1 << (r & 7);
  return mask;
}

/**
 * Fill `chunk` (a table function's output, its row count already set to `len`) with rows `at … at + len − 1` of
 * each column, column `c` into vector `c`; `at` must be a multiple of 8 (a whole byte of the validity masks).
 */
export function fillChunk(
  chunk: DuckDBDataChunk,
  columns: readonly ChunkColumn[],
  at: number,
  len: number,
): void {
  columns.forEach(({ values, valid }, c) => {
    const bpe = values.BYTES_PER_ELEMENT;
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, c);
    duckdb.copy_data_to_vector(
      vector,
      0,
      values.buffer as ArrayBuffer,
      values.byteOffset + at * bpe,
      len * bpe,
    );
    if (!valid) return;
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(
      vector,
      0,
      valid.buffer as ArrayBuffer,
      valid.byteOffset + at / 8,
      Math.ceil(len / 8),
    );
  });
}
