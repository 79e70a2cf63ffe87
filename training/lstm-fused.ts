/** The LSTM over a whole window as one tfjs op: the recurrence runs in the fused WebAssembly SIMD kernel. */
import * as tf from "@tensorflow/tfjs";
import type { LstmParams, TimeMajorInput } from "./lstm.ts";
import { kernelBackward, kernelForward, kernelInfer } from "./lstm-kernel.ts";

/** Per-column scale [4·hidden]: 2 for the candidate c (tanh(z) = 2·sigmoid(2z) − 1), 1 for the gates i, f, o. */
function gateScale(hidden: number): tf.Tensor1D {
  const s = new Float32Array(4 * hidden).fill(1);
  s.fill(2, 2 * hidden, 3 * hidden);
  return tf.tensor1d(s);
}

/** The transpose of a row-major [rows, cols] matrix. */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/**
 * Same contract and maths as training/lstm.ts `lstmSequence` (time-major [time·batch, hidden], differentiable with
 * respect to `params`), with the recurrence forward and backward in the kernel and only three large matMuls in tfjs:
 * x·W forward, xᵀ·dz and h_prevᵀ·dz backward. Needs hidden % 4 == 0 (see lstm-kernel.ts `kernelAvailable`).
 */
export function lstmSequenceFused(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  const H = params.recurrentKernel.shape[0];
  const { time: T, batch: B, input: I } = x;
  const scale = gateScale(H);
  // Scaled weights: their gradients flow back to the variables through the ordinary tape.
  const kernelS = tf.mul(params.kernel, scale) as tf.Tensor2D;
  const recS = tf.mul(params.recurrentKernel, scale) as tf.Tensor2D;
  const biasS = tf.mul(params.bias, scale) as tf.Tensor1D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [kS, rS, bS] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const X = tf.tensor2d(x.data, [T * B, I]);
    const xw = tf.tidy(() => tf.add(tf.matMul(X, kS), bS));
    X.dispose();
    const rec = rS.dataSync() as Float32Array;
    const { h, saved } = kernelForward(T, B, H, xw.dataSync() as Float32Array, rec);
    xw.dispose();
    const gradFunc = (dy: tf.Tensor) => {
      const { dz, db } = kernelBackward(
        T,
        B,
        H,
        transposed(rec, H, 4 * H),
        saved,
        dy.dataSync() as Float32Array,
      );
      // xᵀ and h_prevᵀ built here: matMul with transposeA is ~10× slower than a plain one on tfjs-wasm.
      const hPrevT = new Float32Array(T * B * H);
      for (let r = B; r < T * B; r++) for (let j = 0; j < H; j++) hPrevT[j * T * B + r] = h[(r - B) * H + j]!;
      return tf.tidy(() => {
        const DZ = tf.tensor2d(dz, [T * B, 4 * H]);
        return [
          tf.matMul(tf.tensor2d(transposed(x.data, T * B, I), [I, T * B]), DZ),
          tf.matMul(tf.tensor2d(hPrevT, [H, T * B]), DZ),
          tf.tensor1d(db),
        ];
      });
    };
    return { value: tf.tensor2d(h, [T * B, H]), gradFunc };
  });
  return op(kernelS, recS, biasS) as tf.Tensor2D;
}

/**
 * Same contract as training/lstm.ts `lstmInfer`, the recurrence in the kernel, the input projection in chunks of
 * time so that memory grows with the hidden states only.
 * @returns time-major [time·batch, hidden]
 */
export function lstmInferFused(x: TimeMajorInput, params: LstmParams): tf.Tensor2D {
  const H = params.recurrentKernel.shape[0];
  const { time: T, batch: B, input: I } = x;
  const [kS, rS, bS] = tf.tidy(() => {
    const scale = gateScale(H);
    return [
      tf.mul(params.kernel, scale),
      tf.mul(params.recurrentKernel, scale),
      tf.mul(params.bias, scale),
    ] as const;
  });
  const h = kernelInfer(T, B, H, rS.dataSync() as Float32Array, (t0, steps) => {
    const xw = tf.tidy(() =>
      tf.add(
        tf.matMul(tf.tensor2d(x.data.subarray(t0 * B * I, (t0 + steps) * B * I), [steps * B, I]), kS),
        bS,
      ),
    );
    const data = xw.dataSync() as Float32Array;
    xw.dispose();
    return data;
  });
  tf.dispose([kS, rS, bS]);
  return tf.tensor2d(h, [T * B, H]);
}
