/** What the friendly /v1 routes share: the body's `model`/`version` pick, and a per-version cache of the body schema built from its model schema. */
import type { ModelEntry } from "../registry.ts";

/** `model` and `version` of a body when they are strings (anything else is left to the schema to refuse). */
export function pickModel(body: unknown): { model?: string; version?: string } {
  if (!body || typeof body !== "object" || Array.isArray(body)) return {};
  const { model, version } = body as { model?: unknown; version?: unknown };
  return {
    ...(typeof model === "string" ? { model } : {}),
    ...(typeof version === "string" ? { version } : {}),
  };
}

/** `build(entry)` computed once per loaded model version (the body schema of a route, say). */
export function perModel<T>(build: (entry: ModelEntry) => T): (entry: ModelEntry) => T {
  const cache = new WeakMap<ModelEntry, T>();
  return (entry) => {
    let v = cache.get(entry);
    if (v === undefined) {
      v = build(entry);
      cache.set(entry, v);
    }
    return v;
  };
}
