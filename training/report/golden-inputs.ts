/** `<run>/golden-inputs.json`: a few real input windows from test periods, which export turns into golden fixtures. */
import { join } from "node:path";
import { writeJsonAtomic } from "../../io/atomic-write.ts";
import type { TrainConfig } from "../config.ts";
import { dynamicMatrix, type SiteSeries, staticVector } from "../dataset.ts";
import { derivedStatics } from "../experiment.ts";
import { SPLIT } from "../splits.ts";

/** Days per golden window. */
export const GOLDEN_DAYS = 120;

/**
 * Pick up to `count` sites with soil temperature in their test period and write one window each: the raw drivers
 * (null for gaps) of `GOLDEN_DAYS` days ending inside the test period, and the site's raw static vector.
 */
export async function writeGoldenInputs(
  runDir: string,
  sites: readonly SiteSeries[],
  labels: readonly Uint8Array[],
  config: TrainConfig,
  count = 3,
): Promise<void> {
  const windows: { site: string; start: number; dynamic: (number | null)[][]; static: (number | null)[] }[] =
    [];
  const dynNames = config.features.dynamic;
  for (let i = 0; i < sites.length && windows.length < count; i++) {
    const s = sites[i]!;
    const lab = labels[i]!;
    const firstTest = lab.indexOf(SPLIT.test);
    if (firstTest < 0 || s.length < GOLDEN_DAYS) continue;
    const start = Math.max(0, Math.min(firstTest - GOLDEN_DAYS / 2, s.length - GOLDEN_DAYS));
    const ts = s.drivers.tsoil_mean;
    if (!ts || ts.subarray(start, start + GOLDEN_DAYS).every(Number.isNaN)) continue;
    const dyn = dynamicMatrix(s, dynNames);
    const rows: (number | null)[][] = [];
    for (let t = start; t < start + GOLDEN_DAYS; t++)
      rows.push(Array.from(dyn.subarray(t * dynNames.length, (t + 1) * dynNames.length), nullable));
    const st = Array.from(staticVector(s.info, config.features.static, derivedStatics(s, lab)), nullable);
    windows.push({ site: s.info.site, start, dynamic: rows, static: st });
  }
  await writeJsonAtomic(join(runDir, "golden-inputs.json"), windows);
}

function nullable(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
}
