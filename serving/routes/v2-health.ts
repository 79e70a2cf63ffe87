/** KServe v2 server endpoints: `GET /v2/health/live`, `GET /v2/health/ready`, `GET /v2` (server metadata). */
import { z } from "zod";
import type { RouteDeps, ServingApp } from "../context.ts";
import { v2ServerMetadataZ } from "../schemas.ts";

/**
 * Whether the server can serve: not shutting down, at least one model version loaded, and every loaded version
 * ready (a restarting inference thread makes it false). Versions that failed to load are reported on their own
 * ready route and in the log, not here, so one bad version does not take the others out of service.
 */
export function serverReady(deps: RouteDeps): boolean {
  if (deps.isShuttingDown()) return false;
  const loaded = deps.registry
    .list()
    .flatMap((m) =>
      m.versions.filter((v) => !deps.registry.failure(m.name, v)).map((v) => deps.registry.get(m.name, v)),
    );
  return loaded.length > 0 && loaded.every((e) => e?.ready === true);
}

/** Add the v2 health and server-metadata routes (never behind API keys: probes must reach them). */
export function v2HealthRoutes(app: ServingApp, deps: RouteDeps): void {
  const json = (schema: z.ZodType) => ({ "application/json": { schema } });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v2/health/live",
    summary: "Liveness: the process answers (Kubernetes livenessProbe)",
    responses: { 200: { description: "alive", content: json(z.object({ live: z.boolean() })) } },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v2/health/ready",
    summary: "Readiness: every loaded model version ready and not shutting down (Kubernetes readinessProbe)",
    responses: {
      200: { description: "ready", content: json(z.object({ ready: z.boolean() })) },
      503: {
        description: "not ready (loading or shutting down)",
        content: json(z.object({ ready: z.boolean() })),
      },
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v2",
    summary: "Server metadata",
    responses: { 200: { description: "server metadata", content: json(v2ServerMetadataZ) } },
  });

  app.get("/v2/health/live", (c) => c.json({ live: true }));
  app.get("/v2/health/ready", (c) => {
    const ready = serverReady(deps);
    return c.json({ ready }, ready ? 200 : 503);
  });
  app.get("/v2", (c) =>
    c.json({ name: deps.server.name, version: deps.server.version, extensions: ["binary_tensor_data"] }),
  );
}
