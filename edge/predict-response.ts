/** Read a POST /v1/predict response (from a soilco2 server or the in-page app): the predictions, or an error that carries the server's message and hint. */
import type { z } from "zod";
import { Soilco2Error } from "../core/errors.ts";
import type { predictResponseZ } from "../serving/schemas.ts";

/** The answer of POST /v1/predict (serving/schemas.ts `predictResponseZ`). */
export type PredictResponse = z.infer<typeof predictResponseZ>;

/** A refused or failed prediction: serving's `{ error: message, code, hint }` with the HTTP status. */
export class PredictError extends Soilco2Error {
  readonly status: number;
  constructor(status: number, code: string, message: string, hint: string) {
    super(code, message, hint);
    this.status = status;
  }
}

/**
 * The predictions of a `/v1/predict` response.
 * @throws {PredictError} for any status other than 200, with the body's message and hint when it has them
 * @example const r = await readPredictResponse(await app.request("/v1/predict", { method: "POST", body }));
 */
export async function readPredictResponse(res: Response): Promise<PredictResponse> {
  const body = (await res.json().catch(() => null)) as
    | (PredictResponse & { error?: undefined })
    | { error?: unknown; code?: unknown; hint?: unknown }
    | null;
  if (res.ok && body && !body.error) return body as PredictResponse;
  const e = body as { error?: unknown; code?: unknown; hint?: unknown } | null;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  throw new PredictError(
    res.status,
    str(e?.code) ?? "http_error",
    str(e?.error) ?? `answered HTTP ${res.status}`,
    str(e?.hint) ?? (res.status >= 500 ? "try again later" : ""),
  );
}
