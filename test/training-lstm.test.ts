// The hand-written LSTM: forward equals tfjs-layers' LSTM (sigmoid gates), gradients equal autodiff, inference equals training forward.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../training/backend.ts";
import { type LstmParams, lstmInfer, lstmSequence, lstmSequenceReference } from "../training/lstm.ts";

const B = 3;
const T = 6;
const I = 4;
const H = 5;

function params(seed: number): LstmParams {
  return {
    kernel: tf.variable(tf.randomUniform([I, 4 * H], -0.6, 0.6, "float32", seed)) as tf.Variable<tf.Rank.R2>,
    recurrentKernel: tf.variable(
      tf.randomUniform([H, 4 * H], -0.6, 0.6, "float32", seed + 1),
    ) as tf.Variable<tf.Rank.R2>,
    bias: tf.variable(tf.randomUniform([4 * H], -0.6, 0.6, "float32", seed + 2)) as tf.Variable<tf.Rank.R1>,
  };
}

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

beforeAll(async () => {
  await selectBackend();
});

describe("LSTM", () => {
  const x = tf.randomNormal([B, T, I], 0, 1, "float32", 9) as tf.Tensor3D;
  const timeMajor = () => ({
    data: tf.transpose(x, [1, 0, 2]).dataSync() as Float32Array,
    time: T,
    batch: B,
    input: I,
  });

  it("matches tf.layers.lstm with recurrentActivation sigmoid (Keras gate order i, f, c, o)", () => {
    const p = params(1);
    const layer = tf.layers.lstm({
      units: H,
      returnSequences: true,
      recurrentActivation: "sigmoid",
      inputShape: [T, I],
    });
    const keras = layer.apply(x) as tf.Tensor3D; // builds the layer
    layer.setWeights([p.kernel, p.recurrentKernel, p.bias]);
    const expected = tf.transpose(layer.apply(x) as tf.Tensor3D, [1, 0, 2]).reshape([T * B, H]);
    expect(keras.shape).toEqual([B, T, H]);
    expect(maxAbs(lstmSequence(timeMajor(), p), expected)).toBeLessThan(1e-5);
    expect(maxAbs(lstmInfer(timeMajor(), p), expected)).toBeLessThan(1e-5);
  });

  it("differs from tfjs-layers' default hard-sigmoid LSTM (so the activation matters for export)", () => {
    const p = params(1);
    const layer = tf.layers.lstm({ units: H, returnSequences: true, inputShape: [T, I] });
    layer.apply(x);
    layer.setWeights([p.kernel, p.recurrentKernel, p.bias]);
    const hard = tf.transpose(layer.apply(x) as tf.Tensor3D, [1, 0, 2]).reshape([T * B, H]);
    expect(maxAbs(lstmSequence(timeMajor(), p), hard)).toBeGreaterThan(1e-3);
  });

  it("hand-written gradients equal automatic differentiation of the reference", () => {
    const p = params(4);
    const w = tf.randomNormal([T * B, H], 0, 1, "float32", 11);
    const fast = tf.variableGrads(
      () => tf.sum(tf.mul(lstmSequence(timeMajor(), p), w)) as tf.Scalar,
      [p.kernel, p.recurrentKernel, p.bias],
    );
    const ref = tf.variableGrads(
      () => tf.sum(tf.mul(lstmSequenceReference(x, p), w)) as tf.Scalar,
      [p.kernel, p.recurrentKernel, p.bias],
    );
    for (const name of Object.keys(ref.grads)) {
      const scale = tf.max(tf.abs(ref.grads[name]!)).dataSync()[0]!;
      expect(maxAbs(fast.grads[name]!, ref.grads[name]!) / scale).toBeLessThan(1e-5);
    }
  });

  it("does not leak tensors across a training step", () => {
    const p = params(7);
    const before = tf.memory().numTensors;
    const g = tf.variableGrads(() => tf.sum(lstmSequence(timeMajor(), p)) as tf.Scalar, [p.kernel]);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
