/** Process models soil scientists use for soil respiration, as pure functions of temperature and moisture. */

/** Reference temperature of R10, °C. */
export const T_REF_C = 10;
/** Lloyd-Taylor constants: reference 283.15 K (10 °C) and T0 = 227.13 K. */
export const LT_T_REF_K = 283.15;
export const LT_T0_K = 227.13;

/**
 * Q10 model: R = R10 · Q10^((T − 10)/10), T soil temperature in °C, R in the units of R10.
 * van 't Hoff (1898); as used for soil respiration e.g. by Davidson, Janssens, Luo (2006) Glob. Change Biol. 12,
 * 154-164, doi:10.1111/j.1365-2486.2005.01065.x.
 */
export function q10Model(r10: number, q10: number, tC: number): number {
  return r10 * q10 ** ((tC - T_REF_C) / 10);
}

/**
 * Lloyd-Taylor model: R = R10 · exp(E0 · (1/(Tref − T0) − 1/(T − T0))), temperatures in K (T = tC + 273.15),
 * Tref = 283.15 K, T0 = 227.13 K, E0 in K. Lloyd, J., Taylor, J.A. (1994) Funct. Ecol. 8, 315-323, doi:10.2307/2389824.
 */
export function lloydTaylorModel(r10: number, e0: number, tC: number): number {
  const tK = tC + 273.15;
  if (tK <= LT_T0_K) return 0;
  return r10 * Math.exp(e0 * (1 / (LT_T_REF_K - LT_T0_K) - 1 / (tK - LT_T0_K)));
}

/**
 * Q10 times a quadratic response to soil moisture in the exponent (a Gaussian-shaped optimum when c2 < 0):
 * R = R10 · Q10^((T − 10)/10) · exp(c1·θ + c2·θ²), θ in m3 m-3.
 * Moisture-modified Q10 forms are reviewed by Bauer et al. (2008) Ecol. Model. 213, 45-59 and
 * Moyano et al. (2013) Soil Biol. Biochem. 59, 72-85, doi:10.1016/j.soilbio.2013.01.002.
 */
export function q10MoistureModel(
  r10: number,
  q10: number,
  c1: number,
  c2: number,
  tC: number,
  theta: number,
): number {
  return q10Model(r10, q10, tC) * Math.exp(c1 * theta + c2 * theta * theta);
}
