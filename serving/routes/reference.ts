/** `POST /v1/reference`: a site's reference statistics from its own daily measurements, for the prior's attributes. */
import { z } from "zod";
import { answerReferenceRequest, buildReferenceRequestSchema } from "../../core/reference-request.ts";
import { REFERENCE_STAT_NAMES } from "../../core/reference-stats.ts";
import type { RouteDeps, ServingApp } from "../context.ts";
import { readJson, zodHttpError } from "../errors.ts";
import { errorBodyZ } from "../schemas.ts";

/** The `POST /v1/reference` answer. */
export const referenceResponseZ = z.object({
  reference: z
    .object(Object.fromEntries(REFERENCE_STAT_NAMES.map((n) => [n, z.number().nullable()])))
    .describe(
      "the site's reference statistics (null: not enough data); send the ones your model lists under static in " +
        "POST /v1/predict",
    ),
  days: z.object({
    flux: z.number().int().describe("days with efflux"),
    flux_and_tsoil: z.number().int().describe("of them, days with soil temperature"),
    flux_tsoil_and_swc: z.number().int().describe("of them, days with soil moisture as well"),
  }),
});

/**
 * Add `POST /v1/reference`. Model-independent: the statistics are defined once (core/reference-stats.ts) and are
 * the very ones training computed on each site's training period.
 */
export function referenceRoutes(app: ServingApp, deps: RouteDeps): void {
  const schema = buildReferenceRequestSchema(deps.limits);
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/reference",
    summary: "A site's reference statistics (flux_ref, flux_q10, ...) from its own daily measurements",
    description:
      "Send the site's measured daily efflux over a reference period (a year or more is best), with soil " +
      "temperature and moisture where measured, one value or null per day in date order. The answer holds the " +
      "optional site attributes of the prior head, computed exactly as in training.",
    request: { body: { required: true, content: { "application/json": { schema } } } },
    responses: {
      200: { description: "the statistics", content: { "application/json": { schema: referenceResponseZ } } },
      400: {
        description: "invalid request, naming the field",
        content: { "application/json": { schema: errorBodyZ } },
      },
      413: {
        description: "body larger than the limit",
        content: { "application/json": { schema: errorBodyZ } },
      },
    },
  });
  app.post("/v1/reference", async (c) => {
    const parsed = schema.safeParse(await readJson(c.req.raw));
    if (!parsed.success) throw zodHttpError(parsed.error);
    return c.json(answerReferenceRequest(parsed.data));
  });
}
