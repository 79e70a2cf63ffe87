/** HTTP errors of the serving API: one JSON shape `{ error: "<message>", code, hint, path? }` for every failure (the Open Inference Protocol's string `error`, detail beside it). */
import type { ZodError } from "zod";
import { InputError, Soilco2Error } from "../core/errors.ts";

/** The body of every error response. */
export interface ErrorBody {
  /** What went wrong, naming the field: the protocol's error string. */
  error: string;
  /** Stable, machine-readable, e.g. `invalid_input`. */
  code: string;
  /** What to do next. */
  hint: string;
  /** The offending field, when there is one. */
  path?: string;
}

/** The {@link ErrorBody} of a code, message and hint. */
export function errorBody(code: string, message: string, hint: string, path?: string): ErrorBody {
  return { error: message, code, hint, ...(path ? { path } : {}) };
}

/**
 * An error that knows its HTTP status. Thrown anywhere in a handler or middleware; the app's error handler turns
 * it into an {@link ErrorBody} response.
 * @example throw new HttpError(404, "model_not_found", 'no model "x"', "GET /v2/models lists them")
 */
export class HttpError extends Soilco2Error {
  readonly status: number;
  readonly path: string | undefined;
  readonly headers: Record<string, string>;
  /** The message without the hint appended by {@link Soilco2Error}. */
  readonly plain: string;
  constructor(
    status: number,
    code: string,
    message: string,
    hint = "",
    opts: { path?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(code, message, hint, { cause: opts.cause });
    this.status = status;
    this.path = opts.path;
    this.headers = opts.headers ?? {};
    this.plain = message;
  }
}

/** A {@link Soilco2Error}'s message without its ` (hint)` suffix. */
function plainMessage(err: Soilco2Error): string {
  if (err instanceof HttpError) return err.plain;
  const suffix = ` (${err.hint})`;
  return err.hint && err.message.endsWith(suffix) ? err.message.slice(0, -suffix.length) : err.message;
}

/**
 * The status and JSON body for any thrown value: {@link HttpError} keeps its status, {@link InputError} is 400,
 * other {@link Soilco2Error}s are 400 too (they describe bad input or artefacts named by the request), anything else
 * is 500 with a generic message (details go to the log, never to the client).
 */
export function errorResponse(err: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (err instanceof HttpError)
    return {
      status: err.status,
      headers: err.headers,
      body: errorBody(err.code, err.plain, err.hint, err.path),
    };
  if (err instanceof InputError)
    return {
      status: 400,
      headers: {},
      body: errorBody(err.code, plainMessage(err), err.hint, err.path),
    };
  if (err instanceof Soilco2Error)
    return {
      status: 400,
      headers: {},
      body: errorBody(err.code, plainMessage(err), err.hint),
    };
  return {
    status: 500,
    headers: {},
    body: errorBody("internal", "internal error", "this is a bug in the server; the log has the details"),
  };
}

/**
 * A zod path as the field path users write: `["sites", 2, "drivers", "tsoil_mean", 14]` → `sites[2].drivers.tsoil_mean[14]`.
 * @example formatPath(["inputs", 0, "shape"]) // "inputs[0].shape"
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(body)";
}

/** The first issue of a failed zod parse as a 400 {@link HttpError} naming the field. */
export function zodHttpError(
  error: ZodError,
  hint = "see GET /openapi.json for the request schema",
): HttpError {
  const issue = error.issues[0];
  if (!issue) return new HttpError(400, "invalid_input", "invalid request", hint);
  let path = formatPath(issue.path);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    path = issue.keys.length === 1 ? formatPath([...issue.path, issue.keys[0]!]) : path;
    message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${keys}`;
  }
  if (issue.code === "invalid_type" && /received string/.test(message) && /number/.test(issue.expected))
    hint = "numbers must be JSON numbers; send null for a gap (NaN and Infinity are not JSON)";
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return new HttpError(400, "invalid_input", `${path}: ${message}${more}`, hint, { path });
}

/** Parse a request body as JSON, or throw a 400 {@link HttpError} saying why not. */
export async function readJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  if (text.length === 0)
    throw new HttpError(400, "invalid_json", "the request body is empty", "send a JSON object");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HttpError(
      400,
      "invalid_json",
      `the request body is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      "send a JSON object (Content-Type: application/json)",
    );
  }
}
