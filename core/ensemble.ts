/** The output of a seed ensemble: the mean of its members' outputs (training's evaluation and export's reference share it). */

/**
 * Element-wise mean of equally long arrays, e.g. each member's efflux for the same days (µmol m-2 s-1).
 * @param outputs one per member, at least one, all the same length
 * @returns a new array (the first member's own array for a single member)
 */
export function ensembleMean(outputs: readonly Float32Array[]): Float32Array {
  if (outputs.length === 0) throw new Error("an ensemble needs at least one member");
  if (outputs.length === 1) return outputs[0]!;
  const n = outputs[0]!.length;
  if (outputs.some((o) => o.length !== n)) throw new Error("ensemble members disagree on the output length");
  const mean = new Float32Array(n);
  for (const o of outputs) for (let i = 0; i < n; i++) mean[i] = mean[i]! + o[i]! / outputs.length;
  return mean;
}
