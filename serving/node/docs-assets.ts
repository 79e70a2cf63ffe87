/** Swagger UI's files from the installed swagger-ui-dist package, so `/docs` works offline (Node only). */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";

/** Where `/docs` finds them: `<DOCS_ASSETS_BASE>/swagger-ui-dist/<file>` (the layout @hono/swagger-ui asks for). */
export const DOCS_ASSETS_BASE = "/docs/assets";
const FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/**
 * The mount serving swagger-ui.css and swagger-ui-bundle.js (cached a day; the version is in the ETag).
 * @example createApp({ registry, docsAssetsBase: DOCS_ASSETS_BASE, mounts: [docsAssetsMount()] })
 */
export function docsAssetsMount(): { path: string; app: Hono } {
  const pkg = createRequire(import.meta.url).resolve("swagger-ui-dist/package.json");
  const dir = dirname(pkg);
  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  const app = new Hono().get("/:file", async (c) => {
    const file = c.req.param("file");
    const type = FILES[file];
    if (!type) return c.text("not found", 404);
    let body = cache.get(file);
    if (!body) {
      body = readFile(join(dir, file)).then((b) => new Uint8Array(b));
      cache.set(file, body);
    }
    return c.body(await body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
  return { path: `${DOCS_ASSETS_BASE}/swagger-ui-dist`, app };
}
