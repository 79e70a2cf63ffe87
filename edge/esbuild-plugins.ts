/** esbuild plugins shared by the widget and worker builds. */
import type { Plugin } from "esbuild";

/**
 * Leave out zod's 40-odd translated error locales (`z.locales`, about 200 kB minified): soilco2 never switches the
 * locale, and English, zod's default, is imported on its own by zod.
 */
export const dropZodLocales: Plugin = {
  name: "drop-zod-locales",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "soilco2-empty" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "soilco2-empty" }, () => ({ contents: "export {};", loader: "js" }));
  },
};
