/** Names of the reference statistics (core/reference-stats.ts), in catalog order; own module, no imports, so request schemas and help text need no maths library. */
export const REFERENCE_STAT_NAMES = [
  "flux_ref",
  "flux_sd",
  "tsoil_ref",
  "flux_q10",
  "swc_ref",
  "flux_swc_c1",
  "flux_swc_c2",
] as const;
