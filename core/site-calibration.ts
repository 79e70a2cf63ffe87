/** Site calibration: from a site's measured days, the per-site process models and the weights that blend them with the network (one definition for training, the CLI and HTTP). */
import { fitRatioInterval, INTERVAL_WIDENING, type RatioInterval } from "./interval.ts";
import { type FitPoints, fitLloydTaylor, fitQ10, fitQ10Moisture } from "./process-models/fit-flux.ts";
import { fitLloydTaylorLog, fitQ10Log, fitQ10MoistureLog } from "./process-models/fit-log.ts";
import { type FitVariant, fitOnHistory, type HistoryFit } from "./process-models/fit-on-history.ts";
import { lloydTaylorModel, q10Model, q10MoistureModel } from "./process-models/models.ts";

/** Share of the network in a blend, tried in this order (ties keep the earlier, i.e. the network's larger share last). */
export const BLEND_WEIGHTS = [1, 0.75, 0.5, 0.25, 0] as const;

/**
 * Share of a site's measured days, at their end, on which the fitting scale, the temperature model and the blend
 * weights are chosen: 1/7, the validation share of the history in the default temporal split (10% of 70%).
 */
export const SELECTION_SHARE = 1 / 7;

/** A fitted per-site process model: which one, on what scale, with what parameters (R10 in µmol m-2 s-1). */
export interface ProcessFit {
  model: "q10" | "lloyd_taylor" | "q10_moisture";
  scale: "flux" | "log";
  params: Record<string, number>;
}

/** A process model and the network's share w: efflux = w·network + (1 − w)·process, on the days it applies. */
export interface Blend {
  fit: ProcessFit;
  weight: number;
}

/**
 * The per-site part of a calibration: `moisture` applies on days with soil temperature and moisture, `temperature`
 * on the other days with soil temperature; days without soil temperature keep the network as it is.
 */
export interface SiteBlends {
  temperature: Blend | null;
  moisture: Blend | null;
}

/** A site's measured days: aligned arrays, one entry per day, NaN where not measured. */
export interface MeasuredDays {
  /** Daily mean efflux, µmol m-2 s-1. */
  flux: ArrayLike<number>;
  /** Daily mean soil temperature, °C. */
  tsoil: ArrayLike<number>;
  /** Daily mean soil water content, m3 m-3. */
  swc: ArrayLike<number>;
}

type Predict = (p: Record<string, number>, tsoil: number, swc: number) => number;

const PREDICT: Record<ProcessFit["model"], Predict> = {
  q10: (p, ts) => q10Model(p.r10!, p.q10!, ts),
  lloyd_taylor: (p, ts) => lloydTaylorModel(p.r10!, p.e0!, ts),
  q10_moisture: (p, ts, sw) => q10MoistureModel(p.r10!, p.q10!, p.c1!, p.c2!, ts, sw),
};

/** Flux-scale least squares first (kept when the selection days cannot choose), then log space with smearing. */
const VARIANTS: Record<ProcessFit["model"], FitVariant[]> = {
  q10: [
    { scale: "flux", fit: fitQ10 },
    { scale: "log", fit: fitQ10Log },
  ],
  lloyd_taylor: [
    { scale: "flux", fit: fitLloydTaylor },
    { scale: "log", fit: fitLloydTaylorLog },
  ],
  q10_moisture: [
    { scale: "flux", fit: fitQ10Moisture },
    { scale: "log", fit: fitQ10MoistureLog },
  ],
};

/** The process model's flux on one day (NaN where its drivers are missing). */
export function processFlux(fit: ProcessFit, tsoil: number, swc: number): number {
  return PREDICT[fit.model](fit.params, tsoil, swc);
}

/**
 * The last {@link SELECTION_SHARE} of the measured days (those with efflux), at least one when there are 7 or more.
 * @returns per day: true for a selection day; every other measured day is a fit day
 */
export function selectionDays(flux: ArrayLike<number>): boolean[] {
  const measured: number[] = [];
  for (let t = 0; t < flux.length; t++) if (!Number.isNaN(flux[t]!)) measured.push(t);
  const n = Math.floor(measured.length * SELECTION_SHARE);
  const first = n > 0 ? measured[measured.length - n]! : Number.POSITIVE_INFINITY;
  return Array.from({ length: flux.length }, (_, t) => t >= first && !Number.isNaN(flux[t]!));
}

function points(d: MeasuredDays, keep: (t: number) => boolean, moisture: boolean): FitPoints {
  const pts: FitPoints = { tsoil: [], swc: [], flux: [] };
  for (let t = 0; t < d.flux.length; t++) {
    if (!keep(t) || Number.isNaN(d.flux[t]!) || Number.isNaN(d.tsoil[t]!)) continue;
    if (moisture && Number.isNaN(d.swc[t]!)) continue;
    pts.tsoil.push(d.tsoil[t]!);
    pts.swc.push(d.swc[t]!);
    pts.flux.push(d.flux[t]!);
  }
  return pts;
}

/**
 * Fit a process model as a soil scientist would (core/process-models/fit-on-history.ts): the scale chosen on the
 * selection days, then refitted on all measured days.
 * @param selection per day, true for a selection day (see {@link selectionDays})
 */
export function fitProcessModel(
  d: MeasuredDays,
  selection: readonly boolean[],
  model: ProcessFit["model"],
): HistoryFit | null {
  const moisture = model === "q10_moisture";
  return fitOnHistory(
    points(d, (t) => !selection[t], moisture),
    points(d, (t) => selection[t]!, moisture),
    VARIANTS[model],
    (p, pts, i) => PREDICT[model](p, pts.tsoil[i]!, pts.swc[i]!),
  );
}

/** Squared error of a blend on the given days, NaN where nothing can be scored. */
function blendError(
  d: MeasuredDays,
  days: number[],
  net: ArrayLike<number>,
  fit: ProcessFit,
  w: number,
): number {
  let e = 0;
  for (const t of days)
    e += (w * net[t]! + (1 - w) * processFlux(fit, d.tsoil[t]!, d.swc[t]!) - d.flux[t]!) ** 2;
  return days.length > 0 ? e / days.length : Number.NaN;
}

/**
 * The blend of one process model: its weight is chosen on the selection days with the model fitted on the fit days
 * only (so the process model is not scored where it was fitted), and the model itself is then the refit on all days.
 * Without enough selection days (or a fit-days fit) the network keeps its whole share (w = 1).
 */
function blendOf(
  d: MeasuredDays,
  days: number[],
  net: ArrayLike<number>,
  model: ProcessFit["model"],
  h: HistoryFit,
): Blend {
  const fit: ProcessFit = { model, scale: h.scale, params: h.fit.params };
  if (!h.trainFit || days.length < 5) return { fit, weight: 1 };
  const onFitDays: ProcessFit = { model, scale: h.scale, params: h.trainFit.params };
  let weight = 1;
  let best = Number.POSITIVE_INFINITY;
  for (const w of BLEND_WEIGHTS) {
    const e = blendError(d, days, net, onFitDays, w);
    if (e < best - 1e-12) {
      best = e;
      weight = w;
    }
  }
  return { fit, weight };
}

/**
 * Calibrate a site: fit Q10, Lloyd-Taylor and Q10 × moisture; keep the temperature model (Q10 or Lloyd-Taylor) with
 * the lower selection-day error; choose each blend weight on the selection days.
 * @param d the site's days (one entry per day)
 * @param network the network's efflux on the same days, µmol m-2 s-1, run with the reference statistics of the fit days
 * @param selection per day, true for a selection day (default: {@link selectionDays} of `d.flux`)
 */
export function calibrateBlends(
  d: MeasuredDays,
  network: ArrayLike<number>,
  selection: readonly boolean[] = selectionDays(d.flux),
): SiteBlends {
  const sel: number[] = [];
  for (let t = 0; t < d.flux.length; t++) if (selection[t] && !Number.isNaN(d.tsoil[t]!)) sel.push(t);
  const withSwc = sel.filter((t) => !Number.isNaN(d.swc[t]!));
  const q10 = fitProcessModel(d, selection, "q10");
  const lt = fitProcessModel(d, selection, "lloyd_taylor");
  const qm = fitProcessModel(d, selection, "q10_moisture");
  const err = (h: HistoryFit | null) =>
    h ? Math.min(h.validationMse.flux, h.validationMse.log) : Number.NaN;
  const useLt = lt !== null && (q10 === null || err(lt) < err(q10));
  const temperature = useLt
    ? blendOf(d, sel, network, "lloyd_taylor", lt!)
    : q10 && blendOf(d, sel, network, "q10", q10);
  const moisture = qm && blendOf(d, withSwc, network, "q10_moisture", qm);
  return { temperature: temperature ?? null, moisture: moisture ?? null };
}

/**
 * The calibrated efflux: on each day the blend that applies (moisture where soil temperature and moisture are given
 * and the site has the moisture fit, else temperature where soil temperature is given), the network elsewhere.
 * @param network [days] the network's efflux, µmol m-2 s-1
 * @param tsoil [days] °C, NaN = gap; swc [days] m3 m-3, NaN = gap
 * @returns [days] efflux, µmol m-2 s-1
 */
export function applyBlends(
  network: ArrayLike<number>,
  tsoil: ArrayLike<number>,
  swc: ArrayLike<number>,
  b: SiteBlends,
): Float32Array {
  return Float32Array.from({ length: network.length }, (_, t) => {
    const n = network[t]!;
    const ts = tsoil[t]!;
    const sw = swc[t]!;
    if (Number.isNaN(ts)) return n;
    const blend = b.moisture && !Number.isNaN(sw) ? b.moisture : b.temperature;
    if (!blend) return n;
    return blend.weight * n + (1 - blend.weight) * processFlux(blend.fit, ts, sw);
  });
}

/**
 * The site's 10-90% interval: fitted on the selection days from the calibrated prediction as the fit days alone
 * would have made it (each blend's process model refitted on the fit days, as when its weight was chosen), so the
 * errors it spans are out-of-sample ones (core/interval.ts).
 * @param widening κ of core/interval.ts (the shipped constant unless a choice of it is being measured)
 * @returns null with fewer than 20 selection days with efflux > 0
 */
export function selectionInterval(
  d: MeasuredDays,
  network: ArrayLike<number>,
  blends: SiteBlends,
  selection: readonly boolean[] = selectionDays(d.flux),
  widening = INTERVAL_WIDENING,
): RatioInterval | null {
  const onFitDays = (b: Blend | null): Blend | null => {
    if (!b) return null;
    const h = fitProcessModel(d, selection, b.fit.model);
    return h?.trainFit ? { ...b, fit: { ...b.fit, params: h.trainFit.params } } : b;
  };
  const pred = applyBlends(network, d.tsoil, d.swc, {
    temperature: onFitDays(blends.temperature),
    moisture: onFitDays(blends.moisture),
  });
  const obs: number[] = [];
  const sim: number[] = [];
  for (let t = 0; t < d.flux.length; t++)
    if (selection[t] && !Number.isNaN(d.flux[t]!)) {
      obs.push(d.flux[t]!);
      sim.push(pred[t]!);
    }
  return fitRatioInterval(obs, sim, widening);
}
