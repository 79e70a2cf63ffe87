/** KServe v2 tensors (JSON or binary) to the model's raw inputs: shapes checked, `null`/NaN read as a gap, values checked by core/value-checks. */
import type { z } from "zod";
import type { RawBatch } from "../core/batch.ts";
import type { RequestLimits } from "../core/limits.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import {
  type ColumnCheck,
  checkOneHot,
  checkRange,
  dynamicColumnChecks,
  staticColumnChecks,
} from "../core/value-checks.ts";
import { INPUT_DYNAMIC, INPUT_STATIC } from "../model/graph-contract.ts";
import { HttpError } from "./errors.ts";
import type { v2InferRequestZ } from "./schemas.ts";

/** The only datatype the model takes and gives. */
export const V2_DATATYPE = "FP32";

type InferRequest = z.infer<typeof v2InferRequestZ>;
type Column = ColumnCheck;

const bad = (
  path: string,
  message: string,
  hint = "see GET /v2/models/<name> for the tensors this model takes",
) => new HttpError(400, "invalid_input", `${path}: ${message}`, hint, { path });

/** The model's input tensors as KServe v2 metadata: `[-1, -1, Dd]` and `[-1, Ds]` (outputs: serving/v2-outputs.ts). */
export function v2InputMetadata(schema: ModelSchema) {
  return [
    { name: INPUT_DYNAMIC, datatype: V2_DATATYPE, shape: [-1, -1, schema.dynamic.length] },
    { name: INPUT_STATIC, datatype: V2_DATATYPE, shape: [-1, staticWidth(schema)] },
  ];
}

/**
 * Whether `data` is flat or nested as `shape` (every level as long as its axis, numbers only at the last level).
 * @throws {HttpError} for ragged or too deep nesting, or a mix of both layouts
 */
function layout(data: readonly unknown[], shape: readonly number[], path: string): "flat" | "nested" {
  if (!data.some((v) => Array.isArray(v))) return "flat";
  const walk = (level: readonly unknown[], depth: number, at: string): void => {
    if (level.length !== shape[depth])
      throw bad(
        at,
        `has ${level.length} entries where the shape [${shape.join(", ")}] has ${shape[depth]}`,
        "send data flat, row-major",
      );
    const leaf = depth === shape.length - 1;
    level.forEach((v, i) => {
      if (Array.isArray(v) === leaf)
        throw bad(
          `${at}[${i}]`,
          leaf ? "nests deeper than the shape" : "mixes nested and flat values",
          "send data flat, row-major",
        );
      if (!leaf) walk(v as unknown[], depth + 1, `${at}[${i}]`);
    });
  };
  walk(data, 0, path);
  return "nested";
}

/** The refusal of a gap in a column that allows none (the same words for JSON and binary data). */
const required = (col: Column) =>
  `${col.name} is required (a gap, null in JSON or NaN in binary data, is not allowed in this column)`;

/** Write the leaves of `data` into `out` from `at`, checking each against its column; returns the next index. */
function fill(
  data: readonly unknown[] | Float32Array,
  out: Float32Array,
  at: number,
  cols: readonly Column[],
  where: (i: number) => string,
): number {
  let k = at;
  for (const v of data) {
    if (Array.isArray(v)) {
      k = fill(v as unknown[], out, k, cols, where);
      continue;
    }
    const col = cols[k % cols.length]!;
    if (v === null || (typeof v === "number" && Number.isNaN(v))) {
      if (!col.gapAllowed) throw bad(where(k), required(col));
      out[k++] = Number.NaN;
      continue;
    }
    if (typeof v !== "number")
      throw bad(
        where(k),
        `expected a number or null, got ${typeof v === "string" ? `the string ${JSON.stringify(v).slice(0, 40)}` : typeof v}`,
        "send null for a gap: JSON has no NaN",
      );
    checkRange(v, col, where(k));
    out[k++] = v;
  }
  return k;
}

/**
 * Check binary values [size] in place, column by column (the binary extension's path: one tight loop over a typed
 * array; `fill`'s per-element type tests made it cost more than the JSON path). NaN is a gap.
 */
function checkTyped(data: Float32Array, checks: ColumnSet, where: (i: number) => string): void {
  const { cols, min, max } = checks;
  const n = cols.length;
  for (let row = 0; row < data.length; row += n)
    for (let c = 0; c < n; c++) {
      const v = data[row + c]!;
      if (v >= min[c]! && v <= max[c]!) continue;
      const col = cols[c]!;
      if (!Number.isNaN(v)) checkRange(v, col, where(row + c));
      else if (!col.gapAllowed) throw bad(where(row + c), required(col));
    }
}

/** A tensor's column checks, with their bounds as arrays for the typed loop. */
interface ColumnSet {
  cols: readonly Column[];
  min: Float64Array;
  max: Float64Array;
}
const columnSet = (cols: Column[]): ColumnSet =>
  Object.freeze({
    cols: Object.freeze(cols.map((c) => Object.freeze(c))),
    min: Float64Array.from(cols, (c) => c.min),
    max: Float64Array.from(cols, (c) => c.max),
  });

/** Column checks per schema, built once (frozen: a request reads them, never changes them). */
const checksOf = new WeakMap<ModelSchema, { dynamic: ColumnSet; static: ColumnSet }>();
function columnChecks(schema: ModelSchema) {
  let checks = checksOf.get(schema);
  if (!checks) {
    checks = {
      dynamic: columnSet(dynamicColumnChecks(schema)),
      static: columnSet(staticColumnChecks(schema)),
    };
    checksOf.set(schema, checks);
  }
  return checks;
}

function readTensor(
  input: InferRequest["inputs"][number],
  index: number,
  rank: number,
  checks: ColumnSet,
  limits: RequestLimits,
  binary: Float32Array | undefined,
): { data: Float32Array; shape: number[] } {
  const path = `inputs[${index}]`;
  const cols = checks.cols;
  if (input.datatype !== V2_DATATYPE)
    throw bad(
      `${path}.datatype`,
      `${input.name} must be ${V2_DATATYPE}, got ${JSON.stringify(input.datatype)}`,
    );
  const shape = input.shape;
  const last = shape[shape.length - 1];
  if (shape.length !== rank || last !== cols.length)
    throw bad(
      `${path}.shape`,
      `${input.name} must have shape [${rank === 3 ? "batch, time" : "batch"}, ${cols.length}], got [${shape.join(", ")}]`,
    );
  if (shape[0]! < 1 || shape[0]! > limits.maxSites)
    throw bad(`${path}.shape[0]`, `batch ${shape[0]} is outside 1..${limits.maxSites}`, "split the batch");
  if (rank === 3 && (shape[1]! < 1 || shape[1]! > limits.maxDays))
    throw bad(`${path}.shape[1]`, `time ${shape[1]} is outside 1..${limits.maxDays}`, "split the series");
  const size = shape.reduce((a, b) => a * b, 1);
  const data = binary ?? input.data;
  if (data === undefined)
    throw bad(
      `${path}.data`,
      `${input.name} has no data`,
      "send data, or parameters.binary_data_size with the bytes after the JSON",
    );
  const nested = !binary && layout(data as unknown[], shape, `${path}.data`) === "nested";
  if (!nested && data.length !== size)
    throw bad(`${path}.data`, `has ${data.length} values for shape [${shape.join(", ")}] (${size} values)`);
  const T = rank === 3 ? shape[1]! : 1;
  const where = (k: number) => {
    const c = k % cols.length;
    const row = Math.floor(k / cols.length);
    const at = rank === 3 ? `row ${Math.floor(row / T)}, step ${row % T}` : `row ${row}`;
    return `${path}.data[${k}] (${at}, ${cols[c]!.name})`;
  };
  if (binary) {
    checkTyped(binary, checks, where);
    return { data: binary, shape };
  }
  const out = new Float32Array(size);
  fill(data, out, 0, cols, where);
  return { data: out, shape };
}

/** Refuse any row of a static tensor [batch, Ds] whose land-cover block is not one-hot (or all zeros). */
function checkOneHotRows(data: Float32Array, schema: ModelSchema, index: number): void {
  const Ds = staticWidth(schema);
  const from = schema.static.length;
  const cat = schema.categorical;
  for (let r = 0; r * Ds < data.length; r++)
    checkOneHot(
      data.subarray(r * Ds + from, (r + 1) * Ds),
      cat.categories,
      `inputs[${index}].data (row ${r}, ${cat.name} one-hot)`,
    );
}

/**
 * Read a v2 inference request into raw model inputs. `binary` holds the inputs sent with the binary tensor
 * extension, by index in `req.inputs`.
 * @throws {HttpError} 400 naming the input, shape, or element at fault
 */
export function readInferInputs(
  req: InferRequest,
  schema: ModelSchema,
  limits: RequestLimits,
  binary: ReadonlyMap<number, Float32Array> = new Map(),
): RawBatch {
  const found = new Map<string, number>();
  req.inputs.forEach((input, i) => {
    if (input.name !== INPUT_DYNAMIC && input.name !== INPUT_STATIC)
      throw bad(
        `inputs[${i}].name`,
        `unknown input ${JSON.stringify(input.name)}`,
        `this model takes ${INPUT_DYNAMIC} and ${INPUT_STATIC}`,
      );
    if (found.has(input.name)) throw bad(`inputs[${i}].name`, `input ${input.name} given twice`);
    found.set(input.name, i);
  });
  for (const name of [INPUT_DYNAMIC, INPUT_STATIC])
    if (!found.has(name))
      throw bad("inputs", `missing input ${name}`, `this model takes ${INPUT_DYNAMIC} and ${INPUT_STATIC}`);
  const di = found.get(INPUT_DYNAMIC)!;
  const si = found.get(INPUT_STATIC)!;
  const checks = columnChecks(schema);
  const dyn = readTensor(req.inputs[di]!, di, 3, checks.dynamic, limits, binary.get(di));
  const st = readTensor(req.inputs[si]!, si, 2, checks.static, limits, binary.get(si));
  checkOneHotRows(st.data, schema, si);
  if (dyn.shape[0] !== st.shape[0])
    throw bad(`inputs[${si}].shape[0]`, `static has batch ${st.shape[0]} but dynamic has ${dyn.shape[0]}`);
  return {
    dynamic: dyn.data,
    static: st.data,
    batch: dyn.shape[0]!,
    time: dyn.shape[1]!,
    dynamicCols: schema.dynamic.length,
    staticCols: staticWidth(schema),
  };
}
