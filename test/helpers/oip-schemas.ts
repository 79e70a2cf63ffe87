// The Open Inference Protocol's REST payloads as zod schemas, transcribed from its published OpenAPI document
// (kserve/open-inference-protocol, specification/protocol/open_inference_rest.yaml, components.schemas) and the
// REST spec (inference_rest.md): required fields and types only, so a conforming server's answers must parse.
import { z } from "zod";

/** `tensor_data`: nested arrays of numbers, strings or booleans. */
export const tensorDataZ: z.ZodType<unknown[]> = z.lazy(() =>
  z.array(z.union([tensorDataZ, z.number(), z.string(), z.boolean()])),
);
const parametersZ = z.record(z.string(), z.unknown());
const metadataTensorZ = z.object({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.number().int()),
});

/** `metadata_server_response` (GET /v2). */
export const metadataServerResponseZ = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});
/** `metadata_model_response` (GET /v2/models/{name}[/versions/{v}]). */
export const metadataModelResponseZ = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(metadataTensorZ).optional(),
  outputs: z.array(metadataTensorZ).optional(),
});
/** `response_output`; with the binary tensor extension `data` is left out and `binary_data_size` given. */
export const responseOutputZ = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: z.string(),
  parameters: parametersZ.optional(),
  data: tensorDataZ,
});
/** `inference_response` (POST .../infer, JSON outputs). */
export const inferenceResponseZ = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: parametersZ.optional(),
  outputs: z.array(responseOutputZ),
});
/** `inference_error_response`, `metadata_model_error_response`, `metadata_server_error_response`: `error` a string. */
export const errorResponseZ = z.object({ error: z.string() });
