/** KServe v2 model endpoints: `GET /v2/models/{name}[/versions/{v}]` (metadata) and `.../ready`. */
import type { Context } from "hono";
import { z } from "zod";
import { staticColumns } from "../../core/model-schema.ts";
import type { AppEnv, RouteDeps, ServingApp } from "../context.ts";
import { HttpError } from "../errors.ts";
import type { ModelEntry, VersionFailure } from "../registry.ts";
import { errorBodyZ, v2ModelMetadataZ } from "../schemas.ts";
import { v2OutputMetadata } from "../v2-outputs.ts";
import { v2InputMetadata } from "../v2-tensors.ts";

/** Platform name of ONNX models in the KServe protocol. */
export const V2_PLATFORM = "onnxruntime_onnx";

/** KServe v2 metadata of a model version; `parameters` carries the version, sha256, execution provider and columns. */
export function modelMetadata(entry: ModelEntry, versions: string[]) {
  const s = entry.schema;
  return {
    name: entry.name,
    versions,
    platform: V2_PLATFORM,
    inputs: v2InputMetadata(s),
    outputs: v2OutputMetadata(entry.manifest.intervals),
    parameters: {
      version: entry.version,
      manifest_version: entry.manifest.version,
      sha256: entry.sha256,
      execution_provider: entry.executionProvider,
      ready: entry.ready,
      units: s.target.unit,
      dynamic_columns: s.dynamic.map((f) => `${f.name} [${f.unit}]`),
      static_columns: staticColumns(s),
      warmup_days: s.warmupDays,
      gaps: "send null in data for a gap; it is read as NaN",
      ...(entry.manifest.intervals
        ? {
            interval:
              "efflux_lower/efflux_upper: the model's own 10-90% interval, the with-reference factors for rows whose static row carries flux_ref and flux_sd, else the new-site factors",
          }
        : {}),
    },
  };
}

/** A version that was found but failed to load: 503 `model_not_ready` naming its directory and why. */
export function failedVersionError(failure: VersionFailure): HttpError {
  return new HttpError(
    503,
    "model_not_ready",
    `model ${failure.name} version ${failure.version} (${failure.dir}) failed to load: ${failure.reason}`,
    "fix or remove that version directory and restart; other versions keep serving",
  );
}

/**
 * The model version a v2 path names; 404 naming the known models when there is none, 503 for a version that
 * failed to load (use {@link pathFailure} first to answer its ready route).
 */
export function pathModel(deps: RouteDeps, c: Context<AppEnv>): ModelEntry {
  const name = c.req.param("name") ?? "";
  const version = c.req.param("version");
  const entry = deps.registry.get(name, version);
  if (!entry) {
    const failure = version === undefined ? undefined : deps.registry.failure(name, version);
    if (failure) throw failedVersionError(failure);
    const known = deps.registry.list().map((m) => `${m.name} (${m.versions.join(", ")})`);
    throw new HttpError(
      404,
      "model_not_found",
      version === undefined
        ? `no model ${JSON.stringify(name)}`
        : `no version ${JSON.stringify(version)} of model ${JSON.stringify(name)}`,
      `loaded: ${known.join("; ") || "none"}`,
    );
  }
  return entry;
}

/** Add the v2 model metadata and model readiness routes. */
export function v2ModelRoutes(app: ServingApp, deps: RouteDeps): void {
  const err = {
    description: "unknown model or version",
    content: { "application/json": { schema: errorBodyZ } },
  };
  const readyZ = z.object({
    name: z.string(),
    ready: z.boolean(),
    reason: z.string().optional().describe("why a version that failed to load does not serve"),
  });
  for (const base of ["/v2/models/{name}", "/v2/models/{name}/versions/{version}"]) {
    const params = base.includes("{version}")
      ? z.object({ name: z.string(), version: z.string() })
      : z.object({ name: z.string() });
    app.openAPIRegistry.registerPath({
      method: "get",
      path: base,
      summary: "Model metadata (KServe v2): tensors, platform, execution provider",
      request: { params },
      responses: {
        200: { description: "model metadata", content: { "application/json": { schema: v2ModelMetadataZ } } },
        404: err,
      },
    });
    app.openAPIRegistry.registerPath({
      method: "get",
      path: `${base}/ready`,
      summary: "Model readiness (KServe v2)",
      request: { params },
      responses: {
        200: { description: "ready", content: { "application/json": { schema: readyZ } } },
        503: {
          description: "not ready: loading, restarting, or failed to load (`reason`)",
          content: { "application/json": { schema: readyZ } },
        },
        404: err,
      },
    });
  }

  const metadata = (c: Context<AppEnv>) => {
    const entry = pathModel(deps, c);
    const versions = deps.registry.list().find((m) => m.name === entry.name)?.versions ?? [entry.version];
    return c.json(modelMetadata(entry, versions));
  };
  const ready = (c: Context<AppEnv>) => {
    const version = c.req.param("version");
    const failure =
      version === undefined ? undefined : deps.registry.failure(c.req.param("name") ?? "", version);
    if (failure) return c.json({ name: failure.name, ready: false, reason: failure.reason }, 503);
    const entry = pathModel(deps, c);
    const ok = entry.ready && !deps.isShuttingDown();
    return c.json({ name: entry.name, ready: ok }, ok ? 200 : 503);
  };
  app.get("/v2/models/:name", metadata);
  app.get("/v2/models/:name/versions/:version", metadata);
  app.get("/v2/models/:name/ready", ready);
  app.get("/v2/models/:name/versions/:version/ready", ready);
}
