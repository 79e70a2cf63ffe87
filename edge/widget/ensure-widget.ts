/**
 * `soilco2 serve` builds the `<soil-co2-chart>` bundle itself when it is missing or older than its sources, so
 * `npm ci && npm start` shows the demo chart with no other step. Builds into a private folder and swaps it in, so
 * servers starting at once never see a half-written bundle. esbuild is loaded only when a build is needed.
 */
import { readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WIDGET_OUT } from "../dist-paths.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RECORD = "build.json"; // = BUILD_RECORD in build-widget.ts (not imported: that module loads esbuild)

/** Why the bundle in `dir` must be (re)built, or undefined when it is up to date. */
export async function widgetStaleness(dir: string = WIDGET_OUT): Promise<string | undefined> {
  let record: { builtAt: number; inputs: string[]; ort: Record<string, string> };
  try {
    record = JSON.parse(await readFile(join(dir, RECORD), "utf8"));
  } catch {
    return "not built yet";
  }
  for (const f of ["soil-co2-chart.js", ...Object.values(record.ort)])
    if (!(await stat(join(dir, f)).catch(() => undefined))) return `${f} is missing`;
  for (const input of record.inputs) {
    const info = await stat(join(ROOT, input)).catch(() => undefined);
    if (!info) return `${input} is gone`;
    if (info.mtimeMs > record.builtAt) return `${input} changed`;
  }
  return undefined;
}

/** What {@link ensureWidget} did. */
export type WidgetState =
  | { state: "up to date"; dir: string }
  | { state: "built"; dir: string; why: string; seconds: number }
  | { state: "stale"; dir: string; why: string }
  | { state: "unavailable"; dir: string; why: string };

/**
 * Build the widget into `dir` (default edge/dist/widget) when it is missing or stale. Never throws: when esbuild
 * is not installed (a production install, e.g. the container image, which builds the widget when it is made) or the
 * build fails, an existing bundle is kept (`stale`), else the demo answers 503 with the fix (`unavailable`).
 * @example const w = await ensureWidget(); console.log(w.state);
 */
export async function ensureWidget(dir: string = WIDGET_OUT): Promise<WidgetState> {
  const why = await widgetStaleness(dir);
  if (!why) return { state: "up to date", dir };
  const t0 = performance.now();
  const tmp = `${dir.replace(/\/$/, "")}.tmp-${process.pid}-${Date.now()}`;
  try {
    const { buildWidget } = await import("./build-widget.ts");
    await buildWidget({ outDir: tmp });
    // swap in: move the old bundle aside, then the new one in; another server that won the race keeps its bundle
    const old = `${tmp}.old`;
    await rename(dir, old).catch(() => {});
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
    });
    await rm(old, { recursive: true, force: true });
    return { state: "built", dir, why, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    const kept = await stat(join(dir, "soil-co2-chart.js")).catch(() => undefined);
    return { state: kept ? "stale" : "unavailable", dir, why: `${why}, and building it failed: ${message}` };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// `npx tsx edge/widget/ensure-widget.ts`: build now if needed (the container image runs this when it is made)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const w = await ensureWidget();
  console.log(`widget ${w.state}: ${w.dir}${"why" in w ? ` (${w.why})` : ""}`);
  if (w.state === "unavailable" || w.state === "stale") process.exitCode = 1;
}
