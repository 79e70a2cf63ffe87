/** Read a model's top-level ModelProto fields (IR, opsets, producer, metadata) straight from the wire format: no protobufjs, no eval, so it runs on workerd too. */

/** The ModelProto fields a runtime checks before loading a model; the graph is skipped, not decoded. */
export interface ModelHeader {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  metadata_props: { key: string; value: string }[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A cursor over protobuf wire format (https://protobuf.dev/programming-guides/encoding/). */
function reader(bytes: Uint8Array, start = 0, end = bytes.length) {
  let pos = start;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Error("truncated varint");
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new Error("varint longer than 10 bytes");
  };
  const skip = (wire: number): void => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const n = varint(); // read before adding: `pos += varint()` would add to the old pos
      pos += n;
    } else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (pos > end) throw new Error("field runs past the end of the message");
  };
  return {
    done: () => pos >= end,
    /** Next field number and wire type. */
    tag: () => {
      const t = varint();
      return { field: Math.floor(t / 8), wire: t & 7 };
    },
    varint,
    skip,
    /** A length-delimited field as [start, end). */
    span: (): [number, number] => {
      const n = varint();
      const s = pos;
      pos += n;
      if (pos > end) throw new Error("field runs past the end of the message");
      return [s, pos];
    },
  };
}

/** Decode a message of string (wire 2) and varint (wire 0) fields into a field-number map, skipping others. */
function smallMessage(bytes: Uint8Array, start: number, end: number): Map<number, string | number> {
  const r = reader(bytes, start, end);
  const out = new Map<number, string | number>();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === 2) {
      const [s, e] = r.span();
      out.set(field, utf8.decode(bytes.subarray(s, e)));
    } else if (wire === 0) out.set(field, r.varint());
    else r.skip(wire);
  }
  return out;
}

/**
 * Read the header fields of a serialised ModelProto (field numbers from onnx.proto: ir_version 1, producer_name 2,
 * producer_version 3, opset_import 8, metadata_props 14).
 * @throws {Error} if the bytes are not well-formed protobuf
 * @example readModelHeader(bytes).metadata_props.find((p) => p.key === "soilco2.schema")
 */
export function readModelHeader(bytes: Uint8Array): ModelHeader {
  const h: ModelHeader = {
    ir_version: 0,
    opset_import: [],
    producer_name: "",
    producer_version: "",
    metadata_props: [],
  };
  const r = reader(bytes);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 0) h.ir_version = r.varint();
    else if ((field === 2 || field === 3 || field === 8 || field === 14) && wire === 2) {
      const [s, e] = r.span();
      if (field === 2) h.producer_name = utf8.decode(bytes.subarray(s, e));
      else if (field === 3) h.producer_version = utf8.decode(bytes.subarray(s, e));
      else {
        const m = smallMessage(bytes, s, e);
        if (field === 8)
          h.opset_import.push({ domain: String(m.get(1) ?? ""), version: Number(m.get(2) ?? 0) });
        else h.metadata_props.push({ key: String(m.get(1) ?? ""), value: String(m.get(2) ?? "") });
      }
    } else r.skip(wire);
  }
  return h;
}
