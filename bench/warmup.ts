/** `npm run bench:warmup`: how a series that starts cold behaves on its first days, with each spin-up mode, against the same model warmed up on the site's real history (first 90 days of every test period). */

import { median } from "../core/metrics.ts";
import { type SpinUpMode, spinUpSite } from "../core/spin-up.ts";
import { staticRow } from "../core/static-vector.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { dynamicMatrix, loadDailyDataset, staticValue } from "../training/dataset.ts";
import { derivedStatics } from "../training/experiment.ts";
import { SPLIT, temporalSplit } from "../training/splits.ts";

const modelDir = process.env.SOILCO2_MODEL ?? "models/soilco2-lstm/2";
const data = process.env.SOILCO2_DAILY ?? "out/daily";
const DAYS = 90;
const md = await readModelDir(modelDir);
const { sites } = await loadDailyDataset(data, 30);
const labels = temporalSplit(sites, 0.3, 0.1);
const ort = await import("onnxruntime-node");
const predictor = await createOrtPredictor(ort, md.modelBytes, { intraOpNumThreads: 1 });
const dyn = md.schema.dynamic.map((f) => f.name);
const cols = dyn.length;
const modes: SpinUpMode[] = ["none", "mirror", "repeat"];
const spin = md.schema.warmupDays;
const gap: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
const obsErr: Record<string, number[]> = Object.fromEntries([...modes, "warm"].map((m) => [m, []]));
let used = 0;
for (const [i, s] of sites.entries()) {
  const lab = labels[i]!;
  const first = lab.indexOf(SPLIT.test);
  if (first < 0 || s.length - first < DAYS) continue;
  const ref = derivedStatics(s, lab);
  const st = staticRow(
    md.schema.static.map((f) => (f.name in ref ? ref[f.name]! : staticValue(s.info, f.name))),
    s.info.igbp,
    md.schema.categorical.categories,
  );
  const all = dynamicMatrix(s, dyn);
  const run = async (dynamic: Float32Array, time: number) =>
    predictor.predict({ dynamic, static: st, batch: 1, time, dynamicCols: cols, staticCols: st.length });
  const warm = (await run(all, s.length)).subarray(first, first + DAYS);
  const part = all.slice(first * cols, (first + DAYS) * cols);
  const site = {
    id: s.info.site,
    days: Array.from({ length: DAYS }, (_, k) => s.firstDay + first + k),
    firstDay: s.firstDay + first,
    rows: Int32Array.from({ length: DAYS }, (_, k) => k),
    dynamic: part,
    static: st,
  };
  const scale = warm.reduce((a, b) => a + b, 0) / DAYS;
  const obs = Array.from({ length: DAYS }, (_, k) => s.target[first + k]!);
  const relErr = (p: ArrayLike<number>) => {
    const e = obs.flatMap((o, k) => (Number.isNaN(o) ? [] : [Math.abs(p[k]! - o)]));
    const m = obs.filter((o) => !Number.isNaN(o));
    return (
      e.reduce((a, b) => a + b, 0) /
      Math.max(
        1e-9,
        m.reduce((a, b) => a + b, 0),
      )
    );
  };
  obsErr.warm!.push(relErr(warm));
  for (const m of modes) {
    const sp = spinUpSite(site, md.schema, m === "none" ? 0 : spin, m);
    const y = await run(sp.dynamic, sp.dynamic.length / cols);
    const p = Array.from(sp.rows, (r) => y[r]!);
    gap[m]!.push(p.reduce((a, v, k) => a + Math.abs(v - warm[k]!), 0) / DAYS / scale);
    obsErr[m]!.push(relErr(p));
  }
  used++;
}
await predictor.release();
console.log(
  `${modelDir}: first ${DAYS} days of the test period at ${used} sites, series started cold at the test start (spin-up ${spin} days)`,
);
console.log(
  "mode     median |cold − warm| / mean(warm)   median relative error to observations (warm: the full-history run)",
);
for (const m of modes)
  console.log(
    `${m.padEnd(8)} ${median(gap[m]!).toFixed(3).padStart(10)}   ${median(obsErr[m]!).toFixed(3).padStart(10)}`,
  );
console.log(`${"warm".padEnd(8)} ${"0".padStart(10)}   ${median(obsErr.warm!).toFixed(3).padStart(10)}`);
