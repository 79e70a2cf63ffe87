/** Loader and typed calls of the fused LSTM recurrence in WebAssembly SIMD (training/kernels/lstm.c → lstm.wasm). */
import { readFileSync } from "node:fs";

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  lstm_forward(
    T: number,
    B: number,
    H: number,
    R: number,
    S: number,
    C: number,
    TC: number,
    Hs: number,
  ): void;
  lstm_infer(
    T: number,
    B: number,
    H: number,
    R: number,
    Z: number,
    h: number,
    c: number,
    tc: number,
    Hs: number,
    first: number,
  ): void;
  lstm_backward(
    T: number,
    B: number,
    H: number,
    RT: number,
    S: number,
    C: number,
    TC: number,
    dY: number,
    DZ: number,
    dB: number,
    dh: number,
    dc: number,
  ): void;
}

let kernel: KernelExports | null | undefined;

/** The kernel's instance (one per thread), or null where WebAssembly SIMD is unavailable. */
function instance(): KernelExports | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = readFileSync(new URL("./kernels/lstm.wasm", import.meta.url));
    kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as KernelExports;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Whether the fused kernel serves an LSTM of `hidden` units here (WebAssembly SIMD loads, hidden % 4 == 0). */
export function kernelAvailable(hidden: number): boolean {
  return hidden % 4 === 0 && instance() !== null && process.env.SOILCO2_LSTM_KERNEL !== "off";
}

/** Views of consecutive float32 arrays of the given lengths in the kernel's memory (grown as needed). */
function arena(k: KernelExports, lengths: readonly number[]): { ptr: number[]; view: Float32Array[] } {
  const base = ((k.__heap_base.value as number) + 15) & ~15;
  const ptr: number[] = [];
  let at = base;
  for (const n of lengths) {
    ptr.push(at);
    at += (n * 4 + 15) & ~15;
  }
  const need = at - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  const view = ptr.map((p, i) => new Float32Array(k.memory.buffer, p, lengths[i]));
  return { ptr, view };
}

/** What the backward pass needs from the forward: gates S [T·B, 4H], cells C and tanh(cells) TC [T·B, H]. */
export interface KernelSaved {
  S: Float32Array;
  C: Float32Array;
  TC: Float32Array;
}

/**
 * Forward over a window with gates kept for {@link kernelBackward}.
 * @param xw [T·B, 4H] x·W_s + b_s (scaled, see training/lstm.ts)
 * @param recS [H, 4H] scaled recurrent kernel
 * @returns hidden states H [T·B, H] and the saved gates
 */
export function kernelForward(
  T: number,
  B: number,
  H: number,
  xw: Float32Array,
  recS: Float32Array,
): { h: Float32Array; saved: KernelSaved } {
  const k = instance()!;
  const n = T * B * H;
  const { ptr, view } = arena(k, [H * 4 * H, 4 * n, n, n, n]);
  view[0]!.set(recS);
  view[1]!.set(xw);
  k.lstm_forward(T, B, H, ptr[0]!, ptr[1]!, ptr[2]!, ptr[3]!, ptr[4]!);
  return { h: view[4]!.slice(), saved: { S: view[1]!.slice(), C: view[2]!.slice(), TC: view[3]!.slice() } };
}

/**
 * Backward through time.
 * @param recT [4H, H] transpose of the scaled recurrent kernel
 * @param dy [T·B, H] dL/dh from above
 * @returns dL/d(scaled pre-activation) dz [T·B, 4H] and its column sums db [4H]
 */
export function kernelBackward(
  T: number,
  B: number,
  H: number,
  recT: Float32Array,
  saved: KernelSaved,
  dy: Float32Array,
): { dz: Float32Array; db: Float32Array } {
  const k = instance()!;
  const n = T * B * H;
  const { ptr, view } = arena(k, [4 * H * H, 4 * n, n, n, n, 4 * n, 4 * H, B * H, B * H]);
  view[0]!.set(recT);
  view[1]!.set(saved.S);
  view[2]!.set(saved.C);
  view[3]!.set(saved.TC);
  view[4]!.set(dy);
  k.lstm_backward(T, B, H, ptr[0]!, ptr[1]!, ptr[2]!, ptr[3]!, ptr[4]!, ptr[5]!, ptr[6]!, ptr[7]!, ptr[8]!);
  return { dz: view[5]!.slice(), db: view[6]!.slice() };
}

/** Time steps per call of the forward-only kernel: bounds its memory for long series. */
const INFER_CHUNK = 64;

/**
 * Forward-only over a long series, in chunks of time so that memory stays bounded.
 * @param xwAt returns x·W_s + b_s [steps·B, 4H] for time steps [t0, t0 + steps)
 * @returns hidden states [T·B, H]
 */
export function kernelInfer(
  T: number,
  B: number,
  H: number,
  recS: Float32Array,
  xwAt: (t0: number, steps: number) => Float32Array,
): Float32Array {
  const k = instance()!;
  const out = new Float32Array(T * B * H);
  const steps = Math.min(T, INFER_CHUNK);
  const { ptr, view } = arena(k, [H * 4 * H, steps * B * 4 * H, B * H, B * H, B * H, steps * B * H]);
  view[0]!.set(recS);
  for (let t0 = 0; t0 < T; t0 += steps) {
    const m = Math.min(steps, T - t0);
    view[1]!.set(xwAt(t0, m));
    k.lstm_infer(m, B, H, ptr[0]!, ptr[1]!, ptr[2]!, ptr[3]!, ptr[4]!, ptr[5]!, t0 === 0 ? 1 : 0);
    out.set(view[5]!.subarray(0, m * B * H), t0 * B * H);
  }
  return out;
}
