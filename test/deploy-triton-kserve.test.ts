// The models/ tree is a Triton model repository: every model has config.pbtxt (onnxruntime backend, dynamic
// batching) whose tensors match the ONNX graph, written by export and committed for models/; the KServe
// InferenceService manifests in deploy/kserve/ point at routes and flags that exist.
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../cli/main.ts";
import { exportRun } from "../export/export-run.ts";
import { TRITON_CONFIG_FILE, tritonConfig } from "../export/triton-config.ts";
import type { Manifest } from "../model/manifest.ts";
import { decodeModel, type ValueInfoProto } from "../model/onnx-codec.ts";
import { createApp } from "../serving/app.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { makeApp, makeModelRoot } from "./serving-fixture.ts";

const REPO = new URL("../", import.meta.url).pathname;
const root = await mkdtemp(join(tmpdir(), "soilco2-triton-"));
afterAll(() => rm(root, { recursive: true, force: true }));

interface PbTensor {
  name: string;
  dataType: string;
  dims: number[];
}

/** The fields of config.pbtxt a test needs (a regular-expression reading of the text format we write). */
function readConfig(text: string) {
  const block = (key: string) => new RegExp(`^${key} \\[([\\s\\S]*?)^\\]`, "m").exec(text)?.[1] ?? "";
  const tensors = (body: string): PbTensor[] =>
    [...body.matchAll(/name: "([^"]+)"\s+data_type: (\w+)\s+dims: \[([^\]]*)\]/g)].map((m) => ({
      name: m[1]!,
      dataType: m[2]!,
      dims: m[3]!.split(",").map((d) => Number(d.trim())),
    }));
  return {
    name: /^name: "([^"]+)"/m.exec(text)?.[1],
    backend: /^backend: "([^"]+)"/m.exec(text)?.[1],
    maxBatchSize: Number(/^max_batch_size: (\d+)/m.exec(text)?.[1]),
    dynamicBatching: /^dynamic_batching \{/m.test(text),
    inputs: tensors(block("input")),
    outputs: tensors(block("output")),
  };
}

/** The graph's tensors as Triton sees them: batch axis left out, symbolic axes -1. */
async function graphTensors(modelFile: string): Promise<{ inputs: PbTensor[]; outputs: PbTensor[] }> {
  const g = decodeModel(new Uint8Array(await readFile(modelFile))).graph!;
  const desc = (v: ValueInfoProto): PbTensor => {
    const t = v.type!.tensor_type!;
    return {
      name: v.name!,
      dataType: t.elem_type === 1 ? "TYPE_FP32" : `onnx type ${t.elem_type}`,
      dims: t.shape!.dim!.slice(1).map((d) => (d.dim_param ? -1 : d.dim_value!)),
    };
  };
  return { inputs: g.input!.map(desc), outputs: g.output!.map(desc) };
}

async function expectTritonModel(modelRoot: string, name: string) {
  const config = readConfig(await readFile(join(modelRoot, name, TRITON_CONFIG_FILE), "utf8"));
  expect(config).toMatchObject({ name, backend: "onnxruntime", dynamicBatching: true });
  expect(config.maxBatchSize).toBeGreaterThan(0);
  const versions = (await readdir(join(modelRoot, name))).filter((v) => !v.startsWith("."));
  const numeric = versions.filter((v) => /^\d+$/.test(v));
  expect(numeric.length).toBeGreaterThan(0);
  for (const v of numeric) {
    const graph = await graphTensors(join(modelRoot, name, v, "model.onnx"));
    expect({ inputs: config.inputs, outputs: config.outputs }, `${name}/${v}`).toEqual(graph);
    const own = await readFile(join(modelRoot, name, v, TRITON_CONFIG_FILE), "utf8");
    const manifest = JSON.parse(
      await readFile(join(modelRoot, name, v, "manifest.json"), "utf8"),
    ) as Manifest;
    expect(own).toBe(tritonConfig(manifest));
  }
}

describe("Triton model repository", () => {
  it("export writes config.pbtxt in the model directory and, for a numeric version, at the model level", async () => {
    const runDir = join(root, "run");
    await writeSyntheticRun(runDir, { hidden: 8, seed: 1 });
    const modelsDir = join(root, "models");
    const r = await exportRun({ runDir, outDir: join(modelsDir, "soilco2-lstm", "3"), version: "3.0.0" });
    expect(r.files.map((f) => f.path)).toContain(TRITON_CONFIG_FILE);
    await expectTritonModel(modelsDir, "soilco2-lstm");
    // a non-numeric directory (not Triton's layout) gets its own config only
    await exportRun({ runDir, outDir: join(root, "plain", "m", "v1"), version: "1.0.0" });
    expect((await stat(join(root, "plain", "m", "v1", TRITON_CONFIG_FILE))).isFile()).toBe(true);
    await expect(stat(join(root, "plain", "m", TRITON_CONFIG_FILE))).rejects.toThrow();
  });

  it("the committed models/ is a Triton model repository matching each graph", async () => {
    for (const name of await readdir(join(REPO, "models")))
      await expectTritonModel(join(REPO, "models"), name);
  });

  it("a config.pbtxt beside the versions does not disturb soilco2 serve's model discovery", async () => {
    const fx = await makeModelRoot({ hidden: 8, versions: ["1"] });
    const { models } = await makeApp(fx.modelsDir);
    expect(models.entries.map((e) => e.version)).toEqual(["1"]);
    await models.release();
    await fx.cleanup();
  });
});

describe("KServe InferenceService manifests", () => {
  const load = async (file: string) =>
    parse(await readFile(join(REPO, "deploy", "kserve", file), "utf8")) as {
      apiVersion: string;
      kind: string;
      spec: { predictor: Record<string, unknown> };
    };

  it("soilco2's own server: probes on routes that answer, flags the CLI accepts", async () => {
    const isvc = await load("inferenceservice-soilco2.yaml");
    expect(isvc).toMatchObject({ apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService" });
    const [c] = isvc.spec.predictor.containers as {
      args: string[];
      readinessProbe: { httpGet: { path: string; port: number } };
      livenessProbe: { httpGet: { path: string; port: number } };
      ports: { containerPort: number }[];
    }[];
    const fx = await makeModelRoot({ hidden: 8, versions: ["1"] });
    const { models } = await makeApp(fx.modelsDir);
    const app = createApp({ registry: models.registry });
    for (const probe of [c!.readinessProbe, c!.livenessProbe]) {
      expect(probe.httpGet.port).toBe(c!.ports[0]!.containerPort);
      expect((await app.request(probe.httpGet.path)).status).toBe(200);
    }
    await models.release();
    await fx.cleanup();
    // the args parse with soilco2's own CLI (an unknown flag would throw); the action is not run
    const args = c!.args.slice(3);
    const program = buildProgram().exitOverride();
    const serve = program.commands.find((cmd) => cmd.name() === "serve")!;
    serve.action(() => {});
    await program.parseAsync(["node", "soilco2", "serve", ...args]);
    expect(serve.opts()).toMatchObject({
      port: 8080,
      trustedProxies: 2,
      public: ["/metrics"],
      rateLimit: 600,
    });
  });

  it("Triton: the onnx model format on the Triton runtime, Open Inference Protocol v2, a GPU", async () => {
    const isvc = await load("inferenceservice-triton.yaml");
    expect(isvc.kind).toBe("InferenceService");
    expect(isvc.spec.predictor.model).toMatchObject({
      modelFormat: { name: "onnx" },
      runtime: "kserve-tritonserver",
      protocolVersion: "v2",
    });
    const model = isvc.spec.predictor.model as { resources: { limits: Record<string, string> } };
    expect(model.resources.limits["nvidia.com/gpu"]).toBe("1");
  });
});
