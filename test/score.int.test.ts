// Integration: `soilco2 score` on real COSORE sites scores the shipped model directory, its site-calibrated blend and the baselines on the same sites.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestFromSeries } from "../cli/calibrate-action.ts";
import { siteCalibrationSchema } from "../core/calibrate-request.ts";
import { cosorePath } from "../ingest/cosore-path.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { loadDailyDataset } from "../training/dataset.ts";
import type { SetSummary } from "../training/evaluate.ts";
import { makeApp, postJson } from "./serving-fixture.ts";

const run = promisify(execFile);
const SITES = ["d20190617_SCOTT_SRM", "d20200212_KAYE_LNE", "d20190409_ANJILELI", "d20190517_MAURITZ"];
let tmp: string;
let data: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "soilco2-score-"));
  data = join(tmp, "daily");
  await runIngest({ cosore: cosorePath(), out: data, datasets: SITES });
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function score(extra: string[]): Promise<{ md: string; test: SetSummary[] }> {
  const json = join(tmp, `score-${extra.length}.json`);
  const { stdout } = await run(
    process.execPath,
    ["bin/soilco2.js", "score", "models/soilco2-lstm/2", "--data", data, "--json", json, ...extra],
    { timeout: 120_000 },
  );
  return { md: stdout, test: JSON.parse(await readFile(json, "utf8")).test };
}

describe("soilco2 score", () => {
  it("scores the network, its site-calibrated blend and every baseline on the same sites of each set", async () => {
    const { md, test } = await score([]);
    const moist = test.find((s) => s.set === "tsoil_swc")!;
    expect(moist.sites.length).toBeGreaterThanOrEqual(3);
    const names = moist.models.map((m) => m.model);
    expect(names.slice(0, 2)).toEqual(["lstm", "lstm_calibrated"]);
    expect(names).toContain("q10_moisture");
    for (const m of moist.models) {
      expect(m.sites).toBe(moist.sites.length);
      expect(Number.isFinite(m.medianKge)).toBe(true);
    }
    expect(md).toContain(`| LSTM, site-calibrated (soilco2) | ${moist.sites.length} |`);
  }, 180_000);

  it("without reference statistics the network's figures change (requests carry no site history)", async () => {
    const a = (await score([])).test.find((s) => s.set === "all")!.models.find((m) => m.model === "lstm")!;
    const b = (await score(["--without-reference"])).test
      .find((s) => s.set === "all")!
      .models.find((m) => m.model === "lstm")!;
    expect(b.medianNse).not.toBeCloseTo(a.medianNse, 3);
  }, 240_000);
});

describe("soilco2 interval", () => {
  it("writes the network's interval into a model directory's manifest and card (a rerun replaces it), and score reports its coverage", async () => {
    const dir = join(tmp, "models", "soilco2-lstm", "2");
    await cp("models/soilco2-lstm/2", dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    delete manifest.intervals;
    await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
    for (let k = 0; k < 2; k++)
      await run(process.execPath, ["bin/soilco2.js", "interval", dir, "--data", data], { timeout: 120_000 });
    const { intervals } = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    for (const iv of [intervals.withReference, intervals.withoutReference]) {
      expect(iv.lower).toBeLessThan(1);
      expect(iv.upper).toBeGreaterThan(1);
      expect(iv.days).toBeGreaterThanOrEqual(20);
    }
    expect(intervals.fittedOn).toMatch(/validation days/);
    const card = await readFile(join(dir, "MODEL_CARD.md"), "utf8");
    expect(card.match(/## Prediction interval/g)).toHaveLength(1);
    const { stdout } = await run(process.execPath, ["bin/soilco2.js", "score", dir, "--data", data], {
      timeout: 120_000,
    });
    expect(stdout).toMatch(/The network's own 10-90% interval .*: median coverage \d+% of the scored days/);
  }, 240_000);
});

describe("soilco2 score --card", () => {
  it("writes one section per setting into the model card, in words, and a rerun replaces its own section", async () => {
    const dir = join(tmp, "card-model");
    await cp("models/soilco2-lstm/2", dir, { recursive: true });
    // The card as export writes it (the shipped one already carries score sections): they must be added after it.
    const shipped = await readFile(join(dir, "MODEL_CARD.md"), "utf8");
    const cut = shipped.indexOf("<!-- soilco2 score ");
    const before = (cut >= 0 ? shipped.slice(0, cut) : shipped).trimEnd();
    await writeFile(join(dir, "MODEL_CARD.md"), `${before}\n`);
    const score = (extra: string[]) =>
      run(process.execPath, ["bin/soilco2.js", "score", dir, "--data", data, "--card", ...extra], {
        timeout: 120_000,
      });
    await score([]);
    await score(["--without-reference"]);
    await score([]);
    const card = await readFile(join(dir, "MODEL_CARD.md"), "utf8");
    expect(card.startsWith(before.trimEnd())).toBe(true);
    expect(card.match(/## Skill: A site with history/g)).toHaveLength(1);
    expect(card.match(/## Skill: A site never measured/g)).toHaveLength(1);
    expect(card).toContain("| days with soil temperature and moisture |");
    expect(card).toMatch(/\| Q10 × moisture \(per site\) \| -?\d\.\d\d \| -?\d\.\d\d \| \d+ \|/);
    expect(card.slice(before.trimEnd().length)).not.toMatch(/medianKge|goodSites|q10_moisture/);
    expect(card).toContain(`Made by \`soilco2 score ${dir} --data ${data} --without-reference --card\`.`);
    const refused = await score(["--on", "validation"]).catch((e: { stderr: string; code: number }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain("--card");
  }, 360_000);
});

describe("soilco2 calibrate", () => {
  it("writes a valid calibration from an ingest output, and the same one from the equivalent JSON request", async () => {
    const a = join(tmp, "cal-a.json");
    const b = join(tmp, "cal-b.json");
    const common = ["bin/soilco2.js", "calibrate", "--model", "models/soilco2-lstm/2"];
    await run(
      process.execPath,
      [...common, "--data", data, "--site", SITES[0]!, "--to", "2018-01-31", "--out", a],
      {
        timeout: 120_000,
      },
    );
    const cal = siteCalibrationSchema.parse(JSON.parse(await readFile(a, "utf8")));
    expect(cal.site).toBe(SITES[0]);
    expect(cal.model.version).toBe("2"); // the directory number, as soilco2 serve reports it
    expect(cal.period.to <= "2018-01-31").toBe(true);
    expect(cal.blends.moisture).not.toBeNull();
    const { sites } = await loadDailyDataset(data, 1);
    const s = sites.find((x) => x.info.site === SITES[0])!;
    const req = requestFromSeries(
      s,
      ["tsoil_mean", "tsoil_min", "tsoil_max", "swc_mean", "tair_mean", "precip_sum"],
      s.firstDay + 100000,
    );
    req.flux_mean = req.flux_mean.map((v, t) =>
      s.firstDay + t <= Date.parse("2018-01-31") / 864e5 ? v : null,
    );
    const file = join(tmp, "request.json");
    await writeFile(file, JSON.stringify(req));
    await run(process.execPath, [...common, "--request", file, "--out", b], { timeout: 120_000 });
    const other = JSON.parse(await readFile(b, "utf8"));
    expect(other.blends).toEqual(cal.blends);
    expect(other.reference).toEqual(cal.reference);
    // POST /v1/calibrate on soilco2 serve's app gives the same JSON as the CLI
    const { app, models } = await makeApp("models");
    try {
      const r = await postJson(app, "/v1/calibrate", req);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual(other);
    } finally {
      await models.release();
    }
  }, 240_000);
});
