/** Render a Vega-Lite spec to an SVG string server-side (no browser, no canvas). */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Compile and render to SVG.
 * @example const svg = await renderSvg({ data: { values }, mark: "line", encoding: { ... } })
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
