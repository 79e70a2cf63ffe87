/** The site calibration file: its format, TypeScript type and zod schema (what `soilco2 calibrate` and `POST /v1/calibrate` write, and `/v1/predict` reads). */
import { z } from "zod";
import type { RatioInterval } from "./interval.ts";
import type { SiteBlends } from "./site-calibration.ts";

/** `format` and `formatVersion` of a calibration file. */
export const CALIBRATION_FORMAT = "soilco2-site-calibration";
export const CALIBRATION_FORMAT_VERSION = 1;

/** The calibration of one site for one model, as JSON. */
export interface SiteCalibration {
  format: typeof CALIBRATION_FORMAT;
  formatVersion: typeof CALIBRATION_FORMAT_VERSION;
  site: string | null;
  /** Measured days it was fitted on: first and last, how many, and the first of the selection days. */
  period: { from: string; to: string; days: number; selectionFrom: string | null };
  /** The model it was fitted for: its blend weights were chosen with this model's predictions (sha256 of model.onnx). */
  model: { name: string; version: string; sha256: string };
  /** Reference statistics of the fit days, for the request's `static` (only those the model's schema takes). */
  reference: Record<string, number | null>;
  blends: SiteBlends;
  /** 10-90% interval factors of the calibrated efflux (core/interval.ts), null without enough selection days. */
  interval: RatioInterval | null;
}

const processFit = z.strictObject({
  model: z.enum(["q10", "lloyd_taylor", "q10_moisture"]),
  scale: z.enum(["flux", "log"]),
  params: z.record(z.string(), z.number()),
});
const blend = z.strictObject({ fit: processFit, weight: z.number().min(0).max(1) }).nullable();

/** zod schema of a calibration file, for prediction requests that carry one. */
export const siteCalibrationSchema = z
  .strictObject({
    format: z.literal(CALIBRATION_FORMAT),
    formatVersion: z.literal(CALIBRATION_FORMAT_VERSION),
    site: z.string().nullable(),
    period: z.strictObject({
      from: z.iso.date(),
      to: z.iso.date(),
      days: z.number().int().min(0),
      selectionFrom: z.iso.date().nullable(),
    }),
    model: z.strictObject({
      name: z.string(),
      version: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    reference: z.record(z.string(), z.number().nullable()),
    blends: z.strictObject({ temperature: blend, moisture: blend }),
    interval: z
      .strictObject({ lower: z.number().positive(), upper: z.number().positive(), days: z.number().int() })
      .nullable(),
  })
  .describe("a site calibration made by `soilco2 calibrate` or POST /v1/calibrate for this model");
