/** The run's weights on disk: `model.json` (architecture + tfjs weights manifest) and `weights.bin` (float32, little-endian). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { ArtefactError } from "../core/errors.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.ts";
import { type Architecture, type ModelParams, paramList, WEIGHT_NAMES } from "./model.ts";

export const WEIGHTS_FORMAT = "soilco2-lstm-weights";
export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/** One named weight as plain data. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Weights read back from disk, without any tfjs dependency (export reads them this way). */
export interface WeightsFile {
  architecture: Architecture;
  weights: Map<string, NamedWeight>;
}

/**
 * Save weights atomically as `<dir>/model.json` and `<dir>/weights.bin` (the tfjs weights-manifest layout).
 * The binary is written first, so a reader that finds model.json always finds its weights.
 */
export async function saveWeights(
  dir: string,
  architecture: Architecture,
  params: ModelParams,
): Promise<void> {
  const vars = paramList(params);
  const arrays = vars.map((v) => v.dataSync() as Float32Array);
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const a of arrays) {
    bin.set(a, off);
    off += a.length;
  }
  await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(bin.buffer));
  await writeJsonAtomic(join(dir, MODEL_JSON), {
    format: WEIGHTS_FORMAT,
    architecture,
    weightsManifest: [
      {
        paths: [WEIGHTS_BIN],
        weights: vars.map((v, i) => ({ name: WEIGHT_NAMES[i], shape: v.shape, dtype: "float32" })),
      },
    ],
  });
}

/**
 * Read weights saved by {@link saveWeights}.
 * @throws {ArtefactError} if a file is missing, truncated or not in this format
 */
export async function loadWeights(dir: string): Promise<WeightsFile> {
  const jsonPath = join(dir, MODEL_JSON);
  const binPath = join(dir, WEIGHTS_BIN);
  let manifest: {
    format?: string;
    architecture?: Architecture;
    weightsManifest?: { weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  try {
    manifest = JSON.parse(await readFile(jsonPath, "utf8"));
  } catch (cause) {
    throw new ArtefactError(
      jsonPath,
      "weights manifest missing or unreadable",
      "train the run to completion, or resume it with `soilco2 train --resume <run>`",
      { cause },
    );
  }
  if (manifest.format !== WEIGHTS_FORMAT || !manifest.architecture || !manifest.weightsManifest?.[0])
    throw new ArtefactError(
      jsonPath,
      `not a ${WEIGHTS_FORMAT} file`,
      "point to a run directory made by `soilco2 train`",
    );
  checkArchitecture(manifest.architecture, jsonPath);
  let bytes: Buffer;
  try {
    bytes = await readFile(binPath);
  } catch (cause) {
    throw new ArtefactError(
      binPath,
      "weights file missing",
      "the run directory is incomplete; retrain or resume it",
      { cause },
    );
  }
  const specs = manifest.weightsManifest[0].weights;
  const need = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== need * 4)
    throw new ArtefactError(
      binPath,
      `has ${bytes.byteLength} bytes, expected ${need * 4}`,
      "the file is truncated or from another model; retrain",
    );
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights = new Map<string, NamedWeight>();
  let off = 0;
  for (const s of specs) {
    if (s.dtype !== "float32")
      throw new ArtefactError(jsonPath, `weight ${s.name} has dtype ${s.dtype}`, "only float32 is supported");
    const n = s.shape.reduce((a, b) => a * b, 1);
    weights.set(s.name, { name: s.name, shape: s.shape, values: all.subarray(off, off + n) });
    off += n;
  }
  for (const name of WEIGHT_NAMES)
    if (!weights.has(name))
      throw new ArtefactError(jsonPath, `weight ${name} missing`, "retrain with this version of soilco2");
  return { architecture: manifest.architecture, weights };
}

/**
 * Refuse the architectures of removed code paths (tried, not adopted, docs/training.md): the `softplus` and `q10`
 * heads (`head` absent meant softplus) and the prior's moisture factor. Their weights would load but compute
 * something else.
 */
function checkArchitecture(a: Architecture, file: string): void {
  const removed =
    a.head !== "prior"
      ? `the "${a.head ?? "softplus"}" output head`
      : "moisture" in a.prior
        ? "the prior's moisture factor"
        : null;
  if (removed)
    throw new ArtefactError(
      file,
      `the network has ${removed}, removed from soilco2 (tried and not adopted, docs/training.md)`,
      "retrain the run with this version, or use a soilco2 from before the removal",
    );
}

/** Copy loaded weights into existing variables (resume, evaluate). */
export function assignWeights(params: ModelParams, file: WeightsFile, tfm: typeof tf): void {
  paramList(params).forEach((v, i) => {
    const w = file.weights.get(WEIGHT_NAMES[i]!)!;
    v.assign(tfm.tensor(w.values, w.shape));
  });
}
