/**
 * Typed-array columns in and out of DuckDB data chunks through the C API's vector memory (@duckdb/node-bindings).
 * Written by hand because node-api's own column access goes value by value (`getItem`/`setItem`, a boxed number
 * each), which CPU profiles of `soilco2 predict-batch` showed as the largest part of its main thread's time.
 * Only fixed-width columns without NULLs: staging writes NaN for a gap (batch/stage-input.ts), and the part writer's
 * SQL turns NaN back into NULL (`CASE WHEN isnan(…)`).
 */

import type { DuckDBDataChunk } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";

/** A fixed-width column as JS holds it: DOUBLE, FLOAT, INTEGER or UTINYINT values. */
export type TypedColumn = Float64Array | Float32Array | Int32Array | Uint8Array;

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

/**
 * Fill `chunk` (a table function's output, its row count already set to `len`) with rows `at … at + len − 1` of
 * each column (all values valid), column `c` into vector `c`.
 */
export function fillChunk(
  chunk: DuckDBDataChunk,
  columns: readonly TypedColumn[],
  at: number,
  len: number,
): void {
  columns.forEach((col, c) => {
    const bpe = col.BYTES_PER_ELEMENT;
    duckdb.copy_data_to_vector(
      duckdb.data_chunk_get_vector(chunk.chunk, c),
      0,
      col.buffer as ArrayBuffer,
      col.byteOffset + at * bpe,
      len * bpe,
    );
  });
}
