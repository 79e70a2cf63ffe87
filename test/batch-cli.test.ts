// `soilco2 predict-batch` as a user runs it: gap-free daily output per site with its flags and metadata, every kind
// of bad row counted per site without stopping the others, bad files as one clear error, and a resumed run that
// keeps finished parts and equals an uninterrupted one.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBatchModel } from "../batch/load-model.ts";
import { outputRow, stackSites } from "../core/batch.ts";
import { ArtefactError } from "../core/errors.ts";
import { staticWidth } from "../core/model-schema.ts";
import { answerSite, planSite } from "../core/predict-site.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import {
  BATCH_TEST_MODEL,
  DRIVER_HEADER,
  driverRows,
  duck,
  type FixtureSite,
  predictBatchArgs,
  readOutput,
  soilco2,
  soilco2Background,
  writeFixture,
} from "./helpers/batch-fixtures.ts";

const MODEL = BATCH_TEST_MODEL;
const tmp = () => mkdtempSync(join(tmpdir(), "soilco2-batch-"));
const manifestOf = (out: string) => JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));

describe("predict-batch on a fixture with every kind of bad row", () => {
  const dir = tmp();
  const out = join(dir, "out");
  let model: Awaited<ReturnType<typeof readModelDir>>;
  let run: ReturnType<typeof soilco2>;
  const sites: FixtureSite[] = [
    // longer than one DuckDB vector (2048 rows), so its part is read and written in several chunks
    { site: "GOOD", start: "2011-03-01", days: 2600, gapEvery: 4 },
    { site: "BADROWS", start: "2012-01-01", days: 120 },
    { site: "CAL", start: "2013-06-01", days: 100 },
    { site: "OTHERMODEL", start: "2013-06-01", days: 50 },
    { site: "BADLAT", start: "2013-06-01", days: 50, latitude: 120 },
    { site: "NOTJSON", start: "2013-06-01", days: 50, calibration: "{not json" },
  ];
  beforeAll(async () => {
    model = await readModelDir(MODEL);
    const cal = (sha256: string) => ({
      format: "soilco2-site-calibration",
      formatVersion: 1,
      site: null,
      period: { from: "2010-01-01", to: "2010-12-31", days: 100, selectionFrom: null },
      model: { name: model.manifest.name, version: model.manifest.version, sha256 },
      reference: {},
      blends: { temperature: null, moisture: null },
      interval: { lower: 0.6, upper: 1.5, days: 20 },
    });
    sites[2]!.calibration = cal(model.sha256);
    sites[3]!.calibration = cal("0".repeat(64));
    // NOTJSON's calibration cell is the string itself, not JSON of it
    const files = writeFixture(dir, sites, [
      "BADROWS,2012-02-30,10,0.2,11,0", // unparseable date
      "BADROWS,not a date,10,0.2,11,0",
      "BADROWS,2012-05-10,75,0.2,11,0", // soil temperature above 60 degC: out of range
      "BADROWS,2012-05-11,12,abc,11,0", // unparseable value
      "BADROWS,2012-01-05,12,0.2,11,0", // a second row for a day already given
      "NOSUCHSITE,2012-01-05,12,0.2,11,0",
      "NOSUCHSITE,2012-01-06,12,0.2,11,0",
    ]);
    writeFileSync(files.sites, readFileSync(files.sites, "utf8").replace('"""{not json"""', '"{not json"'));
    run = soilco2(
      predictBatchArgs(files.drivers, files.sites, out, "--part-site-days", "300", "--sessions", "1"),
    );
  }, 120_000);

  it("exits 0 and reports the bad rows and failed sites", () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wrote \d+ site-days of 3 sites/);
    expect(run.stdout).toContain("OTHERMODEL");
    expect(run.stdout).toContain("BADLAT");
    expect(run.stdout).toContain("NOTJSON: calibration: not JSON");
  });

  it("counts each bad row per site, by kind", () => {
    const m = manifestOf(out);
    expect(m.issues.BADROWS.rows).toEqual({
      bad_date: 2,
      value_out_of_range: 1,
      value_unparseable: 1,
      duplicate_date: 2,
    });
    expect(m.issues.NOSUCHSITE.rows).toEqual({ unknown_site: 2 });
    expect(m.issues.OTHERMODEL.error).toMatch(/calibration/);
    expect(m.issues.BADLAT.error).toMatch(/latitude.*120/);
    expect(m.totals.badRows).toBe(8);
  });

  it("writes every calendar day of each good site, first to last, with coverage flags", async () => {
    const rows = await readOutput(out);
    const good = rows.filter((r) => r[0] === "GOOD");
    expect(good.length).toBe(2600);
    expect(good[0]![1]).toBe("2011-03-01");
    expect(good.at(-1)![1]).toBe("2018-04-12");
    expect(good.filter((r) => !r[7]).length).toBe(Math.floor(2599 / 4));
    expect(good.every((r) => r[7] === r[6] > 0 && !r[5] && r[2] > 0)).toBe(true);
    const bad = rows.filter((r) => r[0] === "BADROWS");
    expect(bad.length).toBe(132); // its rows of 10 and 11 May come after the 120 regular days: the span grows
    expect(bad.at(-1)![1]).toBe("2012-05-11");
    // the duplicated day is dropped whole; the out-of-range soil temperature became a gap, its other drivers kept
    expect(bad.find((r) => r[1] === "2012-01-05")![6]).toBe(0);
    expect(bad.find((r) => r[1] === "2012-05-10")![6]).toBe(3);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(["GOOD", "BADROWS", "CAL"]));
  });

  it("stores each part's rows site by site, day by day (the file's own row order)", async () => {
    const rows = await duck<[string, string, string]>(
      `SELECT filename, site, strftime(date, '%Y-%m-%d') FROM read_parquet('${out}/parts/*.parquet',
         filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
    );
    expect(rows.length).toBeGreaterThan(2700);
    const key = (r: [string, string, string]) => `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
    const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(rows.map(key)).toEqual(sorted.map(key));
  });

  it("gives the calibrated site its calibration's interval, the others the model's own", async () => {
    const rows = await readOutput(out);
    const cal = rows.filter((r) => r[0] === "CAL");
    expect(cal.length).toBe(100);
    for (const r of cal) {
      expect(r[8]).toBe("calibration");
      expect(r[3]).toBeCloseTo(0.6 * r[2], 6);
      expect(r[4]).toBeCloseTo(1.5 * r[2], 6);
    }
    const good = rows.filter((r) => r[0] === "GOOD");
    expect(model.manifest.intervals, "the shipped model carries its own interval").toBeDefined();
    for (const r of good) {
      expect(r[8]).toBe("network");
      expect(r[3]!).toBeLessThan(r[2]);
      expect(r[4]!).toBeGreaterThan(r[2]);
    }
  });

  it("equals core's request path on onnxruntime for a site (≤ 1e-5 relative)", async () => {
    const p = await createOrtPredictor(ort as never, model.modelBytes, { executionProviders: ["cpu"] });
    const lines = driverRows(sites[0]!);
    const first = Date.parse(`${lines[0]!.split(",")[1]}T00:00:00Z`) / 86_400_000;
    const n = sites[0]!.days;
    const drivers: Record<string, (number | null)[]> = {};
    const names = DRIVER_HEADER.split(",").slice(2);
    for (const name of names) drivers[name] = new Array(n).fill(null);
    for (const l of lines) {
      const c = l.split(",");
      const t = Date.parse(`${c[1]}T00:00:00Z`) / 86_400_000 - first;
      names.forEach((name, k) => {
        drivers[name]![t] = Number(c[k + 2]);
      });
    }
    const plan = planSite(
      {
        static: { latitude: 45, elevation: 120, mat: 9, map: 800, igbp: "DBF" },
        start: "2011-03-01",
        drivers,
      },
      model.schema,
      { name: model.manifest.name, version: model.manifest.version, sha256: model.sha256 },
      "site",
    );
    const raw = stackSites([plan.run], model.schema.dynamic.length, staticWidth(model.schema));
    const want = answerSite(plan, outputRow(await p.predict(raw), 0, raw.time), model.schema).efflux;
    await p.release();
    const got = (await readOutput(out)).filter((r) => r[0] === "GOOD").map((r) => r[2]);
    expect(got.length).toBe(n);
    const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!) / Math.abs(want[i]!)));
    expect(worst).toBeLessThan(1e-5);
  });

  it("stamps units, model and citation in every part, and lists each part with rows and checksum", async () => {
    const m = manifestOf(out);
    expect(m.parts.length).toBeGreaterThan(1);
    for (const part of m.parts) {
      const file = join(out, part.file);
      const kv = Object.fromEntries(
        await duck<[string, string]>(`SELECT decode(key), decode(value) FROM parquet_kv_metadata('${file}')`),
      );
      expect(kv["soilco2.model.sha256"]).toBe(model.sha256);
      expect(kv["soilco2.model.version"]).toBe(model.manifest.version);
      expect(kv.citation).toMatch(/COSORE/);
      expect(JSON.parse(kv["soilco2.units"]!).efflux).toBe("umol CO2 m-2 s-1");
      const [[rows]] = (await duck<[number]>(`SELECT count(*)::INTEGER FROM read_parquet('${file}')`)) as [
        [number],
      ];
      expect(rows).toBe(part.rows);
      const { createHash } = await import("node:crypto");
      expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(part.sha256);
    }
  });

  it("a rerun keeps finished parts and redoes a lost one", async () => {
    const m = manifestOf(out);
    const kept = join(out, m.parts[0].file);
    const before = statSync(kept).mtimeMs;
    rmSync(join(out, m.parts[1].file));
    const again = soilco2(
      predictBatchArgs(
        join(dir, "drivers.csv"),
        join(dir, "sites.csv"),
        out,
        "--part-site-days",
        "300",
        "--sessions",
        "1",
      ),
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("resuming");
    expect(statSync(kept).mtimeMs).toBe(before);
    expect(manifestOf(out).totals.rows).toBe(m.totals.rows);
  });

  it("refuses an output directory of another job", () => {
    const r = soilco2(
      predictBatchArgs(join(dir, "drivers.csv"), join(dir, "sites.csv"), out, "--part-site-days", "999"),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("holds a job for other inputs");
  });
});

describe("bad files", () => {
  const dir = tmp();
  const files = writeFixture(dir, [{ site: "A", start: "2010-01-01", days: 20 }]);
  it.each([
    [
      "a missing drivers file",
      ["--drivers", join(dir, "nope.csv"), "--sites", files.sites],
      /--drivers: no file matches/,
    ],
    [
      "a missing sites file",
      ["--drivers", files.drivers, "--sites", join(dir, "nope.parquet")],
      /--sites: no file matches/,
    ],
    [
      "a file neither Parquet nor CSV",
      ["--drivers", join(dir, "drivers.xlsx"), "--sites", files.sites],
      /neither Parquet nor CSV/,
    ],
    [
      "drivers without a date column",
      ["--drivers", join(dir, "nodate.csv"), "--sites", files.sites],
      /has no "date" column/,
    ],
    [
      "an unreadable Parquet file",
      ["--drivers", join(dir, "broken.parquet"), "--sites", files.sites],
      /broken\.parquet/,
    ],
  ])("%s is one clear error with exit 1", (_what, args, message) => {
    writeFileSync(join(dir, "nodate.csv"), "site,day,tsoil_mean\nA,1,2\n");
    writeFileSync(join(dir, "broken.parquet"), "not parquet at all");
    const r = soilco2([
      "predict-batch",
      ...args,
      "--out",
      join(dir, `out-${Math.random()}`),
      "--model",
      MODEL,
      "--no-progress",
    ]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });
});

describe("a value beyond the range of FLOAT", () => {
  it("is one out-of-range row of its site, and the run goes on", () => {
    const dir = tmp();
    const files = writeFixture(
      dir,
      [
        { site: "A", start: "2010-01-01", days: 30 },
        { site: "B", start: "2010-01-01", days: 30 },
      ],
      ["A,2010-01-31,1e300,0.2,11,0"],
    );
    const out = join(dir, "out");
    const r = soilco2(predictBatchArgs(files.drivers, files.sites, out));
    expect(r.status, r.stderr).toBe(0);
    const m = manifestOf(out);
    expect(m.issues.A.rows).toEqual({ value_out_of_range: 1 });
    expect(m.totals.rows).toBe(61);
  });
});

describe("a model other than the job's", () => {
  it("is refused by sha256, naming both and what to do", async () => {
    const err = await loadBatchModel(MODEL, 1, { expectSha256: "f".repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect(String((err as Error).message)).toMatch(
      /model\.onnx has sha256 [0-9a-f]{12}…, the job was planned with f{12}…/,
    );
    expect(String((err as Error).message)).toMatch(/same model directory as the job/);
  });
});

describe("soilco2 worker --model", () => {
  it("a --queue that is not redis:// stops the worker at once with one clear error, the model not opened", () => {
    const r = soilco2(["worker", "--queue", "http://127.0.0.1:1", "--model", MODEL]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--queue: "http:\/\/127\.0\.0\.1:1" is not a redis:\/\/ URL/);
    expect(r.stderr).not.toMatch(/loaded soilco2-lstm/);
    expect(r.stderr.trim().split("\n").length).toBe(1);
  });

  it("a directory without a model stops the worker at start with one clear error, before it reaches the queue", () => {
    const dir = tmp();
    // nothing listens on port 1: a worker that went on to the queue would wait for Redis instead of exiting
    const r = soilco2(["worker", "--queue", "redis://127.0.0.1:1", "--model", dir]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(dir);
    expect(r.stderr).toMatch(/holds no model/);
    expect(r.stderr.trim().split("\n").length).toBe(1);
  });
});

describe("a run killed with SIGKILL mid-run", () => {
  it("resumes, losing at most the parts in flight, and equals an uninterrupted run", async () => {
    const dir = tmp();
    const sites = Array.from({ length: 60 }, (_, i) => ({
      site: `S${String(i).padStart(2, "0")}`,
      start: "2005-01-01",
      days: 1400 + i * 10,
      gapEvery: 5,
    }));
    const files = writeFixture(dir, sites);
    await duck(
      `COPY (SELECT * FROM read_csv('${files.drivers}')) TO '${dir}/drivers-a.parquet' (FORMAT parquet)`,
    );
    rmSync(files.drivers);
    const args = (out: string) =>
      predictBatchArgs(`${dir}/*.parquet`, files.sites, out, "--part-site-days", "3000", "--sessions", "1");
    const whole = soilco2(args(join(dir, "whole")));
    expect(whole.status, whole.stderr).toBe(0);
    const out = join(dir, "killed");
    const bg = soilco2Background(args(out));
    const deadline = Date.now() + 60_000;
    const firstSidecar = join(out, "parts/chunk-00000.json");
    while (!existsSync(firstSidecar) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    bg.child.kill("SIGKILL");
    await bg.exited;
    const parts = JSON.parse(readFileSync(join(out, "job.json"), "utf8")).parts.length;
    const done = [...Array(parts).keys()].filter((i) =>
      existsSync(join(out, `parts/chunk-${String(i).padStart(5, "0")}.json`)),
    ).length;
    expect(done, "the kill came after a part and before the run ended").toBeGreaterThan(0);
    expect(done).toBeLessThan(parts);
    const resumed = soilco2(args(out));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(await readOutput(out)).toEqual(await readOutput(join(dir, "whole")));
  }, 180_000);
});
