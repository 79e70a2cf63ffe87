/** COSORE land-cover labels (CSR_IGBP) to FLUXNET IGBP codes of core/features.ts. */
import { IGBP_CODES, type IgbpCode } from "../core/features.ts";

/**
 * Label (lower case, single spaces) -> code. Plantations take the code of the forest they are;
 * "desert woodland" (sparse shrubs and small trees on arid land) is mapped to OSH, open shrubland.
 */
export const IGBP_LABELS: Readonly<Record<string, IgbpCode>> = {
  "evergreen needleleaf forest": "ENF",
  "evergreen needleleaf forests": "ENF",
  "evergreen needleleaf plantation": "ENF",
  "evergreen broadleaf forest": "EBF",
  "evergreen broadleaf forests": "EBF",
  "broadleaf evergreen forest": "EBF",
  "evergreen broadleaf plantation": "EBF",
  "deciduous needleleaf forest": "DNF",
  "deciduous needleleaf forests": "DNF",
  "deciduous broadleaf forest": "DBF",
  "deciduous broadleaf forests": "DBF",
  "deciduous broadleaf plantation": "DBF",
  "broadleaf deciduous forest": "DBF",
  "mixed forest": "MF",
  "mixed forests": "MF",
  "closed shrubland": "CSH",
  "closed shrublands": "CSH",
  "open shrubland": "OSH",
  "open shrublands": "OSH",
  "desert woodland": "OSH",
  "woody savanna": "WSA",
  "woody savannas": "WSA",
  savanna: "SAV",
  savannas: "SAV",
  grassland: "GRA",
  grasslands: "GRA",
  wetland: "WET",
  wetlands: "WET",
  "permanent wetland": "WET",
  "permanent wetlands": "WET",
  cropland: "CRO",
  croplands: "CRO",
  "urban and built-up": "URB",
  "urban and built-up lands": "URB",
  "cropland/natural vegetation mosaic": "CVM",
  "cropland/natural vegetation mosaics": "CVM",
  "snow and ice": "SNO",
  "permanent snow and ice": "SNO",
  barren: "BSV",
  "barren or sparsely vegetated": "BSV",
  water: "WAT",
  "water bodies": "WAT",
};

/**
 * FLUXNET code for a COSORE label, or null if unknown. A label that already is a code (e.g. "ENF") passes.
 * @example igbpCode("Evergreen needleleaf plantation") // "ENF"
 */
export function igbpCode(label: string | null | undefined): IgbpCode | null {
  if (!label) return null;
  const key = label.trim().toLowerCase().replace(/\s+/g, " ");
  const upper = key.toUpperCase();
  if ((IGBP_CODES as readonly string[]).includes(upper)) return upper as IgbpCode;
  return IGBP_LABELS[key] ?? null;
}
