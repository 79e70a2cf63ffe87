/** Regenerate the static ONNX protobuf codec (model/onnx-pb.js and its types, model/onnx-pb.d.ts) from model/onnx.proto: `npm run gen:onnx-codec`. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** Static code, no reflection and so no eval (workerd forbids it); encode and decode only; int64 as number. */
const PBJS_ARGS = [
  ...["-t", "static-module", "-w", "es6", "--keep-case", "--force-number"],
  ...["--no-create", "--no-verify", "--no-convert", "--no-delimited", "--no-typeurl", "--no-service"],
];
const HEADER =
  "// GENERATED from model/onnx.proto by `npm run gen:onnx-codec` (protobufjs-cli pbjs + pbts). Do not edit.\n";

/** Run a protobufjs-cli command in its own process: its output must not depend on how this process set up protobufjs. */
const run = (bin: "pbjs" | "pbts", args: string[]) =>
  promisify(execFile)(process.execPath, [
    createRequire(import.meta.url).resolve(`protobufjs-cli/bin/${bin}`),
    ...args,
  ]);

/** The codec's two files as `npm run gen:onnx-codec` writes them. */
export async function generateOnnxCodec(): Promise<{ js: string; dts: string }> {
  const dir = await mkdtemp(join(tmpdir(), "soilco2-onnx-codec-"));
  try {
    const proto = fileURLToPath(new URL("../onnx.proto", import.meta.url));
    const documented = join(dir, "onnx-pb.documented.js");
    const js = join(dir, "onnx-pb.js");
    const dts = join(dir, "onnx-pb.d.ts");
    // pbts reads the types from pbjs's JSDoc; the committed module itself goes without those comments
    await run("pbjs", [...PBJS_ARGS, "-o", documented, proto]);
    await run("pbts", ["--no-comments", "-o", dts, documented]);
    await run("pbjs", [...PBJS_ARGS, "--no-comments", "-o", js, proto]);
    return { js: HEADER + (await readFile(js, "utf8")), dts: HEADER + (await readFile(dts, "utf8")) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { js, dts } = await generateOnnxCodec();
  await writeFile(new URL("../onnx-pb.js", import.meta.url), js);
  await writeFile(new URL("../onnx-pb.d.ts", import.meta.url), dts);
  console.log("wrote model/onnx-pb.js and model/onnx-pb.d.ts");
}
