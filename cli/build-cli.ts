/**
 * `npm run build:cli` (also run by `npm ci`, as `prepare`): the command-line front end prebuilt as one JavaScript file,
 * so `soilco2 --help` and the option parsing start without the TypeScript loader. Written here because no tool does
 * this split: esbuild bundles what the CLI imports statically (command definitions, option parsers, a few constants)
 * into dist/cli.js, while every dynamic `import("…ts")` (each command's real work) stays a relative import of the
 * TypeScript source, loaded through tsx, which bin/soilco2.js registers just before a command's action runs.
 * dist/cli.meta.json lists the bundled sources: bin/soilco2.js uses the bundle only while none is newer than it.
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Where the bundle goes, relative to the repository root; one level deep, like cli/. */
export const CLI_BUNDLE = "dist/cli.js";
export const CLI_BUNDLE_META = "dist/cli.meta.json";

/** Build dist/cli.js and its list of inputs; returns the bundled source paths (relative to the root). */
export async function buildCli(root = ROOT): Promise<string[]> {
  const esbuild = await import("esbuild");
  const outDir = dirname(join(root, CLI_BUNDLE));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["cli/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    outfile: join(root, CLI_BUNDLE),
    metafile: true,
    logLevel: "warning",
    plugins: [
      {
        name: "sources-stay-lazy",
        setup(build) {
          build.onResolve({ filter: /\.ts$/ }, (args) => {
            if (args.kind !== "dynamic-import") return undefined;
            const target = resolve(args.resolveDir, args.path);
            const rel = relative(outDir, target).split("\\").join("/");
            return { path: rel.startsWith(".") ? rel : `./${rel}`, external: true };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile!.inputs).filter((p) => !p.includes("node_modules"));
  // inputs first: a bundle is only ever used with its list beside it
  await writeJsonAtomic(join(root, CLI_BUNDLE_META), { inputs: [...inputs, "package.json"] });
  await writeFileAtomic(join(root, CLI_BUNDLE), result.outputFiles![0]!.text);
  return inputs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const inputs = await buildCli();
    console.log(`${CLI_BUNDLE}: ${inputs.length} sources bundled`);
  } catch (err) {
    // Without esbuild (an install without dev dependencies) the CLI runs from its sources: slower to start, same.
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      console.log(
        `${CLI_BUNDLE} not built (esbuild is not installed): the CLI runs from its TypeScript sources`,
      );
    } else throw err;
  }
}
