// The parity contract every runtime runs (onnxruntime-node, onnxruntime-web, serving over HTTP, workerd, browser):
// the same cases, the same tolerance, one comparison. Cases are data: golden sets from a model directory, plus
// seeded random windows whose expected outputs come from the tfjs network of the run.
import { afterAll, describe, expect, it } from "vitest";
import type { RawBatch } from "../../core/batch.ts";
import { staticWidth } from "../../core/model-schema.ts";
import { seededRng } from "../../core/random.ts";
import { networkWeights } from "../../export/network-weights.ts";
import { randomInput, type WindowSpec } from "../../export/random-windows.ts";
import { selectReferenceBackend } from "../../export/reference-backend.ts";
import { createEnsembleReference } from "../../export/tfjs-reference.ts";
import { readGoldenSets } from "../../model/node/golden-files.ts";
import {
  compareOutputs,
  describeParity,
  PARITY_TOLERANCE,
  type ParityReport,
  type Tolerance,
} from "../../model/parity.ts";
import { readRunArtefacts } from "../../training/run-dir.ts";

/** One parity case: raw inputs (physical units, NaN gaps) and the tfjs output, row-major [batch, time]. */
export interface ParityCase {
  name: string;
  source: "golden" | "random";
  input: RawBatch;
  expected: Float32Array;
}

/** A runtime under test: raw batch in, efflux [batch, time] out (µmol CO2 m-2 s-1). */
export type PredictFn = (input: RawBatch) => Promise<Float32Array> | Float32Array;

/** Random windows: batch sizes 1..16, time lengths 1..730, scattered and block gaps, one with every driver missing. */
export const RANDOM_PARITY_SPECS: readonly (WindowSpec & { name: string })[] = [
  { name: "1 site x 1 day", batch: 1, time: 1 },
  { name: "5 sites x 1 day, gaps", batch: 5, time: 1, gapRate: 0.3, staticGapRate: 0.5 },
  { name: "2 sites x 7 days", batch: 2, time: 7 },
  {
    name: "8 sites x 90 days, gaps",
    batch: 8,
    time: 90,
    gapRate: 0.2,
    staticGapRate: 0.3,
    blockGapRate: 0.5,
  },
  { name: "16 sites x 200 days, gaps", batch: 16, time: 200, gapRate: 0.1, blockGapRate: 0.3 },
  { name: "1 site x 730 days, block gap", batch: 1, time: 730, gapRate: 0.05, blockGapRate: 1 },
  { name: "3 sites x 30 days, every driver missing", batch: 3, time: 30, gapRate: 1, staticGapRate: 1 },
];

/** The golden sets of a model directory as cases (expected = tfjs outputs stored at export). */
export async function goldenParityCases(modelDir: string): Promise<ParityCase[]> {
  return (await readGoldenSets(modelDir)).map((g) => ({
    name: `golden ${g.name} (${g.input.batch}x${g.input.time})`,
    source: "golden",
    input: g.input,
    expected: g.expected,
  }));
}

/** Seeded random cases for a run, expected outputs from its tfjs network (selects the tfjs backend). */
export async function randomParityCases(runDir: string, seed = 424242): Promise<ParityCase[]> {
  await selectReferenceBackend();
  const run = await readRunArtefacts(runDir);
  const ref = createEnsembleReference(
    run.members.map((w) => networkWeights(w, run.schema)),
    run.schema,
  );
  const rand = seededRng(seed);
  try {
    return RANDOM_PARITY_SPECS.map(({ name, ...spec }) => {
      const x = randomInput(run.schema, spec, rand);
      const input: RawBatch = {
        ...x,
        dynamicCols: run.schema.dynamic.length,
        staticCols: staticWidth(run.schema),
      };
      return { name: `random ${name}`, source: "random" as const, input, expected: ref.predict(input) };
    });
  } finally {
    ref.dispose();
  }
}

/** Golden cases of `modelDir`, plus random cases when the run directory is at hand. */
export async function loadParityCases(opts: { modelDir: string; runDir?: string }): Promise<ParityCase[]> {
  return [
    ...(await goldenParityCases(opts.modelDir)),
    ...(opts.runDir ? await randomParityCases(opts.runDir) : []),
  ];
}

/** Throw unless `actual` matches `expected` within the tolerance; returns the report. */
export function assertParity(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = PARITY_TOLERANCE,
): ParityReport {
  const r = compareOutputs(actual, expected, tol);
  if (!r.ok) throw new Error(`parity failed: ${describeParity(r)}`);
  return r;
}

/** Worst agreement seen by one runtime over all its cases. */
export interface ParitySummary {
  runtime: string;
  cases: number;
  values: number;
  maxAbs: number;
  maxRel: number;
}

/**
 * Register one test per case for a runtime and log the worst agreement at the end.
 * `predict` is called lazily, so it may use a session created in `beforeAll`.
 * @example runParityCases("onnxruntime-node", (x) => predictor.predict(x), cases)
 */
export function runParityCases(
  runtimeName: string,
  predict: PredictFn,
  cases: readonly ParityCase[],
  tol: Tolerance = PARITY_TOLERANCE,
): ParitySummary {
  const summary: ParitySummary = { runtime: runtimeName, cases: 0, values: 0, maxAbs: 0, maxRel: 0 };
  describe(`parity: ${runtimeName} vs tfjs (${tol.abs} abs or ${tol.rel} rel)`, () => {
    it("has cases", () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases)
      it(c.name, async () => {
        const y = await predict(c.input);
        expect(y.length).toBe(c.input.batch * c.input.time);
        const r = assertParity(y, c.expected, tol);
        summary.cases++;
        summary.values += r.values;
        summary.maxAbs = Math.max(summary.maxAbs, r.maxAbs);
        summary.maxRel = Math.max(summary.maxRel, r.maxRel);
      });
    afterAll(() => {
      console.log(
        `parity ${runtimeName}: ${summary.cases} cases, ${summary.values} values, max abs ${summary.maxAbs.toExponential(2)}, max rel ${summary.maxRel.toExponential(2)}`,
      );
    });
  });
  return summary;
}
