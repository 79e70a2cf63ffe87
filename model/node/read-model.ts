/** Read and check a model directory on Node (serving, tests): manifest.json and model.onnx, refused unless they match. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../../core/errors.ts";
import type { ModelSchema } from "../../core/model-schema.ts";
import { checkModel } from "../check-model.ts";
import { type Manifest, MODEL_DIR_FILES } from "../manifest.ts";

/** A checked model directory. */
export interface ModelDir {
  dir: string;
  schema: ModelSchema;
  manifest: Manifest;
  /** The bytes of model.onnx, for `InferenceSession.create(modelBytes)`. */
  modelBytes: Uint8Array;
  /** sha256 of `modelBytes`, lower-case hex. */
  sha256: string;
}

/** sha256 with node:crypto, lower-case hex. */
export async function nodeSha256(bytes: Uint8Array): Promise<string> {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Read `<dir>/manifest.json` and the model file it names, and check them with {@link checkModel}.
 * @throws {ArtefactError} for a missing or unreadable file, a sha256 or schema mismatch
 * @throws {SchemaError} for a manifest or schema version this soilco2 does not understand
 * @example const { schema, modelBytes } = await readModelDir("models/soilco2-lstm");
 */
export async function readModelDir(dir: string): Promise<ModelDir> {
  const manifestPath = join(dir, MODEL_DIR_FILES.manifest);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch (cause) {
    throw new ArtefactError(
      manifestPath,
      "missing or not JSON",
      "point to a model directory written by `soilco2 export`",
      { cause },
    );
  }
  const file = (manifestJson as { model?: { file?: unknown } } | null)?.model?.file;
  const modelPath = join(dir, typeof file === "string" ? file : MODEL_DIR_FILES.model);
  let modelBytes: Uint8Array;
  try {
    modelBytes = new Uint8Array(await readFile(modelPath));
  } catch (cause) {
    throw new ArtefactError(modelPath, "model file missing", "re-export the model directory", { cause });
  }
  const checked = await checkModel(modelBytes, manifestJson, { sha256: nodeSha256, where: dir });
  return { dir, modelBytes, ...checked };
}
