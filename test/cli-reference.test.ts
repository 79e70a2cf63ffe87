// `soilco2 reference` as users run it: a CSV or Parquet of a site's days in, its reference statistics out, equal to
// what training derives for the same days; bad files and values refused with the date named.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { referenceStats } from "../core/reference-stats.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const root = await mkdtemp(join(tmpdir(), "soilco2-ref-"));
afterAll(() => rm(root, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)("node", [join(repo, "bin", "soilco2.js"), ...args], {
      cwd: repo,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Two sites, 200 days from 2021-01-01; site "a" follows a Q10 of 2 around 1.5 µmol m-2 s-1 with moisture. */
const days = Array.from({ length: 200 }, (_, d) => {
  const date = new Date(Date.UTC(2021, 0, 1 + d)).toISOString().slice(0, 10);
  const t = 10 + 8 * Math.sin((2 * Math.PI * d) / 365);
  const w = 0.25 + 0.08 * Math.sin(d * 1.3);
  return {
    date,
    t,
    w,
    flux: d % 9 === 4 ? null : 1.5 * 2 ** ((t - 10) / 10) * Math.exp(-30 * (w - 0.25) ** 2),
  };
});
const csv = join(root, "days.csv");
await writeFile(
  csv,
  [
    "site,date,flux_mean,tsoil_mean,swc_mean",
    ...days.map((r) => `a,${r.date},${r.flux ?? ""},${r.t},${r.w}`),
    ...days.map((r) => `b,${r.date},9.5,${r.t},`),
  ].join("\n"),
);

type Report = { site: string; reference: Record<string, number | null>; days: Record<string, number> };

describe("soilco2 reference", () => {
  it("prints the statistics of one site's period, equal to core's referenceStats on the same days", async () => {
    const r = await run(["reference", csv, "--site", "a", "--from", "2021-02-01", "--to", "2021-06-30"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Report;
    const period = days.filter((d) => d.date >= "2021-02-01" && d.date <= "2021-06-30");
    const direct = referenceStats(
      period.map((d) => d.flux ?? Number.NaN),
      period.map((d) => d.t),
      period.map((d) => d.w),
    );
    for (const [k, v] of Object.entries(out.reference))
      expect(v).toBeCloseTo(direct[k as keyof typeof direct], 6);
    expect(out.days.flux).toBe(period.filter((d) => d.flux !== null).length);
    expect(out.reference.flux_q10).toBeGreaterThan(1.8);
  });

  it("reads Parquet too (ingest's daily.parquet layout)", async () => {
    const pq = join(root, "days.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${pq}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const fromCsv = JSON.parse((await run(["reference", csv, "--site", "b"])).stdout) as Report;
    const r = await run(["reference", pq, "--site", "b"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Report;
    expect(out.reference).toEqual(fromCsv.reference);
    expect(out.reference.flux_ref).toBeCloseTo(9.5, 9);
    expect(out.reference.swc_ref).toBeNull();
  });

  it("names the date of an out-of-range value and exits 1", async () => {
    const bad = join(root, "bad.csv");
    await writeFile(bad, "date,flux_mean,tsoil_mean\n2021-01-01,1.2,5\n2021-01-02,1.4,75\n");
    const r = await run(["reference", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tsoil_mean on 2021-01-02: 75 is above the valid maximum 60 degC/);
  });

  it("refuses a file without flux_mean, a missing file, and a period with no rows", async () => {
    const noFlux = join(root, "noflux.csv");
    await writeFile(noFlux, "date,tsoil_mean\n2021-01-01,5\n");
    expect((await run(["reference", noFlux])).stderr).toMatch(/has no column flux_mean/);
    expect((await run(["reference", join(root, "nope.csv")])).stderr).toMatch(/not found/);
    const empty = await run(["reference", csv, "--site", "zzz"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no rows match/);
  });
});
