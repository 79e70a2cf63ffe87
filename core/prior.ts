/** Constants of the per-site Q10 model that the site's reference statistics (core) and the network's head (heads/prior-head.ts) share. */

/** Q10 used when the site's is unknown. */
export const PRIOR_DEFAULT_Q10 = 2;

/** The temperature step of a Q10, °C: the model is R_ref·Q10^((T − T_ref)/Q10_STEP_C). */
export const Q10_STEP_C = 10;
