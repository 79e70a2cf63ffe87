/** Constants of the network head's per-site Q10 prior, shared by training (tfjs) and export (ONNX graph). */

/** Q10 used by the prior when the site's is unknown. */
export const PRIOR_DEFAULT_Q10 = 2;

/** Reference soil temperature of the prior's Q10 model when the site's `tsoil_ref` is unknown, °C. */
export const PRIOR_TSOIL_REF_C = 10;

/** The temperature step of a Q10, °C: the model is R_ref·Q10^((T − T_ref)/Q10_STEP_C). */
export const Q10_STEP_C = 10;

/** Soil temperatures outside this range, °C, are clipped before the prior's Q10 model is applied. */
export const PRIOR_TSOIL_RANGE_C = { min: -40, max: 60 } as const;

/** Floor of the prior, µmol CO2 m-2 s-1, so that its logarithm and the correction stay finite. */
export const PRIOR_FLOOR = 1e-3;

/** The network's log-correction of the prior is clipped to ±this (so it scales the prior by e^±4 at most). */
export const HEAD_LOG_CORRECTION_MAX = 4;
