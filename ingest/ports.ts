/** Which ports (chambers) measure control soil respiration: ports.csv rows with CSR_MSMT_VAR = Rs and CSR_TREATMENT = None. */
import type { DuckDBConnection } from "@duckdb/node-api";
import { ArtefactError } from "../core/errors.ts";
import { exec, queryRows, sqlIdent, sqlString } from "./sql.ts";

/** Name of the table {@link loadPorts} creates: one row per dataset and numeric port. */
export const PORTS_TABLE = "release_ports";

const NEEDED = ["CSR_DATASET", "CSR_PORT", "CSR_MSMT_VAR", "CSR_TREATMENT"];

/**
 * Load ports.csv into {@link PORTS_TABLE}(dataset, port DOUBLE, is_control, label). Ports are compared as
 * numbers ("0601" = 601); port 0 means all ports. A port listed twice is control only if every listing says so.
 * Treatment "None" is matched case-insensitively after trimming; an empty treatment is not control.
 */
export async function loadPorts(con: DuckDBConnection, file: string): Promise<void> {
  let cols: string[];
  try {
    const rows = await queryRows(
      con,
      `DESCRIBE SELECT * FROM read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NA', ''])`,
    );
    cols = rows.map((r) => String(r.column_name));
  } catch (err) {
    throw new ArtefactError(file, "cannot be read as CSV", "check the release files", { cause: err });
  }
  const missing = NEEDED.filter((c) => !cols.includes(c));
  if (missing.length > 0)
    throw new ArtefactError(
      file,
      `missing column(s) ${missing.join(", ")}`,
      "use ports.csv of a COSORE release",
    );
  await exec(
    con,
    `CREATE OR REPLACE TABLE ${PORTS_TABLE} AS
     SELECT dataset, port, bool_and(is_control) AS is_control,
            string_agg(DISTINCT label, '; ' ORDER BY label) AS label
     FROM (
       SELECT trim(CSR_DATASET) AS dataset, try_cast(trim(CSR_PORT) AS DOUBLE) AS port,
              coalesce(trim(CSR_MSMT_VAR) = 'Rs' AND lower(trim(CSR_TREATMENT)) = 'none', false) AS is_control,
              coalesce(trim(CSR_MSMT_VAR), '?') || '/' || coalesce(trim(CSR_TREATMENT), '?') AS label
       FROM read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NA', '']))
     WHERE dataset IS NOT NULL AND port IS NOT NULL
     GROUP BY dataset, port`,
  );
}

/**
 * Create `target(port DOUBLE, is_control BOOLEAN, label VARCHAR)` for the distinct ports that `portsSql`
 * (a SELECT with one DOUBLE column `port`) yields:
 * the ports.csv row for that port if there is one, else the dataset's port-0 row, else not control
 * (label "not in ports.csv"). A NULL data port (missing or non-numeric CSR_PORT) can only match port 0.
 */
export async function createPortClassTable(
  con: DuckDBConnection,
  target: string,
  portsSql: string,
  dataset: string,
): Promise<void> {
  const ds = sqlString(dataset);
  await exec(
    con,
    `CREATE TABLE ${sqlIdent(target)} AS
     SELECT d.port,
            CASE WHEN p1.port IS NOT NULL THEN p1.is_control WHEN p0.port IS NOT NULL THEN p0.is_control
                 ELSE false END AS is_control,
            CASE WHEN p1.port IS NOT NULL THEN p1.label WHEN p0.port IS NOT NULL THEN p0.label
                 ELSE 'not in ports.csv' END AS label
     FROM (SELECT DISTINCT port FROM (${portsSql})) d
     LEFT JOIN ${PORTS_TABLE} p1 ON p1.dataset = ${ds} AND p1.port = d.port
     LEFT JOIN ${PORTS_TABLE} p0 ON p0.dataset = ${ds} AND p0.port = 0`,
  );
}
