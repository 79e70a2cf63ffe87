/** The limits a runtime puts on one request, and their defaults (no imports: `soilco2 serve --help` shows them without loading the server). */

/** Limits a runtime puts on one request (serving makes them configurable). */
export interface RequestLimits {
  /** Most sites in one request. */
  maxSites: number;
  /** Most days spanned by one site's series (first to last date). */
  maxDays: number;
}

/** 1000 sites, 3660 days (ten years) per site. */
export const DEFAULT_LIMITS: RequestLimits = { maxSites: 1000, maxDays: 3660 };
