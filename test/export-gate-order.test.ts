// Gate re-ordering Keras (i, f, c, o) -> ONNX (i, o, f, c), on weights whose every value names its gate, unit and row.
import { describe, expect, it } from "vitest";
import { kerasToOnnxLstm } from "../export/gate-order.ts";

describe("kerasToOnnxLstm on hand-checkable weights", () => {
  it("H=1, 2 inputs: W rows are the kernel columns in order i, o, f, c; B = [Wb, 0]", () => {
    // kernel [input 2, 4H]: column = gate (i 1x, f 2x, c 3x, o 4x), row k adds k.
    const kernel = [10, 20, 30, 40, 11, 21, 31, 41];
    const recurrent = [1, 2, 3, 4];
    const bias = [100, 200, 300, 400];
    const o = kerasToOnnxLstm(kernel, recurrent, bias, 1);
    expect(o.input).toBe(2);
    expect(Array.from(o.W)).toEqual([10, 11, 40, 41, 20, 21, 30, 31]);
    expect(Array.from(o.R)).toEqual([1, 4, 2, 3]);
    expect(Array.from(o.B)).toEqual([100, 400, 200, 300, 0, 0, 0, 0]);
  });

  it("H=2, 1 input: units stay together within each gate, R is transposed per gate", () => {
    const kernel = [1, 2, 3, 4, 5, 6, 7, 8]; // i0 i1 f0 f1 c0 c1 o0 o1
    // recurrent [H 2, 8]: value = 100·row + 10·gate + unit
    const recurrent = [0, 1, 10, 11, 20, 21, 30, 31, 100, 101, 110, 111, 120, 121, 130, 131];
    const bias = [1, 2, 3, 4, 5, 6, 7, 8];
    const o = kerasToOnnxLstm(kernel, recurrent, bias, 2);
    expect(Array.from(o.W)).toEqual([1, 2, 7, 8, 3, 4, 5, 6]);
    // R[0][(gate j, unit u)][k] = recurrent[k][gate g, unit u]
    expect(Array.from(o.R)).toEqual([0, 100, 1, 101, 30, 130, 31, 131, 10, 110, 11, 111, 20, 120, 21, 121]);
    expect(Array.from(o.B)).toEqual([1, 2, 7, 8, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("one LSTM step with ONNX equations on the re-laid weights equals the Keras step", () => {
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const H = 2;
    const I = 3;
    const kernel = Array.from({ length: I * 4 * H }, (_, i) => Math.sin(i + 1) * 0.7);
    const recurrent = Array.from({ length: H * 4 * H }, (_, i) => Math.cos(i + 2) * 0.5);
    const bias = Array.from({ length: 4 * H }, (_, i) => (i - 3) * 0.1);
    const x = [0.3, -1.2, 0.8];
    const h0 = [0.25, -0.5];
    const c0 = [0.1, 0.4];
    // Keras: z = x·kernel + h·recurrent + bias, gates i, f, c, o.
    const zK = Array.from({ length: 4 * H }, (_, col) => {
      let s = bias[col]!;
      for (let k = 0; k < I; k++) s += x[k]! * kernel[k * 4 * H + col]!;
      for (let k = 0; k < H; k++) s += h0[k]! * recurrent[k * 4 * H + col]!;
      return s;
    });
    const keras = [0, 1].map((u) => {
      const c = sig(zK[H + u]!) * c0[u]! + sig(zK[u]!) * Math.tanh(zK[2 * H + u]!);
      return sig(zK[3 * H + u]!) * Math.tanh(c);
    });
    // ONNX: z = W·x + R·h + Wb + Rb, gates i, o, f, c.
    const { W, R, B } = kerasToOnnxLstm(kernel, recurrent, bias, H);
    const zO = Array.from({ length: 4 * H }, (_, row) => {
      let s = B[row]! + B[4 * H + row]!;
      for (let k = 0; k < I; k++) s += W[row * I + k]! * x[k]!;
      for (let k = 0; k < H; k++) s += R[row * H + k]! * h0[k]!;
      return s;
    });
    const onnx = [0, 1].map((u) => {
      const c = sig(zO[2 * H + u]!) * c0[u]! + sig(zO[u]!) * Math.tanh(zO[3 * H + u]!);
      return sig(zO[H + u]!) * Math.tanh(c);
    });
    for (let u = 0; u < H; u++) expect(onnx[u]).toBeCloseTo(keras[u]!, 6);
  });

  it("refuses weights whose sizes do not fit the hidden size", () => {
    expect(() => kerasToOnnxLstm([1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4], 1)).toThrow(/multiple of 4/);
    expect(() => kerasToOnnxLstm([1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4], 1)).toThrow(/recurrent/);
    expect(() => kerasToOnnxLstm([1, 2, 3, 4], [1, 2, 3, 4], [1, 2], 1)).toThrow(/bias/);
  });
});
