// ONNX protobuf: the static codec on disk (generated at install by `npm ci`'s prepare step) is what onnx.proto generates, official field numbers, tensor and metadata round trips.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import protobuf from "protobufjs";
import { afterAll, describe, expect, it } from "vitest";
import { parseModelSchema } from "../core/model-schema.ts";
import { buildModel } from "../export/build-model.ts";
import { networkWeights } from "../export/network-weights.ts";
import { canonicalJson } from "../model/check-model.ts";
import { METADATA_KEYS, metadataSchemaJson } from "../model/model-metadata.ts";
import { generateOnnxCodec } from "../model/node/gen-onnx-codec.ts";
import {
  decodeModel,
  decodeTensor,
  encodeModel,
  encodeTensor,
  floatTensor,
  metadataRecord,
  tensorFloats,
} from "../model/onnx-codec.ts";
import { readRunArtefacts } from "../training/run-dir.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-codec-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("onnx.proto and its static codec", () => {
  it("model/onnx-pb.js and .d.ts are what `npm run gen:onnx-codec` makes from model/onnx.proto", async () => {
    const made = await generateOnnxCodec();
    expect(await readFile(new URL("../model/onnx-pb.js", import.meta.url), "utf8")).toBe(made.js);
    expect(await readFile(new URL("../model/onnx-pb.d.ts", import.meta.url), "utf8")).toBe(made.dts);
  });

  it("uses the official field numbers", async () => {
    const text = await readFile(new URL("../model/onnx.proto", import.meta.url), "utf8");
    const d = protobuf.parse(text, { keepCase: true }).root.toJSON() as {
      nested: { onnx: { nested: Record<string, { fields: Record<string, { id: number }> }> } };
    };
    const id = (msg: string, field: string) => d.nested.onnx.nested[msg]!.fields[field]!.id;
    expect([
      id("ModelProto", "ir_version"),
      id("ModelProto", "graph"),
      id("ModelProto", "opset_import"),
    ]).toEqual([1, 7, 8]);
    expect(id("ModelProto", "metadata_props")).toBe(14);
    expect([
      id("GraphProto", "node"),
      id("GraphProto", "initializer"),
      id("GraphProto", "input"),
      id("GraphProto", "output"),
    ]).toEqual([1, 5, 11, 12]);
    expect([id("NodeProto", "op_type"), id("NodeProto", "attribute"), id("NodeProto", "domain")]).toEqual([
      4, 5, 7,
    ]);
    expect([id("AttributeProto", "type"), id("AttributeProto", "strings")]).toEqual([20, 9]);
    expect([
      id("TensorProto", "dims"),
      id("TensorProto", "data_type"),
      id("TensorProto", "raw_data"),
      id("TensorProto", "name"),
    ]).toEqual([1, 2, 9, 8]);
  });
});

describe("tensors", () => {
  it("a float tensor with NaN survives encode -> decode bit for bit", () => {
    const values = new Float32Array([1.5, Number.NaN, -0, 3.4028234663852886e38, 1e-45, -7]);
    const t = decodeTensor(encodeTensor(floatTensor("x", [2, 3], values)));
    expect(t.name).toBe("x");
    expect(t.dims).toEqual([2, 3]);
    expect(new Uint8Array(tensorFloats(t).buffer)).toEqual(new Uint8Array(values.buffer));
  });

  it("refuses a value count that does not fit the shape", () => {
    expect(() => floatTensor("x", [2, 2], [1, 2, 3])).toThrow(/3 values/);
  });
});

describe("metadata round trip", () => {
  it("write -> read metadata_props gives the identical schema, name, version and provenance", async () => {
    await writeSyntheticRun(join(root, "run"), { hidden: 4 });
    const run = await readRunArtefacts(join(root, "run"));
    const provenance = run.provenance as unknown as Record<string, unknown>;
    const bytes = encodeModel(
      buildModel(
        run.schema,
        run.members.map((w) => networkWeights(w, run.schema)),
        { name: "m", version: "9.9", provenance, metrics: { a: 1 }, citation: "c" },
        "0.0.1",
      ),
    );
    const model = decodeModel(bytes);
    const props = metadataRecord(model);
    const schema = parseModelSchema(metadataSchemaJson(props));
    expect(schema).toEqual(run.schema);
    expect(canonicalJson(schema)).toBe(canonicalJson(run.schema));
    expect(props[METADATA_KEYS.name]).toBe("m");
    expect(props[METADATA_KEYS.version]).toBe("9.9");
    expect(JSON.parse(props[METADATA_KEYS.provenance]!)).toEqual(provenance);
    expect(JSON.parse(props[METADATA_KEYS.metrics]!)).toEqual({ a: 1 });
    expect(model.producer_name).toBe("soilco2");
    expect(model.doc_string).toMatch(/µmol|umol/);
  });
});

describe("decodeModel", () => {
  it("throws on truncated bytes instead of returning half a model", async () => {
    await writeSyntheticRun(join(root, "run-h"), { hidden: 3 });
    const run = await readRunArtefacts(join(root, "run-h"));
    const bytes = encodeModel(
      buildModel(
        run.schema,
        run.members.map((w) => networkWeights(w, run.schema)),
        { name: "m", version: "1", provenance: {}, metrics: null, citation: "c" },
        "1",
      ),
    );
    expect(decodeModel(bytes).producer_version).toBe("1");
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 10))).toThrow(/index out of range/);
  });
});
