/** A Keras-compatible LSTM layer for TensorFlow.js with a hand-written backward pass (BPTT), fast on the wasm backend. */
import * as tf from "@tensorflow/tfjs";
import { lstmInferFused, lstmSequenceFused } from "./lstm-fused.ts";
import { kernelAvailable } from "./lstm-kernel.ts";

/**
 * LSTM weights in the Keras / tfjs-layers layout: gates in the order i, f, c, o.
 * `kernel` [input, 4·hidden], `recurrentKernel` [hidden, 4·hidden], `bias` [4·hidden].
 * Recurrent activation: sigmoid (not tfjs-layers' default hard sigmoid); cell activation: tanh.
 */
export interface LstmParams {
  kernel: tf.Variable<tf.Rank.R2>;
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** Input series for {@link lstmSequence}: time-major row-major [time, batch, input] in a plain array. */
export interface TimeMajorInput {
  data: Float32Array;
  time: number;
  batch: number;
  input: number;
}

/**
 * Per-column scale [4·hidden]: 1 for the sigmoid gates i, f, o and 2 for the candidate c, so that one sigmoid
 * serves all four gates with tanh(z) = 2·sigmoid(2z) − 1 (tanh is ~7× slower than sigmoid on tfjs-wasm).
 */
function gateScale(hidden: number): tf.Tensor1D {
  const s = new Float32Array(4 * hidden).fill(1);
  s.fill(2, 2 * hidden, 3 * hidden);
  return tf.tensor1d(s);
}

/** tanh(x) as 2·sigmoid(2x) − 1. */
function fastTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1));
}

/** Upload rows [t·batch, (t+1)·batch) of a time-major JS array as a [batch, cols] tensor. */
function stepTensor(data: Float32Array, t: number, batch: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(data.subarray(t * batch * cols, (t + 1) * batch * cols), [batch, cols]);
}

/** One step's tensors: s = sigmoid of all four scaled gate pre-activations [B, 4H], the gates, the new c, tanh(c), h. */
interface StepTensors {
  s: tf.Tensor2D;
  i: tf.Tensor2D;
  f: tf.Tensor2D;
  g: tf.Tensor2D;
  o: tf.Tensor2D;
  c: tf.Tensor2D;
  tc: tf.Tensor2D;
  h: tf.Tensor2D;
}

/**
 * One LSTM step, the single definition used by training and inference: s = sigmoid(h·R_s + xw_s) over all gates
 * at once (candidate column pre-scaled by 2), g = 2·s_c − 1 = tanh, c' = f·c + i·g, h' = o·tanh(c').
 * @param stepBias x_t·W_s + b_s for this step [B, 4H]
 */
function lstmStep(h: tf.Tensor2D, c: tf.Tensor2D, recS: tf.Tensor2D, stepBias: tf.Tensor2D): StepTensors {
  return tf.tidy(() => {
    const s = tf.sigmoid(tf.add(tf.matMul(h, recS), stepBias)) as tf.Tensor2D;
    const [i, f, gs, o] = tf.split(s, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const g = tf.sub(tf.mul(gs, 2), 1) as tf.Tensor2D;
    const cN = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D;
    const tc = fastTanh(cN) as tf.Tensor2D;
    return { s, i, f, g, o, c: cN, tc, h: tf.mul(o, tc) as tf.Tensor2D };
  });
}

/**
 * Run the LSTM over a whole series and return every hidden state, time-major [time·batch, hidden].
 * Differentiable with respect to `params` (the input is data, not a variable). Initial h and c are zero.
 *
 * The backward pass is written by hand. Where the fused WebAssembly SIMD kernel serves this hidden size
 * (training/lstm-kernel.ts, hidden % 4 == 0) the whole recurrence runs there (training/lstm-fused.ts); otherwise
 * {@link lstmSequenceOps} runs it from tfjs ops. Both give the same result to float rounding (tests: 1e-5).
 */
export function lstmSequence(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  checkInput(x, params);
  return kernelAvailable(params.recurrentKernel.shape[0])
    ? lstmSequenceFused(x, params)
    : lstmSequenceOps(x, params);
}

function checkInput(x: TimeMajorInput, params: LstmParams): void {
  if (params.kernel.shape[0] !== x.input)
    throw new Error(`LSTM kernel expects ${params.kernel.shape[0]} inputs, got ${x.input}`);
}

/**
 * {@link lstmSequence} from tfjs ops, one small op at a time (where the fused kernel is unavailable). It keeps the
 * per-step gate activations and walks back through time with about twenty element-wise ops and one matMul per step,
 * then forms the weight gradients with two large matMuls. Per-step tensors are moved through JS arrays because
 * slicing a large tensor is slow on tfjs-wasm.
 */
export function lstmSequenceOps(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  const hidden = params.recurrentKernel.shape[0];
  const { time: T, batch: B, input: I } = x;
  if (params.kernel.shape[0] !== I)
    throw new Error(`LSTM kernel expects ${params.kernel.shape[0]} inputs, got ${I}`);
  const scale = gateScale(hidden);
  // Scaled weights: their gradients flow back to the variables through the ordinary tape.
  const kernelS = tf.mul(params.kernel, scale) as tf.Tensor2D;
  const recS = tf.mul(params.recurrentKernel, scale) as tf.Tensor2D;
  const biasS = tf.mul(params.bias, scale) as tf.Tensor1D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [kS, rS, bS] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const X = tf.tensor2d(x.data, [T * B, I]);
    const xw = tf.tidy(() => tf.add(tf.matMul(X, kS), bS));
    const xwData = xw.dataSync() as Float32Array;
    xw.dispose();
    // Per step we keep 8 tensors for the backward pass: s (sigmoid of all gates), i, f, g, o, c, tanh(c), h.
    const steps: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    let h = tf.zeros([B, hidden]) as tf.Tensor2D;
    let c = tf.zeros([B, hidden]) as tf.Tensor2D;
    for (let t = 0; t < T; t++) {
      const bias = stepTensor(xwData, t, B, 4 * hidden);
      const { s, i, f, g, o, c: cNext, tc, h: hNext } = lstmStep(h, c, rS, bias);
      bias.dispose();
      steps.push(s, i, f, g, o, cNext, tc, hNext);
      hs.push(hNext);
      h = hNext;
      c = cNext;
    }
    const value = tf.concat(hs, 0) as tf.Tensor2D;
    save([rS, X, ...steps]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedR, savedX] = saved as [tf.Tensor2D, tf.Tensor2D];
      const at = (t: number, k: number) => saved[2 + 8 * t + k] as tf.Tensor2D;
      const dyData = dy.dataSync() as Float32Array;
      const recT = tf.transpose(savedR) as tf.Tensor2D; // [4H, H]
      const zeros = tf.zeros([B, hidden]) as tf.Tensor2D;
      const dScale = gateScale(hidden); // `scale` itself was released with the forward scope
      const dzs: tf.Tensor2D[] = new Array(T);
      let dh = tf.zeros([B, hidden]) as tf.Tensor2D;
      let dc = tf.zeros([B, hidden]) as tf.Tensor2D;
      for (let t = T - 1; t >= 0; t--) {
        const dyT = stepTensor(dyData, t, B, hidden);
        const cPrev = t > 0 ? at(t - 1, 5) : zeros;
        const [dz, dhPrev, dcPrev] = tf.tidy(() => {
          const [s, i, f, g, o] = [at(t, 0), at(t, 1), at(t, 2), at(t, 3), at(t, 4)];
          const tc = at(t, 6);
          const dhT = tf.add(dh, dyT);
          // dL/dc_t = (carried from t+1) + dh_t·o_t·(1 − tanh²c_t)
          const dcT = tf.add(dc, tf.mul(tf.mul(dhT, o), tf.sub(1, tf.square(tc))));
          const dGates = tf.concat([tf.mul(dcT, g), tf.mul(dcT, cPrev), tf.mul(dcT, i), tf.mul(dhT, tc)], 1);
          // dL/d(scaled pre-activation) = dL/dgate · s(1 − s), times 2 for the candidate (g = 2s − 1).
          const dzT = tf.mul(tf.mul(dGates, tf.mul(s, tf.sub(1, s))), dScale) as tf.Tensor2D;
          return [dzT, tf.matMul(dzT, recT) as tf.Tensor2D, tf.mul(dcT, f) as tf.Tensor2D];
        });
        dyT.dispose();
        dh.dispose();
        dc.dispose();
        dzs[t] = dz;
        dh = dhPrev;
        dc = dcPrev;
      }
      // Gradients of the scaled weights (this op's inputs); the tape multiplies them by `scale` on the way back.
      const grads = tf.tidy(() => {
        const DZ = tf.concat(dzs, 0); // [T·B, 4H]
        const Hprev = tf.concat([zeros, ...Array.from({ length: T - 1 }, (_, t) => at(t, 7))], 0); // [T·B, H]
        return [tf.matMul(tf.transpose(savedX), DZ), tf.matMul(tf.transpose(Hprev), DZ), tf.sum(DZ, 0)];
      });
      for (const t of [...dzs, dh, dc, recT, zeros, dScale]) t.dispose();
      return grads;
    };
    return { value, gradFunc };
  });
  return op(kernelS, recS, biasS) as tf.Tensor2D;
}

/**
 * Reference LSTM built from plain tfjs ops with automatic differentiation: same maths as {@link lstmSequence},
 * Keras semantics (sigmoid gates, tanh). Slow; used by tests to check the hand-written gradient and by nothing else.
 * @param x batch-major [batch, time, input]
 * @returns time-major [time·batch, hidden]
 */
export function lstmSequenceReference(x: tf.Tensor3D, params: LstmParams): tf.Tensor2D {
  const [B, T] = x.shape;
  const hidden = params.recurrentKernel.shape[0];
  let h = tf.zeros([B, hidden]) as tf.Tensor2D;
  let c = tf.zeros([B, hidden]) as tf.Tensor2D;
  const hs: tf.Tensor2D[] = [];
  const steps = tf.unstack(x, 1) as tf.Tensor2D[];
  for (let t = 0; t < T; t++) {
    const z = tf.add(
      tf.add(tf.matMul(steps[t]!, params.kernel), tf.matMul(h, params.recurrentKernel)),
      params.bias,
    );
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
    c = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zc!))) as tf.Tensor2D;
    h = tf.mul(tf.sigmoid(zo!), tf.tanh(c)) as tf.Tensor2D;
    hs.push(h);
  }
  return tf.concat(hs, 0) as tf.Tensor2D;
}

/**
 * Forward-only LSTM for inference: same maths as {@link lstmSequence}, but releases each step's gates at once,
 * so memory grows with the hidden states only. Use it for long series (evaluation, synthetic series).
 * @returns time-major [time·batch, hidden]
 */
export function lstmInfer(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  checkInput(x, params);
  return kernelAvailable(params.recurrentKernel.shape[0])
    ? lstmInferFused(x, params)
    : lstmInferOps(x, params);
}

/** {@link lstmInfer} from tfjs ops, one small op at a time. */
export function lstmInferOps(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  const hidden = params.recurrentKernel.shape[0];
  const { time: T, batch: B, input: I } = x;
  if (params.kernel.shape[0] !== I)
    throw new Error(`LSTM kernel expects ${params.kernel.shape[0]} inputs, got ${I}`);
  const scale = gateScale(hidden);
  const rS = tf.mul(params.recurrentKernel, scale) as tf.Tensor2D;
  const xw = tf.tidy(() =>
    tf.mul(tf.add(tf.matMul(tf.tensor2d(x.data, [T * B, I]), params.kernel), params.bias), scale),
  );
  const xwData = xw.dataSync() as Float32Array;
  xw.dispose();
  const hs: tf.Tensor2D[] = [];
  let h = tf.zeros([B, hidden]) as tf.Tensor2D;
  let c = tf.zeros([B, hidden]) as tf.Tensor2D;
  const h0 = h;
  for (let t = 0; t < T; t++) {
    const [cNext, hNext] = tf.tidy(() => {
      const step = lstmStep(h, c, rS, stepTensor(xwData, t, B, 4 * hidden));
      return [step.c, step.h];
    });
    if (t > 0) hs.push(h);
    c.dispose();
    h = hNext;
    c = cNext;
  }
  hs.push(h);
  const out = tf.concat(hs, 0) as tf.Tensor2D;
  for (const t of [...hs, h0, c, rS, scale]) t.dispose();
  return out;
}
