/** The parity check: do two efflux tensors agree within the stated tolerance? One definition, used by export and every runtime's tests. */

/** Agreement required between the tfjs reference and any ONNX runtime: within `abs` OR within `rel`·|expected|. */
export const PARITY_TOLERANCE = { abs: 1e-4, rel: 1e-5 } as const;

export interface Tolerance {
  abs: number;
  rel: number;
}

/** Outcome of comparing two tensors element by element. */
export interface ParityReport {
  ok: boolean;
  values: number;
  /** Largest |actual − expected|, µmol CO2 m-2 s-1. */
  maxAbs: number;
  /** Largest |actual − expected| / |expected| (|expected| floored at 1e-12). */
  maxRel: number;
  /** First element outside the tolerance, if any. */
  firstFailure: { index: number; actual: number; expected: number } | null;
}

/**
 * Compare `actual` with `expected`. A NaN or infinity on either side, or a length mismatch, fails.
 * @example compareOutputs(onnxOut, tfjsOut).ok
 */
export function compareOutputs(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = PARITY_TOLERANCE,
): ParityReport {
  let maxAbs = 0;
  let maxRel = 0;
  let firstFailure: ParityReport["firstFailure"] = null;
  if (actual.length !== expected.length)
    return {
      ok: false,
      values: actual.length,
      maxAbs: Number.POSITIVE_INFINITY,
      maxRel: Number.POSITIVE_INFINITY,
      firstFailure: { index: -1, actual: actual.length, expected: expected.length },
    };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Math.abs(a - e);
    const finite = Number.isFinite(a) && Number.isFinite(e);
    const rel = d / Math.max(Math.abs(e), 1e-12);
    if (finite) {
      maxAbs = Math.max(maxAbs, d);
      maxRel = Math.max(maxRel, rel);
    } else {
      maxAbs = Number.NaN;
      maxRel = Number.NaN;
    }
    if (!(finite && (d <= tol.abs || rel <= tol.rel)) && !firstFailure)
      firstFailure = { index: i, actual: a, expected: e };
  }
  return { ok: firstFailure === null, values: actual.length, maxAbs, maxRel, firstFailure };
}

/** One line for logs and errors, e.g. `max abs 4.8e-7, max rel 3.1e-7 over 960 values`. */
export function describeParity(r: ParityReport): string {
  const head = `max abs ${r.maxAbs.toExponential(2)}, max rel ${r.maxRel.toExponential(2)} over ${r.values} values`;
  if (!r.firstFailure) return head;
  const f = r.firstFailure;
  return f.index < 0
    ? `length ${f.actual} differs from expected ${f.expected}`
    : `${head}; first failure at ${f.index}: ${f.actual} vs expected ${f.expected}`;
}
