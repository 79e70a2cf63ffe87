/** Keras / tfjs LSTM weights (gates i, f, c, o) to the ONNX LSTM operator's W, R, B (gates i, o, f, c). */

/** For each ONNX gate block (i, o, f, c), the index of the same gate in the Keras layout (i, f, c, o). */
export const ONNX_TO_KERAS_GATE = [0, 3, 1, 2] as const;

/** Weights of one forward-direction ONNX LSTM, row-major. */
export interface OnnxLstmWeights {
  /** [1, 4·hidden, input] */
  W: Float32Array;
  /** [1, 4·hidden, hidden] */
  R: Float32Array;
  /** [1, 8·hidden]: input bias Wb (4·hidden) then recurrent bias Rb (4·hidden, zero: Keras has one bias). */
  B: Float32Array;
  hidden: number;
  input: number;
}

/**
 * Re-lay Keras LSTM weights for ONNX: transpose each gate's matrix and reorder the gates i, f, c, o -> i, o, f, c.
 * `W[0][j·H + u][k] = kernel[k][g·H + u]` where `g = ONNX_TO_KERAS_GATE[j]`; likewise R from the recurrent kernel.
 * @param kernel row-major [input, 4·hidden]
 * @param recurrent row-major [hidden, 4·hidden]
 * @param bias [4·hidden]
 * @example kerasToOnnxLstm(k, r, b, 64).W.length // 4·64·input
 */
export function kerasToOnnxLstm(
  kernel: ArrayLike<number>,
  recurrent: ArrayLike<number>,
  bias: ArrayLike<number>,
  hidden: number,
): OnnxLstmWeights {
  const H = hidden;
  const input = kernel.length / (4 * H);
  if (!Number.isInteger(input) || input < 1)
    throw new Error(`LSTM kernel has ${kernel.length} values, not a multiple of 4·hidden (${4 * H})`);
  if (recurrent.length !== H * 4 * H)
    throw new Error(`LSTM recurrent kernel has ${recurrent.length} values, expected ${H * 4 * H}`);
  if (bias.length !== 4 * H) throw new Error(`LSTM bias has ${bias.length} values, expected ${4 * H}`);
  const transposeGates = (m: ArrayLike<number>, rows: number): Float32Array => {
    const out = new Float32Array(4 * H * rows);
    ONNX_TO_KERAS_GATE.forEach((g, j) => {
      for (let u = 0; u < H; u++)
        for (let k = 0; k < rows; k++) out[(j * H + u) * rows + k] = m[k * 4 * H + g * H + u]!;
    });
    return out;
  };
  const B = new Float32Array(8 * H);
  ONNX_TO_KERAS_GATE.forEach((g, j) => {
    for (let u = 0; u < H; u++) B[j * H + u] = bias[g * H + u]!;
  });
  return { W: transposeGates(kernel, input), R: transposeGates(recurrent, H), B, hidden: H, input };
}
