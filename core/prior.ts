/** Constants of the `prior` head's per-site process-model prior, shared by training (tfjs) and export (ONNX graph). */

/** Q10 used by the prior when the site's is unknown. */
export const PRIOR_DEFAULT_Q10 = 2;

/** Bound of the moisture exponent c1·d + c2·d² of the prior: the moisture factor stays within e^±1. */
export const PRIOR_MOISTURE_MAX_EXPONENT = 1;
