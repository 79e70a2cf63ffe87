/** Module types for what esbuild loads as text (the uPlot stylesheet). */
declare module "*.css" {
  const text: string;
  export default text;
}
