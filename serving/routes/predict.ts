/** `POST /v1/predict`: friendly JSON in physical units, validated against the chosen model's own schema. */
import { z } from "zod";
import { isoDate } from "../../core/dates.ts";
import { answerSite, type PlannedSite, planSite } from "../../core/predict-site.ts";
import { type PredictRequest, siteSpanDays } from "../../core/request.ts";
import type { RouteDeps, ServingApp } from "../context.ts";
import { readJson, zodHttpError } from "../errors.ts";
import type { ModelEntry } from "../registry.ts";
import { errorBodyZ, predictBodySchema, predictResponseZ } from "../schemas.ts";
import { perModel, pickModel } from "./per-model.ts";

type BodySchema = ReturnType<typeof predictBodySchema>;

const errors = {
  400: {
    description: "invalid request, naming the field",
    content: { "application/json": { schema: errorBodyZ } },
  },
  404: { description: "unknown model or version", content: { "application/json": { schema: errorBodyZ } } },
  408: {
    description: "the request took longer than the timeout",
    content: { "application/json": { schema: errorBodyZ } },
  },
  413: {
    description: "body larger than the limit, or more site-days than the limit",
    content: { "application/json": { schema: errorBodyZ } },
  },
  429: {
    description: "rate limit (requests or site-days per minute), with Retry-After",
    content: { "application/json": { schema: errorBodyZ } },
  },
  503: {
    description: "model not ready, queue full or shutting down",
    content: { "application/json": { schema: errorBodyZ } },
  },
};

const isoCache = new Map<number, string>();

/** `isoDate` memoised: a 100-site, 365-day answer formats 36 500 dates, most of them the same few hundred. */
function cachedIsoDate(day: number): string {
  let s = isoCache.get(day);
  if (s === undefined) {
    if (isoCache.size >= 100_000) isoCache.clear();
    s = isoDate(day);
    isoCache.set(day, s);
  }
  return s;
}

/**
 * The site-days a body asks for, read before validation so that refusing an oversized request costs no schema
 * walk (at most `maxSites + 1` sites are read: more is refused by the schema anyway).
 */
function claimedSiteDays(body: unknown, maxSites: number, spinUpDays: number): number {
  const sites = (body as { sites?: unknown } | null)?.sites;
  if (!Array.isArray(sites)) return 1;
  let sum = 0;
  for (let i = 0; i < Math.min(sites.length, maxSites + 1); i++) {
    const spin = (sites[i] as { spin_up?: unknown } | null)?.spin_up === "none" ? 0 : spinUpDays;
    sum += siteSpanDays(sites[i]) + spin;
  }
  return sum;
}

/**
 * Add `POST /v1/predict`. The body schema is built per model version from its schema (`buildRequestSchema`); the
 * OpenAPI document shows the default model's.
 */
export function predictRoutes(app: ServingApp, deps: RouteDeps): void {
  const bodySchema = perModel((entry): BodySchema => predictBodySchema(entry.schema, deps.limits));
  const name = deps.registry.defaultModel();
  const entry = name === undefined ? undefined : deps.registry.get(name);
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/predict",
    summary: "Predict daily soil CO2 efflux for one or many sites",
    description:
      "Drivers in physical units, one value (or null for a gap) per date. Validated against the model's schema: " +
      "an out-of-range value is refused naming the field.",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: entry ? bodySchema(entry) : z.object({ sites: z.array(z.unknown()) }).passthrough(),
          },
        },
      },
    },
    responses: {
      200: { description: "predictions", content: { "application/json": { schema: predictResponseZ } } },
      ...errors,
    },
  });

  /**
   * Validate, admit (its site-days, before any tensor is allocated) and encode a parsed body; only the tensors
   * outlive this call, so the parsed JSON dies young.
   */
  const prepare = (
    body: unknown,
    admit: (siteDays: number) => () => void,
  ): { model: ModelEntry; sites: PlannedSite[]; release: () => void } => {
    const pick = pickModel(body);
    const model = deps.resolve(pick.model, pick.version);
    const release = admit(claimedSiteDays(body, deps.limits.maxSites, model.schema.warmupDays));
    try {
      const parsed = bodySchema(model).safeParse(body);
      if (!parsed.success) throw zodHttpError(parsed.error);
      const request = parsed.data as unknown as PredictRequest;
      const sites = request.sites.map((s, i) => planSite(s, model.schema, model, `sites[${i}]`, deps.limits));
      return { model, sites, release };
    } catch (err) {
      release();
      throw err;
    }
  };

  app.post("/v1/predict", async (c) => {
    const { model, sites, release } = prepare(await readJson(c.req.raw), (n) => deps.admit(c, n));
    let rows: Float32Array[];
    try {
      rows = await deps.batcher(model).submit(
        sites.map((p) => p.run),
        c.var.signal,
      );
    } finally {
      release();
    }
    return c.json({
      model: { name: model.name, version: model.version, sha256: model.sha256 },
      units: model.schema.target.unit,
      sites: sites.map((plan, i) => {
        const a = answerSite(plan, rows[i]!, model.schema, cachedIsoDate);
        const lastWarm = a.warmup.lastIndexOf(true);
        return {
          id: plan.encoded.id ?? String(i),
          ...a,
          warmup_until: lastWarm >= 0 ? a.dates[lastWarm]! : null,
        };
      }),
    });
  });
}
