/** Regenerate model/onnx-proto.json (the protobufjs JSON descriptor) from model/onnx.proto: `npx tsx model/gen-onnx-proto-json.ts`. */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/** The descriptor of `onnx.proto` as protobufjs JSON, field names kept as written (snake_case, as in the ONNX spec). */
export async function onnxProtoDescriptor(): Promise<unknown> {
  const text = await readFile(fileURLToPath(new URL("./onnx.proto", import.meta.url)), "utf8");
  return protobuf.parse(text, { keepCase: true }).root.toJSON();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL("./onnx-proto.json", import.meta.url));
  await writeFile(out, `${JSON.stringify(await onnxProtoDescriptor(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
