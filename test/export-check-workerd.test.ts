// The runtime-free model check (model/check-model.ts) bundled for and run inside workerd (miniflare): no node:, no eval.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportRun } from "../export/export-run.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const root = await mkdtemp(join(tmpdir(), "soilco2-workerd-"));
let mf: Miniflare;
let modelBytes: Uint8Array;
let manifest: Record<string, unknown>;

const worker = `
import { checkModel } from ${JSON.stringify(fileURLToPath(new URL("../model/check-model.ts", import.meta.url)))};
export default {
  async fetch(request) {
    const body = await request.json();
    const bytes = Uint8Array.from(atob(body.model), (c) => c.charCodeAt(0));
    try {
      const { schema, sha256 } = await checkModel(bytes, body.manifest);
      return Response.json({ ok: true, sha256, warmupDays: schema.warmupDays });
    } catch (e) {
      return Response.json({ ok: false, name: e.name, message: e.message });
    }
  },
};`;

beforeAll(async () => {
  await writeSyntheticRun(join(root, "run"), { hidden: 4 });
  await exportRun({ runDir: join(root, "run"), outDir: join(root, "model") });
  modelBytes = new Uint8Array(await readFile(join(root, "model", "model.onnx")));
  manifest = JSON.parse(await readFile(join(root, "model", "manifest.json"), "utf8"));
  const out = await build({
    stdin: { contents: worker, resolveDir: root, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  mf = new Miniflare({ modules: true, compatibilityDate: "2025-01-01", script: out.outputFiles[0]!.text });
});
afterAll(async () => {
  await mf?.dispose();
  await rm(root, { recursive: true, force: true });
});

async function check(bytes: Uint8Array, m: unknown): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ model: Buffer.from(bytes).toString("base64"), manifest: m });
  const r = await mf.dispatchFetch("http://worker/", { method: "POST", body });
  const text = await r.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`worker answered ${r.status}: ${text.slice(0, 500)}`);
  }
}

describe("checkModel in workerd", () => {
  it("accepts the exported model and returns its schema", async () => {
    const r = await check(modelBytes, manifest);
    expect(r).toEqual({ ok: true, sha256: (manifest.model as { sha256: string }).sha256, warmupDays: 90 });
  });

  it("refuses changed bytes", async () => {
    const bytes = modelBytes.slice();
    bytes[10] = bytes[10]! ^ 1;
    const r = await check(bytes, manifest);
    expect(r.ok).toBe(false);
    expect(r.name).toBe("ArtefactError");
    expect(r.message).toMatch(/sha256/);
  });
});
