/** Module types for what esbuild loads as text (the uPlot stylesheet) and the constants build-widget.ts defines. */
declare module "*.css" {
  const text: string;
  export default text;
}

/** File name of the content-hashed ORT wasm next to the widget's chunks (esbuild `define`). */
declare const __ORT_WASM__: string;
/** File name of the content-hashed ORT .mjs loader next to the widget's chunks (esbuild `define`). */
declare const __ORT_MJS__: string;
