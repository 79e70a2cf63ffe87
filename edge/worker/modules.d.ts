/** Module types of the worker's non-JS imports: the ORT wasm (CompiledWasm) and the model (virtual module, see build-worker.ts). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

declare module "soilco2:model" {
  /** model.onnx as a Data module. */
  export const modelBytes: ArrayBuffer;
  /** manifest.json, parsed. */
  export const manifest: unknown;
  /** The model directory the worker was built from (for error messages). */
  export const modelDir: string;
}
