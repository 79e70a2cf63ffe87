/** Little-endian float32 bytes (ONNX `raw_data`, KServe v2 binary tensors) to and from numbers: a plain copy on a little-endian host. */

/** Whether this host stores floats little-endian (the wire order), so bytes copy as they are. */
const HOST_LE = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/**
 * Little-endian FP32 bytes [4n] as a fresh Float32Array [n] (aligned, whatever the bytes' offset).
 * @example float32FromLE(tensor.raw_data)
 */
export function float32FromLE(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  if (HOST_LE) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat32(k * 4, true);
  return out;
}

/**
 * Write `values` as little-endian FP32 into `into` from byte `at` (4 bytes each).
 * @example writeFloat32LE(body, json.length, efflux)
 */
export function writeFloat32LE(into: Uint8Array, at: number, values: ArrayLike<number>): void {
  if (HOST_LE && values instanceof Float32Array) {
    into.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  for (let k = 0; k < values.length; k++) view.setFloat32(at + 4 * k, values[k]!, true);
}
