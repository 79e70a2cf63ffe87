/** onnxruntime-web settings shared by every edge runtime: the wasm backend with SIMD, one thread unless the host is cross-origin isolated. */
import type { Env } from "onnxruntime-common";

/** How to reach the ORT WebAssembly files; leave both out to let onnxruntime-web find them next to its script. */
export interface OrtWebOptions {
  /** Worker threads; default {@link defaultNumThreads}. */
  numThreads?: number;
  /** URL prefix (ending in `/`) of `ort-wasm-simd-threaded.wasm` and `.mjs`, or the URL of each (content-hashed names). */
  wasmPaths?: string | { wasm: string; mjs: string };
  /** The wasm binary itself (or a placeholder when the runtime instantiates a precompiled module, see worker/ort-workerd.ts). */
  wasmBinary?: Uint8Array;
}

/** Minimal view of the global object: browsers, workers, workerd and Node all fit. */
interface HostGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

/**
 * Threads for the wasm backend: `navigator.hardwareConcurrency` on a cross-origin isolated page (SharedArrayBuffer
 * available), otherwise 1 (no worker threads are started; Workers, Deno Deploy and most partner pages).
 * @example defaultNumThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 8 } }) // 8
 */
export function defaultNumThreads(host: HostGlobals = globalThis as HostGlobals): number {
  const cores = host.navigator?.hardwareConcurrency ?? 1;
  return host.crossOriginIsolated === true ? Math.max(1, Math.floor(cores)) : 1;
}

/**
 * Set `env.wasm` before the first session is created (onnxruntime-web reads it once, at initialisation).
 * @example configureOrtWeb(ort.env, { wasmPaths: new URL("./", import.meta.url).href })
 */
export function configureOrtWeb(env: Env, opts: OrtWebOptions = {}): void {
  env.wasm.simd = true;
  env.wasm.proxy = false;
  env.wasm.numThreads = opts.numThreads ?? defaultNumThreads();
  if (opts.wasmBinary) env.wasm.wasmBinary = opts.wasmBinary;
  else if (opts.wasmPaths) env.wasm.wasmPaths = opts.wasmPaths;
}
