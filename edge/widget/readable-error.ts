/** Turn anything thrown while loading, predicting or drawing into one sentence a page visitor can read. */
import { Soilco2Error } from "../../core/errors.ts";

/**
 * A readable message for an error: soilco2's own errors carry what went wrong and what to do; anything else is
 * prefixed so the box never shows a bare stack trace.
 * @example readableError(new TypeError("x is undefined")) // "Could not draw the chart: x is undefined"
 */
export function readableError(err: unknown): string {
  if (err instanceof Soilco2Error) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `Could not draw the chart: ${message}`;
}
