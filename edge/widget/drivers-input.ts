/** Where a chart's drivers come from: the `src` file (JSON or CSV), an inline JSON script child, and the `observed` attribute. */
import { ArtefactError, InputError } from "../../core/errors.ts";
import type { SiteRequest } from "../../core/request.ts";
import { parseDriversCsv, type SiteInput } from "./drivers-csv.ts";

/** What the element offers: its attributes and its inline JSON, if any. */
export interface DriversSource {
  /** `src` attribute: URL of a JSON or CSV drivers file. */
  src?: string | null;
  /** Text of a `<script type="application/json">` child. */
  inline?: string | null;
  /** `observed` attribute: a JSON array of values, or the URL of a JSON array / CSV with an `observed` column. */
  observed?: string | null;
  /** Base URL for relative URLs (the page). */
  base?: string;
}

/**
 * Resolve the element's drivers. JSON may be `{ site, observed? }`, a predict request `{ sites: [site] }` (its first
 * site) or a bare site `{ static, start | dates, drivers }`.
 * @throws {InputError} when no drivers are given or the file does not hold a site
 * @throws {ArtefactError} when `src` cannot be fetched
 * @example await readDrivers({ src: "site.json", base: location.href })
 */
export async function readDrivers(source: DriversSource, fetchFn: typeof fetch = fetch): Promise<SiteInput> {
  let input: SiteInput;
  if (source.src) {
    const url = new URL(source.src, source.base);
    const text = await fetchText(url, fetchFn);
    input = isCsv(url, text)
      ? parseDriversCsv(text, url.pathname)
      : siteFromJson(parseJson(text, url.href), url.href);
  } else if (source.inline?.trim()) {
    input = siteFromJson(parseJson(source.inline, "inline drivers"), "inline drivers");
  } else {
    throw new InputError(
      "drivers",
      "missing",
      'give src="drivers.json" (or .csv) or a <script type="application/json"> child holding a site',
    );
  }
  if (source.observed) input.observed = await readObserved(source.observed, source.base, fetchFn);
  return input;
}

async function readObserved(
  value: string,
  base: string | undefined,
  fetchFn: typeof fetch,
): Promise<(number | null)[]> {
  if (value.trim().startsWith("[")) return observedArray(parseJson(value, "observed"), "observed");
  const url = new URL(value, base);
  const text = await fetchText(url, fetchFn);
  if (isCsv(url, text)) return parseDriversCsv(text, url.pathname).observed ?? [];
  return observedArray(parseJson(text, url.href), url.href);
}

function siteFromJson(json: unknown, where: string): SiteInput {
  const o = json as { site?: unknown; sites?: unknown[]; observed?: unknown; drivers?: unknown } | null;
  const site = (o?.site ?? (Array.isArray(o?.sites) ? o.sites[0] : o?.drivers ? o : undefined)) as
    | SiteRequest
    | undefined;
  if (!site || typeof site !== "object" || typeof site.drivers !== "object")
    throw new InputError(
      where,
      "holds no site with drivers",
      "expected { site: { static, start|dates, drivers } }",
    );
  return {
    site,
    observed: o?.observed === undefined ? undefined : observedArray(o.observed, `${where}: observed`),
  };
}

function observedArray(json: unknown, where: string): (number | null)[] {
  if (!Array.isArray(json) || json.some((v) => v !== null && typeof v !== "number"))
    throw new InputError(where, "is not an array of numbers (null for none)");
  return json as (number | null)[];
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(where, "is not valid JSON");
  }
}

function isCsv(url: URL, text: string): boolean {
  return url.pathname.endsWith(".csv") || !/^\s*[[{]/.test(text);
}

async function fetchText(url: URL, fetchFn: typeof fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (cause) {
    throw new ArtefactError(url.href, "could not be reached", "check the URL and that it allows CORS", {
      cause,
    });
  }
  if (!res.ok) throw new ArtefactError(url.href, `answered HTTP ${res.status}`, "check the URL");
  return res.text();
}
