/** `POST /v1/calibrate`: a site's calibration for the chosen model from its measured days (core/calibrate-request.ts, as `soilco2 calibrate`). */
import { z } from "zod";
import {
  buildCalibrateRequestSchema,
  type CalibrateRequest,
  calibrateSite,
} from "../../core/calibrate-request.ts";
import { siteCalibrationSchema } from "../../core/calibration-file.ts";
import { siteSpanDays } from "../../core/request.ts";
import type { RouteDeps, ServingApp } from "../context.ts";
import { readJson, zodHttpError } from "../errors.ts";
import type { ModelEntry } from "../registry.ts";
import { errorBodyZ } from "../schemas.ts";
import { perModel, pickModel } from "./per-model.ts";

type BodySchema = ReturnType<typeof bodySchemaFor>;

function bodySchemaFor(entry: ModelEntry, deps: RouteDeps) {
  return buildCalibrateRequestSchema(entry.schema, deps.limits).extend({
    model: z.string().max(200).optional().describe("model name (default: the server's default model)"),
    version: z.string().max(200).optional().describe("model version (default: the newest ready one)"),
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: errorBodyZ } },
});

/**
 * Add `POST /v1/calibrate`. The network runs on the site's days through the same batcher as `/v1/predict`, so the
 * calibration's weights are chosen with the very model that will serve the site.
 */
export function calibrateRoutes(app: ServingApp, deps: RouteDeps): void {
  const bodySchema = perModel((entry): BodySchema => bodySchemaFor(entry, deps));
  const name = deps.registry.defaultModel();
  const entry = name === undefined ? undefined : deps.registry.get(name);
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/calibrate",
    summary: "A site's calibration for this model from its measured days",
    description:
      "Send one site as in /v1/predict plus its measured daily efflux (flux_mean, one value or null per date). The " +
      "answer is the calibration JSON to send back as the site's `calibration` in /v1/predict: reference statistics, " +
      "the site's own process models, the weights that blend them with the network, and a 10-90% interval.",
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: entry ? bodySchema(entry) : z.object({}).passthrough() } },
      },
    },
    responses: {
      200: {
        description: "the calibration",
        content: { "application/json": { schema: siteCalibrationSchema } },
      },
      400: errorResponse("invalid request, naming the field (e.g. fewer than 14 measured days)"),
      404: errorResponse("unknown model or version"),
      413: errorResponse("body larger than the limit, or more site-days than the limit"),
      503: errorResponse("model not ready, queue full or shutting down"),
    },
  });
  app.post("/v1/calibrate", async (c) => {
    const body = (await readJson(c.req.raw)) as { site?: unknown } | null;
    const pick = pickModel(body);
    const model = deps.resolve(pick.model, pick.version);
    const release = deps.admit(c, siteSpanDays(body?.site));
    try {
      const parsed = bodySchema(model).safeParse(body);
      if (!parsed.success) throw zodHttpError(parsed.error);
      const { model: _m, version: _v, ...req } = parsed.data;
      const cal = await calibrateSite(
        req as unknown as CalibrateRequest,
        model.schema,
        { name: model.name, version: model.version, sha256: model.sha256 },
        async (site) => (await deps.batcher(model).submit([site], c.var.signal))[0]!,
        deps.limits,
      );
      return c.json(cal);
    } finally {
      release();
    }
  });
}
