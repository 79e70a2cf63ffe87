// Parity: the exported ONNX model on onnxruntime-node and onnxruntime-web (wasm) against the tfjs network, on the
// golden sets and on random windows; and proof that the check catches a changed weight or a hard-sigmoid LSTM.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportRun } from "../export/export-run.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { decodeModel, encodeModel, floatTensor, type ModelProto, tensorFloats } from "../model/onnx-codec.ts";
import { createOrtPredictor, type OrtPredictor, type OrtRuntime } from "../model/ort-predict.ts";
import { compareOutputs } from "../model/parity.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { assertParity, loadParityCases, type ParityCase, runParityCases } from "./helpers/parity-case.ts";

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.wasmPaths = new URL("../node_modules/onnxruntime-web/dist/", import.meta.url).pathname;

const root = await mkdtemp(join(tmpdir(), "soilco2-parity-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** The runs to check: a synthetic single network and a seed ensemble, plus SOILCO2_RUN when given. */
const runs: { label: string; runDir: string }[] = [];
{
  const runDir = join(root, "run-single");
  await writeSyntheticRun(runDir, { hidden: 32, seed: 11 });
  runs.push({ label: "synthetic H=32", runDir });
}
{
  // a seed ensemble of three networks: one graph, efflux = the mean of the members'
  const runDir = join(root, "run-ensemble");
  await writeSyntheticRun(runDir, { hidden: 16, seed: 13, config: { train: { members: 3 } } });
  runs.push({ label: "synthetic H=16, seed ensemble of 3", runDir });
}
if (process.env.SOILCO2_RUN)
  runs.push({ label: basename(process.env.SOILCO2_RUN), runDir: process.env.SOILCO2_RUN });

const runtimes: { name: string; ort: OrtRuntime }[] = [
  { name: "onnxruntime-node", ort: ortNode },
  { name: "onnxruntime-web (wasm, 1 thread)", ort: ortWeb as unknown as OrtRuntime },
];

const exported: { label: string; modelDir: string; cases: ParityCase[] }[] = [];
for (const [i, run] of runs.entries()) {
  const modelDir = join(root, `model-${i}`);
  await exportRun({ runDir: run.runDir, outDir: modelDir });
  exported.push({
    label: run.label,
    modelDir,
    cases: await loadParityCases({ modelDir, runDir: run.runDir }),
  });
}

for (const { label, modelDir, cases } of exported)
  for (const { name, ort } of runtimes) {
    let predictor: OrtPredictor;
    beforeAll(async () => {
      predictor = await createOrtPredictor(ort, (await readModelDir(modelDir)).modelBytes);
    });
    afterAll(() => predictor.release());
    runParityCases(`${name} [${label}]`, (x) => predictor.predict(x), cases);
  }

describe("the parity check fails when the graph is wrong", () => {
  const { modelDir, cases } = exported[0]!;
  const worstCase = async (model: ModelProto) => {
    const p = await createOrtPredictor(ortNode, encodeModel(model));
    try {
      const reports = [];
      for (const c of cases) reports.push(compareOutputs(await p.predict(c.input), c.expected));
      return reports;
    } finally {
      await p.release();
    }
  };

  it("a change to one LSTM bias value (output gate, unit 0) is caught", async () => {
    const model = decodeModel((await readModelDir(modelDir)).modelBytes);
    const init = model.graph!.initializer!;
    const k = init.findIndex((t) => t.name === "lstm_B");
    const B = tensorFloats(init[k]!);
    const H = B.length / 8;
    B[1 * H] = B[1 * H]! + 1; // ONNX block order i, o, f, c: block 1 is the output gate
    init[k] = floatTensor("lstm_B", init[k]!.dims!, B);
    const reports = await worstCase(model);
    expect(reports.some((r) => !r.ok)).toBe(true);
    const c = cases[0]!;
    const p = await createOrtPredictor(ortNode, encodeModel(model));
    const y = await p.predict(c.input);
    await p.release();
    expect(() => assertParity(y, c.expected)).toThrow(/parity failed/);
  });

  it("an LSTM with Keras's hard sigmoid instead of the sigmoid is caught", async () => {
    const model = decodeModel((await readModelDir(modelDir)).modelBytes);
    const lstm = model.graph!.node!.find((n) => n.op_type === "LSTM")!;
    const acts = lstm.attribute!.find((a) => a.name === "activations")!;
    acts.strings = ["HardSigmoid", "Tanh", "Tanh"].map((s) => new TextEncoder().encode(s));
    const reports = await worstCase(model);
    expect(reports.filter((r) => !r.ok).length).toBeGreaterThan(cases.length / 2);
  });

  it("the unmodified model passes the same check", async () => {
    const reports = await worstCase(decodeModel((await readModelDir(modelDir)).modelBytes));
    expect(reports.every((r) => r.ok)).toBe(true);
  });
});
