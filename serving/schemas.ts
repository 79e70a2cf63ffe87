/** zod schemas of the HTTP contract: the same objects validate requests and, through @hono/zod-openapi, write /openapi.json. */
import { z } from "zod";
import type { ModelSchema } from "../core/model-schema.ts";
import { buildRequestSchema, type RequestLimits } from "../core/request.ts";

/** `{ error: "<message>", code, hint, path? }`, the body of every error (the protocol's `$inference_error_response` plus detail). */
export const errorBodyZ = z
  .object({
    error: z.string().describe("what went wrong, naming the field"),
    code: z.string().describe("stable, machine-readable, e.g. invalid_input, model_not_found, timeout"),
    hint: z.string().describe("what to do next"),
    path: z.string().optional().describe("the offending field, e.g. sites[2].drivers.tsoil_mean[14]"),
  })
  .describe("error");

/**
 * The `POST /v1/predict` body for a model: core's request schema (built from the model schema) plus the optional
 * `model` and `version`.
 */
export function predictBodySchema(schema: ModelSchema, limits: RequestLimits) {
  return buildRequestSchema(schema, limits).extend({
    model: z.string().max(200).optional().describe("model name (default: the server's default model)"),
    version: z.string().max(200).optional().describe("model version (default: the latest)"),
  });
}

/** The `POST /v1/predict` answer. */
export const predictResponseZ = z.object({
  model: z.object({
    name: z.string(),
    version: z.string(),
    sha256: z.string().describe("sha256 of model.onnx"),
  }),
  units: z.string().describe("unit of efflux: µmol CO2 m-2 s-1"),
  sites: z.array(
    z.object({
      id: z.string().describe("the site's id, or its index in the request"),
      dates: z.array(z.iso.date()).describe("the requested dates, in order"),
      efflux: z
        .array(z.number())
        .describe(
          "daily mean soil CO2 efflux per date, µmol CO2 m-2 s-1 (site-calibrated when the site sent a calibration)",
        ),
      efflux_lower: z
        .array(z.number())
        .nullable()
        .describe(
          "10% bound per date: the site calibration's interval where it has one, else the model's own (see interval); null when neither exists",
        ),
      efflux_upper: z.array(z.number()).nullable().describe("90% bound per date; null as efflux_lower"),
      interval: z
        .enum(["calibration", "network"])
        .nullable()
        .describe(
          "where the 10-90% interval comes from: the site's calibration, or the model's own (fitted on validation days, wider without the site's reference statistics); null: none",
        ),
      warmup: z
        .array(z.boolean())
        .describe(
          "per date: true while the model is still warming up (only with spin_up none: a cold start)",
        ),
      spin_up_days: z.number().int().describe("days prepended before the first date to warm the model up"),
      calibrated: z.boolean().describe("whether the site's calibration was applied"),
      warmup_until: z.iso
        .date()
        .nullable()
        .describe("last requested date still in warm-up (see warmup), or null when none is"),
    }),
  ),
});

/** Parameters object of the Open Inference Protocol (free key/values). */
const parametersZ = z.record(z.string(), z.unknown());

/** One input tensor of a KServe v2 inference request. */
export const v2RequestInputZ = z.object({
  name: z.string().describe("dynamic or static"),
  shape: z.array(z.number().int().nonnegative()).max(8),
  datatype: z.string().describe("FP32"),
  parameters: parametersZ.optional(),
  data: z
    .array(z.unknown())
    .optional()
    .describe(
      "row-major numbers, flat or nested as the shape; null = NaN (a gap: JSON has no NaN). Left out when " +
        "parameters.binary_data_size gives the tensor as bytes after the JSON (binary tensor data extension)",
    ),
});

/** A KServe v2 inference request (`$inference_request`). */
export const v2InferRequestZ = z.object({
  id: z.string().max(200).optional(),
  parameters: parametersZ.optional(),
  inputs: z.array(v2RequestInputZ).min(1).max(16),
  outputs: z
    .array(z.object({ name: z.string(), parameters: parametersZ.optional() }))
    .max(16)
    .optional(),
});

const v2TensorZ = z.object({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.number().int()),
});

/** A KServe v2 inference response (`$inference_response`). */
export const v2InferResponseZ = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: parametersZ.optional(),
  outputs: z.array(
    v2TensorZ.extend({ parameters: parametersZ.optional(), data: z.array(z.number()).optional() }),
  ),
});

/** KServe v2 model metadata (`$metadata_model_response`). */
export const v2ModelMetadataZ = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(v2TensorZ),
  outputs: z.array(v2TensorZ),
  parameters: parametersZ.optional(),
});

/** KServe v2 server metadata (`$metadata_server_response`). */
export const v2ServerMetadataZ = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});
