// The container image holds what its entry point imports: every local module reachable from the CMD's script
// (static and dynamic imports, as esbuild resolves them) lies under a COPY line of deploy/Dockerfile and outside its
// .dockerignore, and every package it imports is a runtime dependency (the image prunes the dev ones).
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../ingest/cosore-path.ts";

const DOCKERFILE = readFileSync(join(REPO_ROOT, "deploy/Dockerfile"), "utf8");
const IGNORE = readFileSync(join(REPO_ROOT, "deploy/Dockerfile.dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const PKG = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
/** Build-time-only imports: the widget bundler runs while the image is made (RUN ... ensure-widget.ts), never after. */
const BUILD_TIME: Record<string, string[]> = { "edge/widget/build-widget.ts": ["esbuild"] };
/** Files the image builds itself (a RUN line), not copies: each with the script that makes it. */
const BUILT_IN_IMAGE: Record<string, string> = {
  "dist/cli.js": "cli/build-cli.ts",
  "model/onnx-pb.js": "model/node/gen-onnx-codec.ts",
};

/** `COPY <src>... <dest>` sources of the final stage, relative to the build context (the repository root). */
function copiedPaths(dockerfile: string): string[] {
  return dockerfile
    .split("\n")
    .filter((l) => /^COPY\s/.test(l))
    .flatMap((l) => l.trim().split(/\s+/).slice(1, -1))
    .filter((p) => !p.startsWith("--"))
    .map((p) => p.replace(/^\.\//, "").replace(/\/$/, ""));
}

const packageOf = (spec: string) =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;

describe("deploy/Dockerfile", () => {
  const cmd = /^CMD \[(.*)\]$/m
    .exec(DOCKERFILE)![1]!
    .split(",")
    .map((s) => JSON.parse(s.trim()) as string);

  it("copies every module the entry point imports, and installs every package it imports", async () => {
    expect(cmd.slice(0, 3)).toEqual(["node", "bin/soilco2.js", "serve"]);
    const result = await build({
      entryPoints: [join(REPO_ROOT, cmd[1]!)],
      bundle: true,
      write: false,
      outdir: "/tmp/soilco2-image-check",
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      metafile: true,
      logLevel: "silent",
      loader: { ".node": "empty" },
    });
    const copied = copiedPaths(DOCKERFILE);
    const local = Object.keys(result.metafile.inputs).map((p) => relative(REPO_ROOT, join(process.cwd(), p)));
    expect(local).toContain("serving/node/server.ts");
    expect(local).toContain("edge/demo/demo-app.ts"); // what `serve` imports from edge/ (the bug this test guards)
    const missing = local.filter(
      (f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)) && !(f in BUILT_IN_IMAGE),
    );
    expect(missing, `not copied by deploy/Dockerfile: ${missing.join(", ")}`).toEqual([]);
    const ignored = local.filter((f) => IGNORE.some((i) => f === i || f.startsWith(`${i}/`)));
    expect(ignored, `left out by .dockerignore: ${ignored.join(", ")}`).toEqual([]);

    const runtime = new Set([
      ...Object.keys(PKG.dependencies),
      ...Object.keys(PKG.optionalDependencies ?? {}),
    ]);
    const bad: string[] = [];
    for (const [file, input] of Object.entries(result.metafile.inputs)) {
      const rel = relative(REPO_ROOT, join(process.cwd(), file));
      for (const imp of input.imports) {
        if (!imp.external || imp.path.startsWith("node:") || builtinModules.includes(imp.path)) continue;
        const pkg = packageOf(imp.path);
        if (!runtime.has(pkg) && !(BUILD_TIME[rel] ?? []).includes(pkg)) bad.push(`${rel} imports ${pkg}`);
      }
    }
    expect(bad, "imports of packages the image prunes (dev dependencies)").toEqual([]);
  }, 60_000);

  it("builds the demo widget into the image before pruning the dev dependencies", () => {
    const build = DOCKERFILE.indexOf("edge/widget/ensure-widget.ts");
    expect(build).toBeGreaterThan(DOCKERFILE.indexOf("COPY edge ./edge"));
    expect(DOCKERFILE.indexOf("npm prune --omit=dev")).toBeGreaterThan(build);
  });

  it("installs the dev dependencies its build steps run (protobufjs-cli, esbuild) although NODE_ENV is production", () => {
    expect(DOCKERFILE).toMatch(/^ENV NODE_ENV=production$/m);
    const install = DOCKERFILE.split("\n").find((l) => /^RUN npm ci\b/.test(l));
    expect(install, "npm ci omits dev dependencies under NODE_ENV=production unless told").toMatch(
      /--include=dev/,
    );
  });

  it.each(Object.entries(BUILT_IN_IMAGE))(
    "builds %s in the image (by %s) after copying its sources and before pruning",
    (_file, script) => {
      const run = DOCKERFILE.split("\n").findIndex((l) => /^RUN\s/.test(l) && l.includes(`tsx ${script}`));
      expect(run).toBeGreaterThan(-1);
      const lines = DOCKERFILE.split("\n");
      const top = script.split("/")[0]!;
      expect(lines.indexOf(`COPY ${top} ./${top}`)).toBeGreaterThan(-1);
      expect(run).toBeGreaterThan(lines.indexOf(`COPY ${top} ./${top}`));
      expect(lines[run]!.indexOf("npm prune --omit=dev")).toBeGreaterThan(lines[run]!.indexOf(script));
    },
  );
});
