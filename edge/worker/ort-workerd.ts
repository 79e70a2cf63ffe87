/** onnxruntime-web on Cloudflare Workers (workerd): hand it the ORT wasm imported as a precompiled module, since Workers refuse to compile wasm bytes at run time. */
import type { OrtWebOptions } from "../ort-web-env.ts";

/** A few bytes that stand for the wasm binary: onnxruntime-web only needs `wasmBinary` set to skip fetching a URL. */
const PLACEHOLDER = new Uint8Array([0x73, 0x6f, 0x69, 0x6c]);

/**
 * Make onnxruntime-web instantiate `module` (the `CompiledWasm` import of `ort-wasm-simd-threaded.wasm`):
 * returns the `OrtWebOptions` to pass when creating the first session. Its emscripten loader calls
 * `WebAssembly.instantiate(bytes, imports)`; for our placeholder bytes this instantiates the precompiled module
 * instead, every other call goes through unchanged. One thread: Workers have no SharedArrayBuffer threads.
 * @example import wasm from "./ort-wasm-simd-threaded.wasm"; const opts = useCompiledOrtWasm(wasm);
 */
export function useCompiledOrtWasm(module: WebAssembly.Module): OrtWebOptions {
  const wa = WebAssembly as { instantiate: (...args: unknown[]) => Promise<unknown> };
  const original = wa.instantiate.bind(WebAssembly);
  wa.instantiate = async (source: unknown, imports: unknown) => {
    if (source instanceof Uint8Array && sameBytes(source, PLACEHOLDER)) {
      const instance = await original(module, imports);
      return { instance, module };
    }
    return original(source, imports);
  };
  return { wasmBinary: PLACEHOLDER, numThreads: 1 };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
