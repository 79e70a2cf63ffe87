// Seed ensembles: the run layout, the mean in tfjs, and one ONNX graph whose output is the mean of its members'.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { ensembleMean } from "../core/ensemble.ts";
import { staticWidth } from "../core/model-schema.ts";
import { seededRng } from "../core/random.ts";
import { exportRun } from "../export/export-run.ts";
import { randomInput } from "../export/random-windows.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { decodeModel } from "../model/onnx-codec.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { parseTrainConfig } from "../training/config.ts";
import { ensembleSeries } from "../training/predict.ts";
import { memberDirs, readRunArtefacts } from "../training/run-dir.ts";
import { memberConfig } from "../training/run-train.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-ensemble-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("run layout", () => {
  it("a single network lives in the fold directory, ensemble members in members/member-<k>", () => {
    expect(memberDirs("/r", 1)).toEqual(["/r"]);
    expect(memberDirs("/r", 3)).toEqual([
      "/r/members/member-0",
      "/r/members/member-1",
      "/r/members/member-2",
    ]);
  });
  it("member k trains with seed + k and otherwise the run's config", () => {
    const c = parseTrainConfig({ data: { dir: "d" }, train: { seed: 5, members: 3 } });
    expect([0, 1, 2].map((k) => memberConfig(c, k).train.seed)).toEqual([5, 6, 7]);
    expect(memberConfig(c, 2).model).toEqual(c.model);
  });
  it("config refuses an ensemble of 0 or of more than 10", () => {
    expect(() => parseTrainConfig({ data: { dir: "d" }, train: { members: 0 } })).toThrow(/members/);
    expect(() => parseTrainConfig({ data: { dir: "d" }, train: { members: 11 } })).toThrow(/members/);
  });
});

describe("ensemble mean", () => {
  it("averages equally long outputs element by element; one member is returned as it is", () => {
    const a = Float32Array.of(1, 2, 3);
    expect(Array.from(ensembleMean([a, Float32Array.of(3, 4, 8)]))).toEqual([2, 3, 5.5]);
    expect(ensembleMean([a])).toBe(a);
    expect(() => ensembleMean([])).toThrow(/at least one/);
    expect(() => ensembleMean([a, Float32Array.of(1)])).toThrow(/length/);
  });
  it("averages the members' series per site", () => {
    const a = [Float32Array.of(1, 2, 3), Float32Array.of(4)];
    const b = [Float32Array.of(3, 4, 5), Float32Array.of(0)];
    expect(ensembleSeries([a, b]).map((s) => Array.from(s))).toEqual([[2, 3, 4], [2]]);
  });
});

describe("exported ensemble", () => {
  it("is one graph whose efflux is the mean of the members exported one by one", async () => {
    const hidden = 8;
    const ens = join(root, "run-ens");
    await writeSyntheticRun(ens, { hidden, seed: 21, config: { train: { members: 2 } } });
    for (const k of [0, 1]) await writeSyntheticRun(join(root, `run-${k}`), { hidden, seed: 21 + k });
    expect(existsSync(join(ens, "members/member-1/model/model.json"))).toBe(true);
    expect((await readRunArtefacts(ens)).members).toHaveLength(2);

    const dirs = ["ens", "0", "1"].map((n) => join(root, `model-${n}`));
    await exportRun({ runDir: ens, outDir: dirs[0]! });
    for (const k of [0, 1]) await exportRun({ runDir: join(root, `run-${k}`), outDir: dirs[k + 1]! });

    const models = await Promise.all(dirs.map(readModelDir));
    const graph = decodeModel(models[0]!.modelBytes).graph!;
    expect(graph.node!.filter((n) => n.op_type === "LSTM")).toHaveLength(2);
    expect(graph.node!.at(-1)!.op_type).toBe("Mean");
    expect(decodeModel(models[0]!.modelBytes).doc_string).toMatch(/seed ensemble of 2 LSTMs/);
    expect(readFileSync(join(dirs[0]!, "MODEL_CARD.md"), "utf8")).toMatch(/seed ensemble of 2/);

    const schema = models[0]!.schema;
    const x = randomInput(schema, { batch: 3, time: 40, gapRate: 0.1 }, seededRng(5));
    const input = { ...x, dynamicCols: schema.dynamic.length, staticCols: staticWidth(schema) };
    const outs: Float32Array[] = [];
    for (const m of models) {
      const p = await createOrtPredictor(ortNode, m.modelBytes);
      outs.push(await p.predict(input));
      await p.release();
    }
    const [e, a, b] = outs as [Float32Array, Float32Array, Float32Array];
    let maxDiff = 0;
    let spread = 0;
    for (let i = 0; i < e.length; i++) {
      const mean = (a[i]! + b[i]!) / 2;
      maxDiff = Math.max(maxDiff, Math.abs(e[i]! - mean) / Math.max(1, Math.abs(mean)));
      spread = Math.max(spread, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(mean)));
    }
    expect(maxDiff).toBeLessThan(1e-5); // relative (the parity tolerance)
    expect(spread).toBeGreaterThan(1e-2); // the members differ, so the mean is not one of them
  });

  it("export refuses a site cross-validation run, saying which run to export", async () => {
    const cv = join(root, "run-cv");
    await writeSyntheticRun(cv, { hidden: 4, config: { split: { kind: "site-cv" } } });
    await expect(exportRun({ runDir: cv, outDir: join(root, "model-cv") })).rejects.toThrow(/temporal/);
  });
});
