/** Climate groups for reporting skill the way the paper does (tropical, arid, temperate, boreal/Arctic). */
import type { SiteInfo } from "./dataset.ts";

export type ClimateGroup = "tropical" | "arid" | "temperate" | "boreal/Arctic";
export const CLIMATE_GROUPS: readonly ClimateGroup[] = ["tropical", "arid", "temperate", "boreal/Arctic"];

/** The rule, as printed in reports. */
export const CLIMATE_RULE =
  "first match wins: tropical if |latitude| < 23.44°; arid if MAP < 400 mm yr-1 (where known), else if IGBP is " +
  "open or closed shrubland or barren (OSH, CSH, BSV); boreal/Arctic if MAT < 3 °C (where known), else if " +
  "|latitude| ≥ 55°; temperate otherwise.";

/** Climate group of a site by {@link CLIMATE_RULE}. */
export function climateGroup(info: Pick<SiteInfo, "latitude" | "mat" | "map" | "igbp">): ClimateGroup {
  const absLat = Math.abs(info.latitude);
  if (absLat < 23.44) return "tropical";
  if (info.map !== null ? info.map < 400 : ["OSH", "CSH", "BSV"].includes(info.igbp ?? "")) return "arid";
  if (info.mat !== null ? info.mat < 3 : absLat >= 55) return "boreal/Arctic";
  return "temperate";
}
