/** The feature catalog: every driver and site attribute soilco2 knows, with units, valid ranges and gap handling. */

/** How a feature may be missing. `mask`: a gap (NaN / null) is allowed and the model sees a mask channel; `required`: a gap is an error. */
export type GapPolicy = "mask" | "required";

/** One input feature. Its position in a model's feature list *is* its tensor column. */
export interface FeatureSpec {
  /** Column name in the daily dataset and in requests, e.g. `tsoil_mean`. */
  name: string;
  /** Physical unit as sent by clients, e.g. `degC`, `m3 m-3`, `mm d-1`. */
  unit: string;
  description: string;
  /** Inclusive valid range in `unit`; values outside are rejected, never clipped. */
  min: number;
  max: number;
  gap: GapPolicy;
  /** `observed`: read from data or requests; `date`: computed from the date by core (clients never send it). */
  source: "observed" | "date";
}

/** Standard IGBP land-cover codes (FLUXNET convention); the static one-hot block follows this order. */
export const IGBP_CODES = [
  "ENF",
  "EBF",
  "DNF",
  "DBF",
  "MF",
  "CSH",
  "OSH",
  "WSA",
  "SAV",
  "GRA",
  "WET",
  "CRO",
  "URB",
  "CVM",
  "SNO",
  "BSV",
  "WAT",
] as const;
export type IgbpCode = (typeof IGBP_CODES)[number];

/** Daily drivers. */
export const DYNAMIC_FEATURES: readonly FeatureSpec[] = [
  {
    name: "tsoil_mean",
    unit: "degC",
    description: "daily mean soil temperature at the depth nearest 5 cm",
    min: -40,
    max: 60,
    gap: "mask",
    source: "observed",
  },
  {
    name: "tsoil_min",
    unit: "degC",
    description: "daily minimum soil temperature at the depth nearest 5 cm",
    min: -40,
    max: 60,
    gap: "mask",
    source: "observed",
  },
  {
    name: "tsoil_max",
    unit: "degC",
    description: "daily maximum soil temperature at the depth nearest 5 cm",
    min: -40,
    max: 60,
    gap: "mask",
    source: "observed",
  },
  {
    name: "swc_mean",
    unit: "m3 m-3",
    description: "daily mean volumetric soil water content nearest the surface",
    min: 0,
    max: 1,
    gap: "mask",
    source: "observed",
  },
  {
    name: "tair_mean",
    unit: "degC",
    description: "daily mean air temperature",
    min: -60,
    max: 60,
    gap: "mask",
    source: "observed",
  },
  {
    name: "precip_sum",
    unit: "mm d-1",
    description: "daily precipitation total",
    min: 0,
    max: 1000,
    gap: "mask",
    source: "observed",
  },
  {
    name: "doy_sin",
    unit: "1",
    description: "sin of the seasonal phase 2π(doy−0.5)/year length, computed from the date",
    min: -1,
    max: 1,
    gap: "required",
    source: "date",
  },
  {
    name: "doy_cos",
    unit: "1",
    description: "cos of the seasonal phase 2π(doy−0.5)/year length, computed from the date",
    min: -1,
    max: 1,
    gap: "required",
    source: "date",
  },
];

/** Numeric site attributes. */
export const STATIC_FEATURES: readonly FeatureSpec[] = [
  {
    name: "latitude",
    unit: "degree_north",
    description: "site latitude (WGS84)",
    min: -90,
    max: 90,
    gap: "required",
    source: "observed",
  },
  {
    name: "longitude",
    unit: "degree_east",
    description: "site longitude (WGS84)",
    min: -180,
    max: 180,
    gap: "required",
    source: "observed",
  },
  {
    name: "elevation",
    unit: "m",
    description: "site elevation above sea level",
    min: -500,
    max: 9000,
    gap: "mask",
    source: "observed",
  },
  {
    name: "mat",
    unit: "degC",
    description: "mean annual air temperature",
    min: -30,
    max: 40,
    gap: "mask",
    source: "observed",
  },
  {
    name: "map",
    unit: "mm yr-1",
    description: "mean annual precipitation",
    min: 0,
    max: 15000,
    gap: "mask",
    source: "observed",
  },
  {
    name: "flux_ref",
    unit: "umol CO2 m-2 s-1",
    description:
      "reference efflux of the site: the mean of its observed daily efflux over a reference period (in training, the training period); leave out for a site never measured",
    min: 0,
    max: 50,
    gap: "mask",
    source: "observed",
  },
  {
    name: "flux_sd",
    unit: "umol CO2 m-2 s-1",
    description:
      "variability of the site's efflux: the standard deviation of its observed daily efflux over the same reference period as flux_ref; leave out for a site never measured",
    min: 0,
    max: 50,
    gap: "mask",
    source: "observed",
  },
  {
    name: "flux_q10",
    unit: "1",
    description:
      "temperature sensitivity of the site's efflux over the reference period: Q10 = exp(10·b) of the least-squares line ln(efflux) = a + b·tsoil_mean (days with efflux > 0 and soil temperature), clamped to 1..10; leave out if unknown",
    min: 1,
    max: 10,
    gap: "mask",
    source: "observed",
  },
  {
    name: "tsoil_ref",
    unit: "degC",
    description: "mean daily soil temperature on the days behind flux_ref; leave out if unknown",
    min: -40,
    max: 60,
    gap: "mask",
    source: "observed",
  },
  {
    name: "swc_ref",
    unit: "m3 m-3",
    description:
      "mean daily soil water content on the days behind flux_ref that have soil temperature and moisture; leave out if unknown",
    min: 0,
    max: 1,
    gap: "mask",
    source: "observed",
  },
  {
    name: "flux_swc_c1",
    unit: "(m3 m-3)-1",
    description:
      "moisture response of the site's efflux, linear term: c1 of the least-squares fit of the residual ln(efflux) − ln(Q10 model) = a + c1·(θ − swc_ref) + c2·(θ − swc_ref)² over the reference period (days with efflux > 0, soil temperature and moisture), clamped to ±100; leave out if unknown",
    min: -100,
    max: 100,
    gap: "mask",
    source: "observed",
  },
  {
    name: "flux_swc_c2",
    unit: "(m3 m-3)-2",
    description:
      "moisture response of the site's efflux, quadratic term c2 of the same fit as flux_swc_c1 (negative: an optimum moisture), clamped to ±2000; leave out if unknown",
    min: -2000,
    max: 2000,
    gap: "mask",
    source: "observed",
  },
];

/** The categorical site attribute: IGBP land cover, one-hot encoded over {@link IGBP_CODES}; unknown/missing = all zeros. */
export const IGBP_FEATURE = {
  name: "igbp",
  description: "IGBP land-cover class (FLUXNET codes)",
  categories: IGBP_CODES,
} as const;

/** Valid range of one efflux value, µmol CO2 m-2 s-1, inclusive: a record in ingest, a daily mean in requests. */
export const FLUX_RANGE = { min: -10, max: 100 } as const;

/** The prediction target. */
export const TARGET = {
  name: "flux_mean",
  unit: "umol CO2 m-2 s-1",
  description: "daily mean soil CO2 efflux (soil respiration, Rs), positive to the atmosphere",
} as const;

/** Look a feature up by name in the catalog. */
export function findFeature(name: string): FeatureSpec | undefined {
  return DYNAMIC_FEATURES.find((f) => f.name === name) ?? STATIC_FEATURES.find((f) => f.name === name);
}
