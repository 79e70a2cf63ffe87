/** Constants of the network head's per-site Q10 prior, shared by training (tfjs) and export (ONNX graph). */

/** Q10 used by the prior when the site's is unknown. */
export const PRIOR_DEFAULT_Q10 = 2;
