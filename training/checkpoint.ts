/** Per-epoch checkpoints (weights, Adam state, loop state), written so that a killed run resumes losing at most one epoch. */
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.ts";
import type { Architecture, ModelParams } from "./model.ts";
import { RUN_FILES } from "./run-dir.ts";
import type { EpochRecord } from "./train-loop.ts";
import { loadWeights, saveWeights, type WeightsFile } from "./weights-file.ts";

/** Loop state saved with each checkpoint. */
export interface LoopState {
  /** Last completed epoch. */
  epoch: number;
  bestValLoss: number;
  bestEpoch: number;
  badEpochs: number;
  history: EpochRecord[];
}

export interface Checkpoint {
  weights: WeightsFile;
  optimizer: { name: string; shape: number[]; values: Float32Array }[];
  state: LoopState;
}

const LATEST = "latest.json";

/**
 * Write `<run>/checkpoint/epoch-NNNN/` completely, then point `latest.json` at it (atomic rename), then delete older
 * checkpoints. A crash at any moment leaves `latest.json` pointing at a complete checkpoint.
 */
export async function writeCheckpoint(
  runDir: string,
  architecture: Architecture,
  params: ModelParams,
  optimizerWeights: { name: string; tensor: tf.Tensor }[],
  state: LoopState,
): Promise<void> {
  const root = join(runDir, RUN_FILES.checkpoint);
  const name = `epoch-${String(state.epoch).padStart(4, "0")}`;
  const dir = join(root, name);
  await saveWeights(dir, architecture, params);
  const arrays = optimizerWeights.map((w) => ({
    name: w.name,
    shape: w.tensor.shape,
    values: w.tensor.dataSync() as Float32Array,
  }));
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const a of arrays) {
    bin.set(a.values, off);
    off += a.values.length;
  }
  await writeFileAtomic(join(dir, "optimizer.bin"), new Uint8Array(bin.buffer));
  await writeJsonAtomic(
    join(dir, "optimizer.json"),
    arrays.map((a) => ({ name: a.name, shape: a.shape })),
  );
  await writeJsonAtomic(join(dir, "state.json"), state);
  await writeJsonAtomic(join(root, LATEST), { checkpoint: name, epoch: state.epoch });
  for (const entry of await readdir(root)) {
    if (entry.startsWith("epoch-") && entry !== name)
      await rm(join(root, entry), { recursive: true, force: true });
  }
}

/** Read the latest complete checkpoint of a run, or null if it has none. */
export async function readCheckpoint(runDir: string): Promise<Checkpoint | null> {
  const root = join(runDir, RUN_FILES.checkpoint);
  let latest: { checkpoint: string };
  try {
    latest = JSON.parse(await readFile(join(root, LATEST), "utf8"));
  } catch {
    return null;
  }
  const dir = join(root, latest.checkpoint);
  const weights = await loadWeights(dir);
  const specs = JSON.parse(await readFile(join(dir, "optimizer.json"), "utf8")) as {
    name: string;
    shape: number[];
  }[];
  const bytes = await readFile(join(dir, "optimizer.bin"));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let off = 0;
  const optimizer = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = all.slice(off, off + n);
    off += n;
    return { ...s, values };
  });
  const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as LoopState;
  return { weights, optimizer, state };
}
