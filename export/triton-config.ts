/**
 * `config.pbtxt`: a model directory's Triton model configuration (onnxruntime backend, dynamic batching), from the
 * manifest's tensors, so a `models/<name>/<version>/` tree is also a Triton model repository. Protobuf text format
 * written by hand: it is a few fixed lines, and no npm library writes Triton's text format.
 */
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.ts";
import type { Manifest } from "../model/manifest.ts";

/** File name Triton reads in a model directory. */
export const TRITON_CONFIG_FILE = "config.pbtxt";

/** Options of {@link tritonConfig}. */
export interface TritonConfigOptions {
  /** Largest batch Triton forms (default 64, the serving default `--max-batch`). */
  maxBatchSize?: number;
  /** Longest wait for company in µs (default 0: dispatch at once when idle, batch only under load). */
  maxQueueDelayMicroseconds?: number;
}

type Tensor = Manifest["inputs"][number];

/** A tensor's dims without the leading batch axis; symbolic axes are -1. */
function dims(t: Tensor): number[] {
  return t.shape.slice(1).map((d) => (typeof d === "number" ? d : -1));
}

function tensorBlock(t: Tensor): string {
  return `  {\n    name: "${t.name}"\n    data_type: TYPE_FP32\n    dims: [ ${dims(t).join(", ")} ]\n  }`;
}

/**
 * The configuration text for a model: inputs and outputs as in the graph (batch axis implied by
 * `max_batch_size`), every version served, dynamic batching.
 * @example tritonConfig(manifest) // 'name: "soilco2-lstm"\nbackend: "onnxruntime"\n...'
 */
export function tritonConfig(manifest: Manifest, opts: TritonConfigOptions = {}): string {
  for (const t of [...manifest.inputs, ...manifest.outputs])
    if (t.dtype !== "float32" || t.shape[0] !== "batch")
      throw new Error(`tensor ${t.name} is not float32 [batch, ...]; Triton's config cannot describe it`);
  return [
    `# Triton model configuration of ${manifest.name} ${manifest.version}, written by soilco2 export from manifest.json.`,
    `name: "${manifest.name}"`,
    `backend: "onnxruntime"`,
    `max_batch_size: ${opts.maxBatchSize ?? 64}`,
    `input [\n${manifest.inputs.map(tensorBlock).join(",\n")}\n]`,
    `output [\n${manifest.outputs.map(tensorBlock).join(",\n")}\n]`,
    `version_policy: { all { } }`,
    `dynamic_batching {\n  max_queue_delay_microseconds: ${opts.maxQueueDelayMicroseconds ?? 0}\n}`,
    `instance_group [\n  {\n    count: 1\n    kind: KIND_AUTO\n  }\n]`,
    "",
  ].join("\n");
}

/**
 * After a model directory is published at `<root>/<name>/<version>/` with a numeric version (Triton's layout),
 * write the same configuration at `<root>/<name>/config.pbtxt`, where Triton looks for it (atomically, io/atomic-write.ts). Other layouts are left alone.
 * @returns the path written, or undefined
 */
export async function writeModelLevelConfig(modelDir: string, text: string): Promise<string | undefined> {
  if (!/^\d+$/.test(basename(modelDir))) return undefined;
  const path = join(dirname(modelDir), TRITON_CONFIG_FILE);
  await writeFileAtomic(path, text);
  return path;
}
