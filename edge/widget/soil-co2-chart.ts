/** `<soil-co2-chart>`: a web component that predicts and draws a site's daily soil CO2 efflux; one script tag, one element. */

import type { SiteCalibration } from "../../core/calibration-file.ts";
import { readDrivers } from "./drivers-input.ts";
import { readableError } from "./readable-error.ts";

/** What the element exposes once drawn (`element.predictions`), µmol CO2 m-2 s-1 per date. */
export interface ChartPredictions {
  dates: string[];
  values: number[];
  observed?: (number | null)[] | undefined;
  /** Last day of the model's warm-up (shaded in the chart), or null without one. */
  warmupUntil: string | null;
  /** The 10-90% interval per date (the calibration's, or the model's own where its manifest has one), else null. */
  lower: number[] | null;
  upper: number[] | null;
  /** `local` (onnxruntime-web in the page) or `api` (a soilco2 server). */
  via: "local" | "api";
}

/** The model directory used when `model` is left out: `model/` next to this script, on the origin that served it. */
export const DEFAULT_MODEL_URL = new URL("./model/", import.meta.url).href;

const SHELL = `<style>
:host { display: block; min-height: 120px; font: 14px/1.4 system-ui, sans-serif; color: #222; }
.status { padding: 12px; color: #555; }
.error { padding: 12px; border: 1px solid #e0b4b4; background: #fff6f6; color: #9f3a38; border-radius: 4px; }
</style><div class="status" role="status">Soil CO2 efflux chart: waiting to be shown…</div><div class="chart"></div>`;

/**
 * Attributes: `model` (URL of a model directory), `api` (URL of a soilco2 server: predict there instead),
 * `src` (URL of a JSON or CSV drivers file) or an inline `<script type="application/json">` child, `observed`
 * (JSON array or URL), `calibration` (URL of the site's calibration JSON from `soilco2 calibrate`: the chart then
 * shows the calibrated series and its 10-90% band). State is in `data-state` (`idle`, `loading`, `ready`, `error`); the predicted numbers in
 * `predictions`; a `soilco2:ready` or `soilco2:error` event is dispatched.
 * @example <soil-co2-chart src="site.json"></soil-co2-chart>
 */
export class SoilCo2Chart extends HTMLElement {
  static observedAttributes = ["model", "api", "src", "observed", "calibration"];
  /** The predicted series once drawn. */
  predictions: ChartPredictions | undefined;
  /** The message shown when something went wrong. */
  error: string | undefined;
  #root: ShadowRoot;
  #visible = false;
  #run = 0;
  #observer: IntersectionObserver | undefined;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.innerHTML = SHELL;
  }

  connectedCallback(): void {
    this.dataset.state ??= "idle"; // not in the constructor: a new element must not gain attributes there
    if (typeof IntersectionObserver === "undefined") {
      this.#show();
      return;
    }
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.#show();
    });
    this.#observer.observe(this);
  }

  disconnectedCallback(): void {
    this.#observer?.disconnect();
  }

  attributeChangedCallback(): void {
    if (this.#visible) void this.refresh();
  }

  #show(): void {
    this.#observer?.disconnect();
    if (this.#visible) return;
    this.#visible = true;
    void this.refresh();
  }

  /** Read the drivers, predict (in the page or on the server) and draw; any failure becomes a message. */
  async refresh(): Promise<void> {
    const run = ++this.#run;
    this.#status("Loading drivers and model…", "loading");
    try {
      const api = this.getAttribute("api");
      const model = new URL(this.getAttribute("model") || DEFAULT_MODEL_URL, document.baseURI).href;
      // in-page prediction: load onnxruntime-web and the model while the drivers are fetched
      const local = api ? undefined : import("./local-predict.ts");
      local?.then((m) => m.loadPredictor(model)).catch(() => {});
      const view = import("./chart-view.ts");
      view.catch(() => {});
      const input = await readDrivers({
        src: this.getAttribute("src"),
        inline: this.querySelector('script[type="application/json"]')?.textContent,
        observed: this.getAttribute("observed"),
        base: document.baseURI,
      });
      const calUrl = this.getAttribute("calibration");
      // the server (or the in-page app) validates it against core's calibration schema
      const calibration = calUrl
        ? ((await fetchJson(new URL(calUrl, document.baseURI).href, "calibration")) as SiteCalibration)
        : undefined;
      const site = calibration ? { ...input.site, calibration } : input.site;
      const response = local
        ? await (await local).predictLocally(model, site)
        : await (await import("./api-predict.ts")).predictWithApi(api!, site);
      const answer = response.sites[0];
      if (!answer) throw new Error("the prediction holds no site");
      const { drawChart } = await view;
      if (run !== this.#run) return;
      this.predictions = {
        dates: answer.dates,
        values: answer.efflux,
        observed: input.observed,
        warmupUntil: answer.warmup_until ?? null,
        lower: answer.efflux_lower ?? null,
        upper: answer.efflux_upper ?? null,
        via: api ? "api" : "local",
      };
      this.error = undefined;
      this.#status("", "ready");
      drawChart(this.#root.querySelector<HTMLElement>(".chart")!, {
        dates: answer.dates,
        predicted: answer.efflux,
        observed: input.observed,
        unit: response.units,
        warmupUntil: answer.warmup_until,
        lower: answer.efflux_lower,
        upper: answer.efflux_upper,
      });
      this.dispatchEvent(new CustomEvent("soilco2:ready", { detail: this.predictions, bubbles: true }));
    } catch (err) {
      if (run !== this.#run) return;
      this.predictions = undefined;
      this.error = readableError(err);
      this.#root.querySelector(".chart")!.replaceChildren();
      this.#status(this.error, "error");
      this.dispatchEvent(new CustomEvent("soilco2:error", { detail: this.error, bubbles: true }));
    }
  }

  #status(text: string, state: string): void {
    this.dataset.state = state;
    const el = this.#root.querySelector(".status")!;
    el.textContent = text;
    el.className = state === "error" ? "error" : "status";
    el.setAttribute("role", state === "error" ? "alert" : "status");
    (el as HTMLElement).hidden = text === "";
  }
}

/** Fetch a JSON file the element's attributes point at; a failure names the attribute. */
async function fetchJson(url: string, attribute: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${attribute}: ${url} answered HTTP ${res.status}`);
  return res.json();
}

if (!customElements.get("soil-co2-chart")) customElements.define("soil-co2-chart", SoilCo2Chart);
