/**
 * Triton's binary tensor data extension (also in KServe's Open Inference Protocol): a JSON header of
 * `Inference-Header-Content-Length` bytes, then raw little-endian row-major tensors, in requests and answers.
 * Written here because no npm library speaks it on the server side.
 */
import { float32FromLE, writeFloat32LE } from "../model/float32-le.ts";
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
    out.set(i, float32FromLE(binary.subarray(at, at + size)));
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
 * A binary-extension body: the JSON header, then each tensor's little-endian FP32 bytes in order (what a request
 * and an answer both carry).
 * @returns the body and the JSON header's length in bytes (the `Inference-Header-Content-Length` value)
 */
export function encodeBinaryBody(
  header: unknown,
  tensors: readonly Float32Array[],
): { body: Uint8Array<ArrayBuffer>; jsonLength: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(json.length + tensors.reduce((s, t) => s + t.byteLength, 0));
  body.set(json, 0);
  let at = json.length;
  for (const t of tensors) {
    writeFloat32LE(body, at, t);
    at += t.byteLength;
  }
  return { body, jsonLength: json.length };
}

/**
 * An answer with binary outputs: the JSON header (each binary output with `parameters.binary_data_size`, no
 * `data`) followed by each output's bytes, little-endian FP32.
 * @example binaryResponse({ model_name: "m", outputs: [{ name: "efflux", ... }] }, [efflux])
 */
export function binaryResponse(header: unknown, tensors: readonly Float32Array[]): Response {
  const { body, jsonLength } = encodeBinaryBody(header, tensors);
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": "application/octet-stream", [INFERENCE_HEADER]: String(jsonLength) },
  });
}
