// The fused WebAssembly SIMD LSTM kernel equals the tfjs-ops LSTM it replaces: forward, inference and gradients.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../training/backend.ts";
import { type LstmParams, lstmInferOps, lstmSequenceOps } from "../training/lstm.ts";
import { lstmInferFused, lstmSequenceFused } from "../training/lstm-fused.ts";
import { kernelAvailable } from "../training/lstm-kernel.ts";

function params(I: number, H: number, seed: number): LstmParams {
  const u = (shape: number[], s: number) => tf.variable(tf.randomUniform(shape, -0.6, 0.6, "float32", s));
  return {
    kernel: u([I, 4 * H], seed) as tf.Variable<tf.Rank.R2>,
    recurrentKernel: u([H, 4 * H], seed + 1) as tf.Variable<tf.Rank.R2>,
    bias: u([4 * H], seed + 2) as tf.Variable<tf.Rank.R1>,
  };
}

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

beforeAll(async () => {
  await selectBackend();
});

// [batch, time, input, hidden]: batches that are not a multiple of the kernel's 4-row block, series longer than
// the inference chunk (64 steps), hidden sizes that are and are not multiples of its 8-column block.
const SHAPES: [number, number, number, number][] = [
  [5, 7, 3, 8],
  [3, 130, 4, 12],
  [32, 40, 66, 64],
];

describe.each(SHAPES)("fused LSTM kernel, batch %i, time %i, input %i, hidden %i", (B, T, I, H) => {
  const x = {
    data: tf.randomNormal([T, B, I], 0, 1, "float32", 9).dataSync() as Float32Array,
    time: T,
    batch: B,
    input: I,
  };

  it("is the implementation lstmSequence uses for this hidden size", () => {
    expect(kernelAvailable(H)).toBe(true);
  });

  it("forward and inference equal the tfjs-ops LSTM to 1e-5", () => {
    const p = params(I, H, 1);
    const ops = lstmSequenceOps(x, p);
    expect(maxAbs(lstmSequenceFused(x, p), ops)).toBeLessThan(1e-5);
    expect(maxAbs(lstmInferFused(x, p), lstmInferOps(x, p))).toBeLessThan(1e-5);
    expect(maxAbs(lstmInferFused(x, p), ops)).toBeLessThan(1e-5);
  });

  it("gradients equal the tfjs-ops LSTM's hand-written ones to 1e-5 relative", () => {
    const p = params(I, H, 4);
    const w = tf.randomNormal([T * B, H], 0, 1, "float32", 11);
    const vars = [p.kernel, p.recurrentKernel, p.bias];
    const fused = tf.variableGrads(() => tf.sum(tf.mul(lstmSequenceFused(x, p), w)) as tf.Scalar, vars);
    const ops = tf.variableGrads(() => tf.sum(tf.mul(lstmSequenceOps(x, p), w)) as tf.Scalar, vars);
    for (const name of Object.keys(ops.grads)) {
      const scale = tf.max(tf.abs(ops.grads[name]!)).dataSync()[0]!;
      expect(maxAbs(fused.grads[name]!, ops.grads[name]!) / scale).toBeLessThan(1e-5);
    }
  });

  it("does not leak tensors across a training step", () => {
    const p = params(I, H, 7);
    const before = tf.memory().numTensors;
    const g = tf.variableGrads(() => tf.sum(lstmSequenceFused(x, p)) as tf.Scalar, [p.kernel, p.bias]);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("kernel availability", () => {
  it("falls back to tfjs ops for a hidden size the kernel does not take", () => {
    expect(kernelAvailable(5)).toBe(false);
  });
});
