// The model directory: structure on onnxruntime-node ('all' optimisations), opset/IR, the reader and its refusals,
// atomic publishing, refusal of incomplete runs, golden inputs from the run, and the model card.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtefactError, SchemaError } from "../core/errors.ts";
import { type ExportResult, exportRun } from "../export/export-run.ts";
import { renderMetrics } from "../export/model-card.ts";
import { checkModel, webSha256 } from "../model/check-model.ts";
import { IR_VERSION, OPSET_VERSION } from "../model/graph-contract.ts";
import { readGoldenSets } from "../model/node/golden-files.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { decodeModel } from "../model/onnx-codec.ts";
import { readRunArtefacts } from "../training/run-dir.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-modeldir-"));
afterAll(() => rm(root, { recursive: true, force: true }));
const runDir = join(root, "run");
const modelDir = join(root, "models", "m");
let result: ExportResult;

beforeAll(async () => {
  await writeSyntheticRun(runDir, { hidden: 8, seed: 5 });
  result = await exportRun({ runDir, outDir: modelDir, version: "1.0.0-test" });
});

describe("the exported model", () => {
  it("writes model.onnx, manifest.json, MODEL_CARD.md and test_data_set_N/ quickly", async () => {
    const names = await readdir(modelDir);
    expect(names).toEqual(
      expect.arrayContaining(["model.onnx", "manifest.json", "MODEL_CARD.md", "test_data_set_0"]),
    );
    expect(result.files.find((f) => f.path === "model.onnx")!.bytes).toBeGreaterThan(1000);
    expect(result.seconds).toBeLessThan(10); // target 5 s; generous here for loaded CI machines
    expect(await readdir(join(root, "models"))).toEqual(["m"]); // no temporary directory left behind
  });

  it("loads on onnxruntime-node with graph optimisation 'all', with the declared inputs and output", async () => {
    const s = await ort.InferenceSession.create(join(modelDir, "model.onnx"), {
      graphOptimizationLevel: "all",
    });
    expect(s.inputNames).toEqual(["dynamic", "static"]);
    expect(s.outputNames).toEqual(["efflux"]);
    await s.release();
  });

  it("declares IR 8 / opset 17, one LSTM node with sigmoid gates, symbolic batch and time axes", async () => {
    const m = decodeModel(new Uint8Array(await readFile(join(modelDir, "model.onnx"))));
    expect([IR_VERSION, OPSET_VERSION]).toEqual([8, 17]);
    expect(m.ir_version).toBe(IR_VERSION);
    expect(m.opset_import).toEqual([{ domain: "", version: OPSET_VERSION }]);
    const lstms = m.graph!.node!.filter((n) => n.op_type === "LSTM");
    expect(lstms).toHaveLength(1);
    const acts = lstms[0]!
      .attribute!.find((a) => a.name === "activations")!
      .strings!.map((s) => new TextDecoder().decode(s));
    expect(acts).toEqual(["Sigmoid", "Tanh", "Tanh"]);
    expect(lstms[0]!.attribute!.find((a) => a.name === "hidden_size")!.i).toBe(8);
    const dims = m.graph!.input![0]!.type!.tensor_type!.shape!.dim;
    expect(dims).toEqual([{ dim_param: "batch" }, { dim_param: "time" }, { dim_value: 8 }]);
    expect(m.graph!.output![0]!.type!.tensor_type!.shape!.dim).toEqual([
      { dim_param: "batch" },
      { dim_param: "time" },
    ]);
  });

  it("is the same bytes when exported again (no clock in the model)", async () => {
    const again = await exportRun({ runDir, outDir: join(root, "again"), version: "1.0.0-test" });
    expect(again.sha256).toBe(result.sha256);
  });
});

describe("readModelDir and checkModel", () => {
  const copyDir = async (name: string) => {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    for (const f of ["model.onnx", "manifest.json"])
      await writeFile(join(dir, f), await readFile(join(modelDir, f)));
    return dir;
  };
  const editManifest = async (
    dir: string,
    edit: (m: { manifestVersion: number; schema: { warmupDays: number; schemaVersion: number } }) => void,
  ) => {
    const m = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    edit(m);
    await writeFile(join(dir, "manifest.json"), JSON.stringify(m));
  };

  it("returns the schema, manifest, bytes and sha256 of a good directory", async () => {
    const d = await readModelDir(modelDir);
    expect(d.schema).toEqual((await readRunArtefacts(runDir)).schema);
    expect(d.sha256).toBe(createHash("sha256").update(d.modelBytes).digest("hex"));
    expect(d.manifest.model.sha256).toBe(d.sha256);
    expect(d.manifest.version).toBe("1.0.0-test");
  });

  it("the pure check works from bytes + manifest JSON with WebCrypto (the browser/workerd path)", async () => {
    const bytes = new Uint8Array(await readFile(join(modelDir, "model.onnx")));
    const manifest = JSON.parse(await readFile(join(modelDir, "manifest.json"), "utf8"));
    const c = await checkModel(bytes, manifest, { sha256: webSha256 });
    expect(c.sha256).toBe(result.sha256);
  });

  it("refuses a model whose sha256 differs from the manifest", async () => {
    const dir = await copyDir("tampered");
    const bytes = await readFile(join(dir, "model.onnx"));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(join(dir, "model.onnx"), bytes);
    await expect(readModelDir(dir)).rejects.toThrow(ArtefactError);
    await expect(readModelDir(dir)).rejects.toThrow(/sha256 .* differs from the manifest/);
  });

  it("refuses a manifest whose schema differs from the model's metadata", async () => {
    const dir = await copyDir("mixed");
    await editManifest(dir, (m) => {
      m.schema.warmupDays = 7;
    });
    await expect(readModelDir(dir)).rejects.toThrow(/schema differs from the schema in the model's metadata/);
  });

  it("refuses unknown schema and manifest versions with SchemaError", async () => {
    const dir = await copyDir("future");
    await editManifest(dir, (m) => {
      m.schema.schemaVersion = 2;
    });
    await expect(readModelDir(dir)).rejects.toThrow(SchemaError);
    await editManifest(dir, (m) => {
      m.manifestVersion = 2;
    });
    await expect(readModelDir(dir)).rejects.toThrow(SchemaError);
  });

  it("refuses a missing manifest or model file with ArtefactError", async () => {
    await expect(readModelDir(join(root, "nowhere"))).rejects.toThrow(/manifest.json.*missing/);
    const dir = await copyDir("nomodel");
    await rm(join(dir, "model.onnx"));
    await expect(readModelDir(dir)).rejects.toThrow(/model file missing/);
  });
});

describe("export refuses, and publishes atomically", () => {
  it("refuses a run without normaliser.json, and creates no --out", async () => {
    const run = join(root, "no-normaliser");
    await writeSyntheticRun(run, { hidden: 4 });
    await rm(join(run, "normaliser.json"));
    const out = join(root, "out-no-normaliser");
    await expect(exportRun({ runDir: run, outDir: out })).rejects.toThrow(
      /normaliser.json: normaliser missing/,
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses a run without model/weights.bin, and creates no --out", async () => {
    const run = join(root, "no-weights");
    await writeSyntheticRun(run, { hidden: 4 });
    await rm(join(run, "model", "weights.bin"));
    const out = join(root, "out-no-weights");
    const err = await exportRun({ runDir: run, outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect((err as Error).message).toMatch(/weights.bin: weights file missing/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses a non-empty --out without force, replaces it with force", async () => {
    const out = join(root, "busy");
    await mkdir(out);
    await writeFile(join(out, "keep.txt"), "mine");
    await expect(exportRun({ runDir, outDir: out })).rejects.toThrow(/exists and is not empty.*--force/);
    expect(await readdir(out)).toEqual(["keep.txt"]);
    await exportRun({ runDir, outDir: out, force: true });
    expect(await readdir(out)).not.toContain("keep.txt");
    expect((await readdir(root)).filter((n) => n.includes(".tmp-") || n.includes(".old-"))).toEqual([]);
  });
});

describe("golden inputs and model card from the run", () => {
  it("uses <run>/golden-inputs.json windows (null = gap), one set each plus all stacked", async () => {
    const run = join(root, "with-golden");
    await writeSyntheticRun(run, { hidden: 4 });
    const Ds = 8 + 17; // latitude, elevation, mat, map, flux_ref, flux_sd, flux_q10, tsoil_ref + IGBP one-hot
    const day = (t: number) => [
      10 + t,
      5,
      15,
      t % 3 === 0 ? null : 0.3,
      12,
      t % 5 === 0 ? null : 2,
      0.5,
      0.8,
    ];
    const windows = [
      {
        dynamic: Array.from({ length: 12 }, (_, t) => day(t)),
        static: [45, 300, null, 800, 2.5, 1.1, 2.2, 11, ...Array(17).fill(0)],
      },
      {
        dynamic: Array.from({ length: 5 }, (_, t) => day(t)),
        static: [-10, null, 25, 2000, null, null, null, null, 1, ...Array(16).fill(0)],
      },
    ];
    expect(windows[0]!.static).toHaveLength(Ds);
    await writeFile(join(run, "golden-inputs.json"), JSON.stringify(windows));
    const out = join(root, "out-golden");
    const r = await exportRun({ runDir: run, outDir: out });
    expect(r.manifest.golden.source).toBe("run");
    const sets = await readGoldenSets(out);
    expect(sets.map((s) => [s.input.batch, s.input.time])).toEqual([
      [1, 12],
      [1, 5],
      [2, 12],
    ]);
    expect(Number.isNaN(sets[0]!.input.dynamic[3])).toBe(true); // day 0 swc_mean was null
    expect(Number.isNaN(sets[2]!.input.dynamic[(12 + 5) * 8])).toBe(true); // padding of the short window
  });

  it("refuses golden-inputs.json rows of the wrong width", async () => {
    const run = join(root, "bad-golden");
    await writeSyntheticRun(run, { hidden: 4 });
    await writeFile(join(run, "golden-inputs.json"), JSON.stringify([{ dynamic: [[1, 2]], static: [] }]));
    await expect(exportRun({ runDir: run, outDir: join(root, "out-bad") })).rejects.toThrow(
      /golden-inputs.json: window 0/,
    );
  });

  it("renders whatever metrics/summary.json holds as tables", async () => {
    const run = join(root, "evaluated");
    await writeSyntheticRun(run, { hidden: 4 });
    await mkdir(join(run, "metrics"));
    const summary = {
      temporal: {
        lstm: { medianNSE: 0.512345, medianKGE: 0.4, goodShare: 0.6, sites: 42 },
        byIgbp: { DBF: { medianNSE: 0.6, sites: 10 }, ENF: { medianNSE: 0.3, sites: 8 } },
        byClimate: { boreal: { medianNSE: 0.2, sites: 5 } },
        baselines: { q10: { medianNSE: 0.1 } },
      },
    };
    await writeFile(join(run, "metrics", "summary.json"), JSON.stringify(summary));
    const out = join(root, "out-evaluated");
    await exportRun({ runDir: run, outDir: out });
    const card = await readFile(join(out, "MODEL_CARD.md"), "utf8");
    expect(card).toContain("| median NSE | 0.512 |"); // headers and metric names in words, not JSON keys
    expect(card).toContain("| share of sites good | 0.6 |");
    expect(card).toContain("|  | median NSE | sites |");
    expect(card).not.toMatch(/\| (medianNSE|goodShare) \|/);
    expect(card).toContain("| DBF | 0.6 | 10 |");
    expect(card).toContain("#### byClimate");
    expect(card).toContain("Bond-Lamberty");
    expect(card).toContain("doi:10.1111/gcb.15353");
    expect(card).not.toContain("Not evaluated");
    const plain = await readFile(join(modelDir, "MODEL_CARD.md"), "utf8");
    expect(plain).toContain("Not evaluated");
    expect(plain).toMatch(/first \*\*90 days\*\*/);
  });

  it("renderMetrics never throws on odd shapes", () => {
    for (const v of [null, 3, "x", [], {}, { a: [1, 2] }, { a: { b: { c: { d: 1 } } } }])
      expect(typeof renderMetrics(v)).toBe("string");
  });
});
