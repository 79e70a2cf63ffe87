// `soilco2 ingest` as users run it: node bin/soilco2.js ingest ..., exit codes, outputs, terminal summary.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../ingest/cosore-path.ts";
import { cleanup, tempDir, timestamps, writeMiniRelease } from "./helpers/mini-release.ts";

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, "bin", "soilco2.js"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });

let release: string;
let work: string;
beforeAll(() => {
  release = writeMiniRelease([
    {
      id: "dA",
      columns: ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2", "CSR_T5"],
      rows: timestamps("2020-01-01 00:00:00", 96, 60).map((t) => [1, t, 2, 10]),
    },
    { id: "dMissing" },
  ]);
  work = tempDir();
});
afterAll(() => cleanup(release, work));

describe("soilco2 ingest (CLI)", () => {
  it("prints its help", () => {
    const r = cli("ingest", "--help");
    expect(r.status).toBe(0);
    for (const flag of [
      "--cosore",
      "--out",
      "--datasets",
      "--external-drivers",
      "--drivers-mode",
      "--force",
      "--quiet",
    ])
      expect(r.stdout).toContain(flag);
  });

  it("ingests a release, prints the per-dataset table and totals, and exits 0", () => {
    const out = join(work, "out");
    const r = cli("ingest", "--cosore", release, "--out", out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dataset\s+status\s+days\s+flux days/m);
    expect(r.stdout).toMatch(/^dA\s+kept\s+4\s+4\s+T5/m);
    expect(r.stdout).toMatch(/^dMissing\s+skipped.*missing_file/m);
    expect(r.stdout).toContain("1 of 2 datasets kept (1 skipped, 0 failed)");
    expect(r.stderr).not.toContain("ingest ["); // no progress bar when stderr is not a TTY
    for (const f of [
      "daily.parquet",
      "sites.parquet",
      "ingest-report.json",
      "reports/dA.json",
      "reports/dMissing.json",
    ])
      expect(existsSync(join(out, f))).toBe(true);
  });

  it("refuses a non-empty --out (exit 1) unless --force; --quiet prints the totals only", () => {
    const out = join(work, "out2");
    expect(cli("ingest", "--cosore", release, "--out", out, "--quiet").status).toBe(0);
    const again = cli("ingest", "--cosore", release, "--out", out, "--quiet");
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty.*--force/);
    const forced = cli("ingest", "--cosore", release, "--out", out, "--quiet", "--force", "--datasets", "dA");
    expect(forced.status).toBe(0);
    expect(forced.stdout).not.toContain("status");
    expect(forced.stdout).toContain("1 of 1 datasets kept");
    expect(JSON.parse(readFileSync(join(out, "ingest-report.json"), "utf8")).options.datasets).toEqual([
      "dA",
    ]);
  });

  it("exits 1 with a hint for a missing release folder", () => {
    const r = cli("ingest", "--cosore", join(work, "nowhere"), "--out", join(work, "out3"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/release folder not found.*--cosore/);
  });

  it("rejects an unknown --drivers-mode", () => {
    const r = cli("ingest", "--cosore", release, "--out", join(work, "out4"), "--drivers-mode", "mix");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("--drivers-mode");
  });
});
