/**
 * Triton's binary tensor data extension (also in KServe's Open Inference Protocol): a JSON header of
 * `Inference-Header-Content-Length` bytes, then raw little-endian row-major tensors, in requests and answers.
 * Written here because no npm library speaks it on the server side.
 */
import { HttpError, readJson } from "./errors.ts";

/** The HTTP header giving the JSON header's length in bytes. */
export const INFERENCE_HEADER = "Inference-Header-Content-Length";

const bad = (message: string, hint: string, path?: string) =>
  new HttpError(400, "invalid_input", message, hint, path ? { path } : {});

/** A request body: its JSON header and the bytes after it (empty without the extension). */
export interface InferBody {
  json: unknown;
  binary: Uint8Array;
}

/**
 * Read an infer request body: all JSON, or with `Inference-Header-Content-Length` a JSON header and binary tensors.
 * @throws {HttpError} 400 for a bad header length or JSON
 */
export async function readInferBody(req: Request): Promise<InferBody> {
  const header = req.headers.get(INFERENCE_HEADER);
  if (header === null) return { json: await readJson(req), binary: new Uint8Array(0) };
  const bytes = new Uint8Array(await req.arrayBuffer());
  const n = /^\d{1,12}$/.test(header.trim()) ? Number(header) : Number.NaN;
  if (!(n > 0 && n <= bytes.length))
    throw bad(
      `${INFERENCE_HEADER} is ${JSON.stringify(header.slice(0, 20))} for a body of ${bytes.length} bytes`,
      "give the JSON header's length in bytes, at most the body's",
    );
  const text = new TextDecoder().decode(bytes.subarray(0, n));
  return { json: await readJson({ text: async () => text }), binary: bytes.subarray(n) };
}

/** Whether this host stores floats little-endian (the wire order), so bytes copy as they are. */
const HOST_LE = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** Little-endian FP32 bytes [4n] as a fresh Float32Array [n]: one copy on a little-endian host. */
function readFloat32LE(bytes: Uint8Array): Float32Array {
  if (HOST_LE) {
    const out = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let k = 0; k < values.length; k++) values[k] = view.getFloat32(k * 4, true);
  return values;
}

/**
 * Cut the binary tensors of the inputs that carry `parameters.binary_data_size`, in input order, as FP32.
 * @returns index in `inputs` → values
 * @throws {HttpError} 400 when the sizes do not add up to the bytes sent, or a size is not a whole FP32 count
 */
export function binaryInputs(
  inputs: readonly { parameters?: Record<string, unknown> | undefined }[],
  binary: Uint8Array,
): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  let at = 0;
  inputs.forEach((input, i) => {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) return;
    const where = `inputs[${i}].parameters.binary_data_size`;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size % 4 !== 0)
      throw bad(
        `${where}: ${JSON.stringify(size)} is not a whole number of FP32 bytes`,
        "send 4 × elements",
        where,
      );
    if (at + size > binary.length)
      throw bad(
        `${where}: ${size} bytes from byte ${at}, but only ${binary.length} binary bytes follow the JSON`,
        "send every input's bytes after the JSON header, in input order",
        where,
      );
    out.set(i, readFloat32LE(binary.subarray(at, at + size)));
    at += size;
  });
  if (at !== binary.length)
    throw bad(
      `${binary.length - at} bytes after the JSON header belong to no input`,
      "set binary_data_size on each binary input, or leave out Inference-Header-Content-Length",
    );
  return out;
}

/**
 * An answer with binary outputs: the JSON header (each binary output with `parameters.binary_data_size`, no
 * `data`) followed by each output's bytes, little-endian FP32.
 * @example binaryResponse({ model_name: "m", outputs: [{ name: "efflux", ... }] }, [efflux])
 */
export function binaryResponse(header: unknown, tensors: readonly Float32Array[]): Response {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const size = tensors.reduce((s, t) => s + t.length * 4, 0);
  const body = new Uint8Array(json.length + size);
  body.set(json, 0);
  const view = new DataView(body.buffer);
  let at = json.length;
  for (const t of tensors) {
    if (HOST_LE) body.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), at);
    else for (let k = 0; k < t.length; k++) view.setFloat32(at + 4 * k, t[k]!, true);
    at += t.byteLength;
  }
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": "application/octet-stream", [INFERENCE_HEADER]: String(json.length) },
  });
}
