/** The DuckDB instance a batch process reads and writes with: bounded memory, spilling to a folder beside the output. */
import { mkdir } from "node:fs/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** An open DuckDB connection and a way to close it. */
export interface BatchDb {
  con: DuckDBConnection;
  /** Another connection to the same database (one per concurrent part). */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/**
 * Open an in-memory DuckDB that holds at most `memoryLimit` and spills sorts to `tempDir`, so an input of any size
 * streams through (the batch path never loads an input whole into JS).
 * @param memoryLimit DuckDB's memory_limit, e.g. `"256MB"`
 */
export async function openBatchDb(tempDir: string, memoryLimit = "256MB", threads = 2): Promise<BatchDb> {
  await mkdir(tempDir, { recursive: true });
  const db = await DuckDBInstance.create(":memory:", {
    memory_limit: memoryLimit,
    threads: String(threads),
    temp_directory: tempDir,
    preserve_insertion_order: "false",
  });
  const con = await db.connect();
  const extra: DuckDBConnection[] = [];
  return {
    con,
    async connect() {
      const c = await db.connect();
      extra.push(c);
      return c;
    },
    close() {
      for (const c of extra) c.closeSync();
      con.closeSync();
      db.closeSync();
    },
  };
}
