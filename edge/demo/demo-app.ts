/** The `/demo` mount of `soilco2 serve`: the demo page, the widget bundle from edge/dist/widget and the served model's files (Node only). */
import { readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { Hono } from "hono";
import { MODEL_DIR_FILES } from "../../model/manifest.ts";
import { defaultModelDir } from "../../model/node/model-dirs.ts";
import { WIDGET_OUT } from "../dist-paths.ts";

const gzipAsync = promisify(gzip);
const DEMO_DIR = fileURLToPath(new URL("./", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
};

/** Where the demo's files come from. */
export interface DemoOptions {
  /** The model directory the widget runs in the page (served as `widget/model/`), or a function finding it on first use. */
  modelDir: string | (() => Promise<string>);
  /** The built widget (`npm run build:edge`); default edge/dist/widget. */
  widgetDir?: string;
}

/**
 * A Hono sub-app: `GET /` the demo page, `GET /site-<id>.json` its drivers, `GET /widget/<file>` the widget bundle,
 * `GET /widget/model/{manifest.json,model.onnx}` the model, which is the element's default `model`.
 * @example app.route("/demo", createDemoApp({ modelDir: "models/soilco2-lstm" }))
 */
export function createDemoApp(opts: DemoOptions): Hono {
  const widgetDir = opts.widgetDir ?? WIDGET_OUT;
  let modelDir: Promise<string> | undefined;
  const findModel = () => {
    modelDir ??= typeof opts.modelDir === "string" ? Promise.resolve(opts.modelDir) : opts.modelDir();
    modelDir.catch(() => {
      modelDir = undefined;
    });
    return modelDir;
  };
  const app = new Hono();
  // mounted at /demo, "/" is "/demo": relative URLs in the page need "/demo/"
  app.get("/", (c) =>
    c.req.path.endsWith("/") ? sendFile(join(DEMO_DIR, "index.html"), c.req) : c.redirect(`${c.req.path}/`),
  );
  app.get("/*", async (c) => {
    const mount = c.req.routePath.replace(/\/\*$/, ""); // e.g. "/demo"
    const rest = decodePath(c.req.path.slice(mount.length + 1));
    if (rest === undefined) return c.text("bad request: the path is not valid percent-encoding", 400);
    const file = routeFile(rest, rest.startsWith("widget/model/") ? await findModel() : "", widgetDir);
    if (!file) return c.text("not found", 404);
    const res = await sendFile(file, c.req);
    if (res.status === 404 && rest === "widget/soil-co2-chart.js")
      return c.text(
        "the widget is not built: `soilco2 serve` builds it at start when esbuild is installed (`npm ci`); or run `npm run build:edge` and restart the server",
        503,
      );
    return res;
  });
  return app;
}

/**
 * The `/demo` mount for `soilco2 serve`: the widget runs the server's default model (see `defaultModelDir`).
 * @example createApp({ registry, mounts: [demoMount("models")] })
 */
export function demoMount(modelRoot: string, opts: { widgetDir?: string } = {}): { path: string; app: Hono } {
  return { path: "/demo", app: createDemoApp({ ...opts, modelDir: () => defaultModelDir(modelRoot) }) };
}

/** A percent-encoded path segment decoded, or undefined when it is not valid encoding (`%ZZ`). */
function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The file behind a path below the mount, or undefined for anything not listed (no directory traversal). */
function routeFile(rest: string, modelDir: string, widgetDir: string): string | undefined {
  if (rest === "" || rest === "index.html") return join(DEMO_DIR, "index.html");
  if (/^site-[\w.-]+\.json$/.test(rest)) return join(DEMO_DIR, rest);
  if (rest === "widget/model/manifest.json") return join(modelDir, MODEL_DIR_FILES.manifest);
  if (rest === "widget/model/model.onnx") return join(modelDir, MODEL_DIR_FILES.model);
  const m = /^widget\/([\w-]+\.(?:js|mjs|wasm))$/.exec(rest);
  return m ? join(widgetDir, m[1]!) : undefined;
}

/** Files compressed once per process when the build left no `.gz` twin, as a CDN would. */
const gzipped = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/** A content-hashed name (build-widget's `-<10 hex>` ORT files, esbuild's `-<8 chars>` chunks): never changes. */
const IMMUTABLE = /-(?:[0-9a-f]{10}|[A-Z0-9]{8})\.(?:js|mjs|wasm)$/;

/**
 * A file with a weak ETag (size and mtime): a returning browser gets 304 and reuses its cache. Content-hashed
 * names are `immutable` for a year (no revalidation at all, and V8 keeps the compiled wasm). Files over 1 MB go
 * out gzip-compressed when the client accepts it: the build's `.gz` twin (the 15 MB ORT wasm is 3.7 MB), else
 * compressed once per process.
 */
async function sendFile(path: string, req?: { header(name: string): string | undefined }): Promise<Response> {
  let info: { size: number; mtimeMs: number };
  try {
    info = await stat(path);
  } catch {
    return new Response("not found", { status: 404 });
  }
  const etag = `W/"${info.size.toString(36)}-${Math.round(info.mtimeMs).toString(36)}"`;
  const headers: Record<string, string> = {
    "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    "cache-control": IMMUTABLE.test(path) ? "public, max-age=31536000, immutable" : "no-cache",
    etag,
    "access-control-allow-origin": "*",
  };
  if (req?.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const gzipOk = info.size > 1_000_000 && /\bgzip\b/.test(req?.header("accept-encoding") ?? "");
  if (gzipOk) {
    const key = `${path}@${etag}`;
    let z = gzipped.get(key);
    if (!z) {
      z = readFile(`${path}.gz`)
        .catch(async () => gzipAsync(await readFile(path)))
        .then((b) => new Uint8Array(b));
      gzipped.set(key, z);
    }
    return new Response(await z, {
      headers: { ...headers, "content-encoding": "gzip", vary: "accept-encoding" },
    });
  }
  const body = new Uint8Array(await readFile(path));
  return new Response(body, { headers });
}
