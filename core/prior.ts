/** Constants of the `prior` head's per-site process-model prior, shared by training (tfjs) and export (ONNX graph). */

/** Q10 used by the prior when the site's is unknown. */
export const PRIOR_DEFAULT_Q10 = 2;

/** Bound of the moisture exponent c1·d + c2·d² of the prior: the moisture factor stays within e^±1. */
export const PRIOR_MOISTURE_MAX_EXPONENT = 1;

/** Site attributes that, with `swc_mean` among the daily drivers, turn on the prior's moisture factor. */
export const MOISTURE_PRIOR_STATIC = ["swc_ref", "flux_swc_c1", "flux_swc_c2"] as const;

/**
 * Whether a model with these inputs has the prior's moisture factor (for the `prior` head): `swc_mean` among the
 * drivers and every one of {@link MOISTURE_PRIOR_STATIC} among the site attributes.
 */
export function hasMoisturePrior(dynamic: readonly string[], statics: readonly string[]): boolean {
  return dynamic.includes("swc_mean") && MOISTURE_PRIOR_STATIC.every((n) => statics.includes(n));
}
