/** The export's golden sets and their check: expected outputs from the tfjs network (never from onnxruntime), which onnxruntime-node must then match. */
import * as ortNode from "onnxruntime-node";
import type { RawBatch } from "../core/batch.ts";
import { Soilco2Error } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { compareOutputs, describeParity, type ParityReport } from "../model/parity.ts";
import { goldenInputs } from "./golden-inputs.ts";
import type { NetworkWeights } from "./network-weights.ts";
import { type ReferenceBackend, selectReferenceBackend } from "./reference-backend.ts";
import { createEnsembleReference } from "./tfjs-reference.ts";

/** Merge reports: worst figures, first failure. */
function mergeReports(reports: ParityReport[]): ParityReport {
  return {
    ok: reports.every((r) => r.ok),
    values: reports.reduce((n, r) => n + r.values, 0),
    maxAbs: Math.max(0, ...reports.map((r) => r.maxAbs)),
    maxRel: Math.max(0, ...reports.map((r) => r.maxRel)),
    firstFailure: reports.find((r) => !r.ok)?.firstFailure ?? null,
  };
}

/** Golden sets with their tfjs outputs, and how onnxruntime-node did on them. */
export interface CheckedGolden {
  golden: { source: "run" | "random" };
  sets: { input: RawBatch; expected: Float32Array; note: string }[];
  reference: ReferenceBackend;
  /** onnxruntime-node against the tfjs outputs, over every set (worst figures). */
  parity: ParityReport;
  /** Seconds onnxruntime-node took to create the session. */
  ortLoadSeconds: number;
}

/**
 * Compute the golden sets of `runDir` (export/golden-inputs.ts) with the tfjs ensemble `members`, then run the
 * encoded model `bytes` on onnxruntime-node and compare.
 * @throws {Soilco2Error} code `parity_failed` when onnxruntime-node disagrees beyond the tolerance
 */
export async function checkedGoldenSets(
  runDir: string,
  schema: ModelSchema,
  members: readonly NetworkWeights[],
  bytes: Uint8Array,
): Promise<CheckedGolden> {
  const reference = await selectReferenceBackend();
  const golden = await goldenInputs(runDir, schema);
  const ref = createEnsembleReference(members, schema);
  let sets: CheckedGolden["sets"];
  try {
    sets = golden.sets.map((g) => ({ ...g, expected: ref.predict(g.input) }));
  } finally {
    ref.dispose();
  }
  const tLoad = performance.now();
  const ort = await createOrtPredictor(ortNode, bytes);
  const ortLoadSeconds = (performance.now() - tLoad) / 1000;
  const reports: ParityReport[] = [];
  try {
    for (const s of sets) reports.push(compareOutputs(await ort.predict(s.input), s.expected));
  } finally {
    await ort.release();
  }
  const parity = mergeReports(reports);
  if (!parity.ok)
    throw new Soilco2Error(
      "parity_failed",
      `onnxruntime-node disagrees with the tfjs network on the golden sets: ${describeParity(parity)}`,
      "nothing was written; this is a bug in the export graph, please report it with the run directory",
    );
  return { golden, sets, reference, parity, ortLoadSeconds };
}
