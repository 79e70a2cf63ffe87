// Bad input never loses the rest: broken datasets are reported by name, a broken release is a typed error, writes are atomic.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtefactError } from "../core/errors.ts";
import { type IngestSummary, runIngest } from "../ingest/run-ingest.ts";
import {
  cleanup,
  type MiniDataset,
  readRows,
  tempDir,
  timestamps,
  writeMiniRelease,
} from "./helpers/mini-release.ts";

const FLUX = ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_FLUX_CO2", "CSR_T5"];
const good = (id: string, extra: Partial<MiniDataset> = {}): MiniDataset => ({
  id,
  columns: FLUX,
  rows: timestamps("2020-01-01 00:00:00", 3000, 30).map((t, i) => [1, t, 2 + (i % 7) / 10, 10 + (i % 3)]),
  ...extra,
});

const created: string[] = [];
afterAll(() => cleanup(...created));
const release = (datasets: MiniDataset[]) => {
  const dir = writeMiniRelease(datasets);
  created.push(dir);
  return dir;
};
const outDir = () => {
  const dir = tempDir();
  created.push(dir);
  return join(dir, "out");
};

describe("bad datasets are reported, the others go on", () => {
  let summary: IngestSummary;
  let dir: string;
  beforeAll(async () => {
    dir = release([
      good("dGood"),
      good("dTrunc"),
      { id: "dMissing" },
      good("dTz", { timezone: "Mars/Olympus" }),
      good("dOrphan", { noDescription: true }),
      {
        id: "dNoFlux",
        columns: ["CSR_PORT", "CSR_TIMESTAMP_BEGIN", "CSR_T5"],
        rows: [[1, "2020-01-01 00:00:00", 5]],
      },
      good("dQuote", {
        plainCsv: true,
        rows: timestamps("2020-01-01 00:00:00", 240, 30).map((t) => [1, t, 2, 10]),
        tail: '1,"2020-01-06 00:00:00,2,10\n1,2020-01-06 00:30:00,2,10\n',
      }),
    ]);
    const gz = join(dir, "datasets", "data_dTrunc.csv.gz");
    truncateSync(gz, Math.floor(statSync(gz).size / 2));
    writeFileSync(join(dir, "datasets", "data_dEmpty.csv"), "");
    writeFileSync(
      join(dir, "description.csv"),
      `${readFileSync(join(dir, "description.csv"), "utf8")}"dEmpty","x","1","1","1","UTC","Grassland",""\n`,
    );
    summary = await runIngest({ cosore: dir, out: outDir() });
  });
  const reason = (id: string) => summary.datasets.find((d) => d.dataset === id)?.reason;

  it("keeps the good datasets", () => {
    const kept = summary.datasets.filter((d) => d.status === "kept").map((d) => d.dataset);
    expect(kept).toEqual(["dGood", "dQuote"]);
    expect(summary.report.totals.datasets_considered).toBe(8);
    expect(summary.report.totals.datasets_failed).toBe(0);
  });

  it("reports a truncated gzip, a missing or empty data file, a bad time zone, missing metadata and columns", () => {
    expect(reason("dTrunc")?.rule).toBe("unreadable_file");
    expect(reason("dTrunc")?.message).toMatch(/gzip/);
    expect(reason("dMissing")?.rule).toBe("missing_file");
    expect(reason("dEmpty")?.rule).toBe("unreadable_file");
    expect(reason("dTz")?.rule).toBe("bad_timezone");
    expect(reason("dTz")?.message).toContain("Mars/Olympus");
    expect(reason("dOrphan")?.rule).toBe("missing_metadata");
    expect(reason("dNoFlux")?.rule).toBe("missing_column");
  });

  it("counts an unterminated quote as malformed and keeps the rows before it", () => {
    const q = summary.datasets.find((d) => d.dataset === "dQuote");
    expect(q?.rule_counts.malformed_row).toBe(2);
    expect(q?.rows.read).toBe(240);
    expect(q?.days.flux_days).toBe(5);
  });

  it("ingests only the datasets asked for, reporting unknown ids", async () => {
    const s = await runIngest({ cosore: dir, out: outDir(), datasets: ["dGood", "dNope"] });
    expect(s.datasets.map((d) => [d.dataset, d.status, d.reason?.rule ?? null])).toEqual([
      ["dGood", "kept", null],
      ["dNope", "skipped", "missing_metadata"],
    ]);
  });
});

describe("a broken release is a typed error", () => {
  const fails = async (cosore: string, pattern: RegExp) => {
    const err = await runIngest({ cosore, out: outDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect((err as ArtefactError).code).toBe("artefact_invalid");
    expect((err as Error).message).toMatch(pattern);
    expect((err as ArtefactError).hint).toMatch(/--cosore/);
  };

  it("for a missing folder, an empty folder, missing description.csv or ports.csv, no data file", async () => {
    const empty = tempDir("soilco2-empty-");
    created.push(empty);
    await fails(join(empty, "nope"), /release folder not found/);
    await fails(empty, /description\.csv: missing/);
    const noPorts = release([good("dA")]);
    rmSync(join(noPorts, "ports.csv"));
    await fails(noPorts, /ports\.csv: missing/);
    const noData = release([{ id: "dA" }]);
    await fails(noData, /release is empty/);
  });
});

describe("output folder", () => {
  it("refuses a non-empty --out without force, replaces files with force, leaves no temp files", async () => {
    const dir = release([good("dA"), good("dB")]);
    const out = outDir();
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "keep.txt"), "mine");
    const err = await runIngest({ cosore: dir, out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect((err as Error).message).toMatch(/not empty.*--force/);
    expect(readdirSync(out)).toEqual(["keep.txt"]);

    await runIngest({ cosore: dir, out, force: true });
    const sites = () => readRows(join(out, "daily.parquet"), "SELECT DISTINCT site FROM t ORDER BY site");
    expect(await sites()).toEqual([{ site: "dA" }, { site: "dB" }]);
    expect(readdirSync(join(out, "reports")).sort()).toEqual(["dA.json", "dB.json"]);
    await runIngest({ cosore: dir, out, force: true, datasets: ["dA"] });
    expect(readdirSync(join(out, "reports"))).toEqual(["dA.json"]);
    expect(await sites()).toEqual([{ site: "dA" }]);
    expect(readdirSync(out).sort()).toEqual([
      "daily.parquet",
      "ingest-report.json",
      "keep.txt",
      "reports",
      "sites.parquet",
    ]);
    const report = JSON.parse(readFileSync(join(out, "ingest-report.json"), "utf8"));
    expect(report.totals.datasets_kept).toBe(1);
  });
});
