// Model versions isolated over HTTP: numbered directories, golden sets at load, bad versions reported alone, dead worker threads.
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtefactError } from "../core/errors.ts";
import { exportRun } from "../export/export-run.ts";
import { defaultModelDir } from "../model/node/model-dirs.ts";
import { nodeSha256, readModelDir } from "../model/node/read-model.ts";
import { decodeModel, encodeModel } from "../model/onnx-codec.ts";
import { createApp } from "../serving/app.ts";
import { type LoadedModels, loadModels } from "../serving/node/load-models.ts";
import { createPromMetrics } from "../serving/node/prom-metrics.ts";
import { createWorkerPredictor } from "../serving/node/worker-predictor.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { demoSite, postJson } from "./serving-fixture.ts";

let root: string;
let runDir: string;
const lstm = () => join(root, "models", "soilco2-lstm");

/** Rewrite model.onnx with `edit` and put its new sha256 and size into manifest.json, as a careless tool would. */
async function tamper(dir: string, edit: (m: ReturnType<typeof decodeModel>) => void): Promise<void> {
  const model = decodeModel(new Uint8Array(await readFile(join(dir, "model.onnx"))));
  edit(model);
  const bytes = encodeModel(model);
  await writeFile(join(dir, "model.onnx"), bytes);
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  manifest.model.sha256 = await nodeSha256(bytes);
  manifest.model.bytes = bytes.byteLength;
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "soilco2-versions-"));
  runDir = join(root, "run");
  await writeSyntheticRun(runDir, { hidden: 8, seed: 11 });
  // Directory 10 is the newest, although its manifest string sorts before directory 2's.
  await exportRun({ runDir, outDir: join(lstm(), "2"), version: "0.2.0" });
  await exportRun({ runDir, outDir: join(lstm(), "10"), version: "0.1.0" });
  // 3: weights changed after export, sha256 recomputed; 4: no manifest; 5: a graph onnxruntime cannot run.
  await cp(join(lstm(), "2"), join(lstm(), "3"), { recursive: true });
  await tamper(join(lstm(), "3"), (m) => {
    const w = [...m.graph!.initializer!].sort(
      (a, b) => (b.raw_data?.length ?? 0) - (a.raw_data?.length ?? 0),
    )[0]!;
    const f = new Float32Array(w.raw_data!.slice().buffer);
    for (let i = 0; i < f.length; i++) f[i] = f[i]! * 1.5 + 0.01;
    w.raw_data = new Uint8Array(f.buffer);
  });
  await mkdir(join(lstm(), "4"));
  await cp(join(lstm(), "2", "model.onnx"), join(lstm(), "4", "model.onnx"));
  await cp(join(lstm(), "2"), join(lstm(), "5"), { recursive: true });
  await tamper(join(lstm(), "5"), (m) => {
    m.graph!.node![0]!.op_type = "NoSuchOperator";
  });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("one bad version among good ones", () => {
  let models: LoadedModels;
  const lines: string[] = [];
  beforeAll(async () => {
    models = await loadModels(join(root, "models"), { provider: "cpu", log: (l) => lines.push(l) });
  }, 120_000);
  afterAll(() => models.release());

  it("serves the good versions and logs each bad one with its path and why", () => {
    expect(models.entries.map((e) => e.version)).toEqual(["2", "10"]);
    expect(models.failures.map((f) => f.version)).toEqual(["3", "4", "5"]);
    const log = lines.join("\n");
    expect(log).toMatch(new RegExp(`warning: .*version 3 in ${join(lstm(), "3")} .*golden test_data_set_0`));
    expect(log).toMatch(new RegExp(`warning: .*version 4 in ${join(lstm(), "4")} .*no manifest\\.json`));
    expect(log).toMatch(new RegExp(`warning: .*version 5 in ${join(lstm(), "5")} .*NoSuchOperator`));
    expect(models.failures.find((f) => f.version === "5")!.reason).toContain(join(lstm(), "5"));
  });

  it("weights changed with a recomputed sha256 fail their golden sets and do not serve", async () => {
    const app = createApp({ registry: models.registry });
    const r = await app.request("/v2/models/soilco2-lstm/versions/3/ready");
    expect(r.status).toBe(503);
    const body = (await r.json()) as { ready: boolean; reason: string };
    expect(body.ready).toBe(false);
    expect(body.reason).toMatch(/golden test_data_set_0 does not match/);
    const p = await postJson(app, "/v1/predict", { version: "3", sites: [demoSite(30)] });
    expect(p.status).toBe(503);
    expect(JSON.stringify(await p.json())).toContain(join(lstm(), "3"));
    const infer = await postJson(app, "/v2/models/soilco2-lstm/versions/3/infer", { inputs: [] });
    expect(infer.status).toBe(503);
  });

  it("each bad version is not ready on its own route while the server and the others are ready", async () => {
    const app = createApp({ registry: models.registry });
    expect((await app.request("/v2/health/ready")).status).toBe(200);
    for (const v of ["2", "10"])
      expect((await app.request(`/v2/models/soilco2-lstm/versions/${v}/ready`)).status).toBe(200);
    for (const v of ["3", "4", "5"])
      expect((await app.request(`/v2/models/soilco2-lstm/versions/${v}/ready`)).status).toBe(503);
    expect((await app.request("/v2/models/soilco2-lstm/ready")).status).toBe(200);
    expect((await app.request("/v2/models/soilco2-lstm/versions/7/ready")).status).toBe(404);
  });

  it("numbered directories are the versions (Triton's layout); the manifest string is metadata", async () => {
    const app = createApp({ registry: models.registry });
    const m = (await (await app.request("/v2/models/soilco2-lstm/versions/10")).json()) as {
      versions: string[];
      parameters: { version: string; manifest_version: string };
    };
    expect(m.versions).toEqual(["2", "3", "4", "5", "10"]);
    expect(m.parameters).toMatchObject({ version: "10", manifest_version: "0.1.0" });
    const latest = (await (await app.request("/v2/models/soilco2-lstm")).json()) as typeof m;
    expect(latest.parameters.version).toBe("10");
    const r = await postJson(app, "/v1/predict", { sites: [demoSite(30)] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { model: { version: string } }).model.version).toBe("10");
    const byString = await postJson(app, "/v1/predict", { version: "0.2.0", sites: [demoSite(30)] });
    expect(((await byString.json()) as { model: { version: string } }).model.version).toBe("2");
  });

  it("the demo and build:edge pick the highest numbered directory too", async () => {
    expect(await defaultModelDir(join(root, "models"))).toBe(join(lstm(), "10"));
  });
});

describe("duplicate versions", () => {
  it("two directories claiming one version: a one-line start-up error naming both", async () => {
    const dup = join(root, "dup");
    await cp(join(lstm(), "2"), join(dup, "a", "1"), { recursive: true });
    await cp(join(lstm(), "10"), join(dup, "b", "1"), { recursive: true });
    const err = await loadModels(dup, { provider: "cpu" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect((err as Error).message).toContain(join(dup, "a", "1"));
    expect((err as Error).message).toContain(join(dup, "b", "1"));
    const cli = spawnSync(process.execPath, ["bin/soilco2.js", "serve", "--models", dup, "--port", "0"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(cli.status).toBe(1);
    const stderr = cli.stderr.split("\n").filter((l) => l.trim() && !/^npm warn/.test(l));
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /soilco2: .*a\/1.*version 1, like .*b\/1|soilco2: .*b\/1.*version 1, like .*a\/1/,
    );
    expect(cli.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});

describe("a dead inference thread", () => {
  it("makes readiness 503 at once, is restarted and verified, then serves again", async () => {
    const lines: string[] = [];
    const metrics = createPromMetrics({ defaultMetrics: false });
    const models = await loadModels(join(lstm(), "2"), {
      provider: "cpu",
      metrics,
      log: (l) => lines.push(l),
    });
    const state = async () =>
      /soilco2_model_state\{model="soilco2-lstm",version="2",state="(\w+)"\} 1/.exec(
        (await metrics.render()).body,
      )?.[1];
    try {
      const app = createApp({ registry: models.registry });
      expect((await app.request("/v2/health/ready")).status).toBe(200);
      await models.health[0]!.sessions[0]!.kill();
      expect((await app.request("/v2/health/ready")).status).toBe(503);
      expect((await app.request("/v2/models/soilco2-lstm/ready")).status).toBe(503);
      expect(await state()).toBe("loading");
      const during = await postJson(app, "/v1/predict", { sites: [demoSite(30)] });
      expect(during.status).toBe(503);
      const until = Date.now() + 30_000;
      while ((await app.request("/v2/health/ready")).status !== 200 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      expect((await app.request("/v2/health/ready")).status).toBe(200);
      expect(models.health[0]!.restarts()).toBe(1);
      expect(await state()).toBe("ready");
      expect(lines.join("\n")).toMatch(/exited .*restarting the inference thread/);
      expect((await postJson(app, "/v1/predict", { sites: [demoSite(30)] })).status).toBe(200);
    } finally {
      await models.release();
    }
  }, 60_000);
});

describe("the inference thread supervisor", () => {
  it("keeps a restarted thread out of service until it passes verification, retrying", async () => {
    const { modelBytes } = await readModelDir(join(lstm(), "2"));
    let verifications = 0;
    const lines: string[] = [];
    const w = await createWorkerPredictor(
      modelBytes,
      "cpu",
      { intraOpNumThreads: 1 },
      {
        restartDelayMs: 20,
        log: (l) => lines.push(l),
        verify: async () => {
          verifications++;
          if (verifications === 2) throw new Error("golden test_data_set_0 does not match");
        },
      },
    );
    try {
      await w.health.kill();
      expect(w.health.alive()).toBe(false);
      const until = Date.now() + 30_000;
      while (!w.health.alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(w.health.alive()).toBe(true);
      expect(verifications).toBe(3);
      expect(w.health.restarts()).toBe(1);
      expect(lines.join("\n")).toMatch(/restart failed: golden test_data_set_0 does not match; retrying/);
    } finally {
      await w.predictor.release();
    }
  }, 60_000);
});
