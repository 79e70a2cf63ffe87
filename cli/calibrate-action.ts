/** The work of `soilco2 calibrate`, loaded only when the command runs (its imports are heavy: DuckDB, onnxruntime). */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { stackSites } from "../core/batch.ts";
import {
  buildCalibrateRequestSchema,
  type CalibrateRequest,
  calibrateSite,
} from "../core/calibrate-request.ts";
import { dayNumber, isoDate } from "../core/dates.ts";
import { ArtefactError, InputError } from "../core/errors.ts";
import { staticWidth } from "../core/model-schema.ts";
import { createOrtPredictor } from "../export/ort-predict.ts";
import { readModelDir } from "../export/read-model.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { loadDailyDataset, type SiteSeries } from "../training/dataset.ts";

/** A calibration request from one site of an ingest output, its days up to `to` (inclusive). */
export function requestFromSeries(s: SiteSeries, observed: readonly string[], to?: number): CalibrateRequest {
  const n = to === undefined ? s.length : Math.max(0, Math.min(s.length, to - s.firstDay + 1));
  const nullable = (v: number) => (Number.isNaN(v) ? null : v);
  const drivers = Object.fromEntries(
    observed.filter((k) => s.drivers[k]).map((k) => [k, Array.from(s.drivers[k]!.subarray(0, n), nullable)]),
  );
  return {
    site: {
      id: s.info.site,
      start: isoDate(s.firstDay),
      static: {
        latitude: s.info.latitude,
        elevation: s.info.elevation,
        mat: s.info.mat,
        map: s.info.map,
        igbp: s.info.igbp,
      },
      drivers,
    },
    flux_mean: Array.from(s.target.subarray(0, n), nullable),
  };
}

/** The version a server reports for a model directory: its number for `models/<name>/<N>/`, else the manifest's. */
function servedVersion(dir: string, manifestVersion: string): string {
  const last = basename(dir.replace(/[/\\]+$/, ""));
  return /^\d+$/.test(last) ? last : manifestVersion;
}

/** Options of `soilco2 calibrate` (see cli/calibrate.ts). */
export interface CalibrateOptions {
  model: string;
  request?: string;
  data?: string;
  site?: string;
  to?: string;
  out?: string;
}

/** Run `soilco2 calibrate`: write the site's calibration JSON to `--out` or standard output. */
export async function runCalibrate(o: CalibrateOptions): Promise<void> {
  const md = await readModelDir(o.model);
  let req: unknown;
  if (o.request) req = JSON.parse(await readFile(o.request, "utf8"));
  else if (o.data && o.site) {
    const { sites } = await loadDailyDataset(o.data, 1);
    const s = sites.find((x) => x.info.site === o.site);
    if (!s) throw new ArtefactError(o.data, `no site ${o.site}`, "pass a site id of sites.parquet");
    const to = o.to === undefined ? undefined : dayNumber(o.to);
    if (o.to !== undefined && to === undefined) throw new InputError("--to", `"${o.to}" is not a date`);
    const observed = md.schema.dynamic.filter((f) => f.source === "observed").map((f) => f.name);
    req = requestFromSeries(s, observed, to);
  } else
    throw new InputError(
      "calibrate",
      "no measured days given",
      "pass --request <file> or --data <dir> --site <id>",
    );
  const parsed = buildCalibrateRequestSchema(md.schema).safeParse(req);
  if (!parsed.success)
    throw new InputError(
      parsed.error.issues[0]?.path.join(".") || "request",
      parsed.error.issues[0]?.message ?? "invalid",
    );
  const ort = await import("onnxruntime-node");
  const predictor = await createOrtPredictor(ort, md.modelBytes, { intraOpNumThreads: 1 });
  try {
    const cal = await calibrateSite(
      parsed.data as CalibrateRequest,
      md.schema,
      { name: md.manifest.name, version: servedVersion(md.dir, md.manifest.version), sha256: md.sha256 },
      async (site) => predictor.predict(stackSites([site], md.schema.dynamic.length, staticWidth(md.schema))),
    );
    if (o.out) await writeJsonAtomic(o.out, cal);
    else console.log(JSON.stringify(cal, null, 2));
  } finally {
    await predictor.release();
  }
}
