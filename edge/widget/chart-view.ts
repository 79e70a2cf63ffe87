/** Draw a predicted daily efflux series (and observed values) with uPlot inside the component's shadow root; loaded lazily. */
import uPlot from "uplot";
import uplotCss from "uplot/dist/uPlot.min.css";
import { dayNumber } from "../../core/dates.ts";

/** One series to draw: dates with predicted values and, optionally, observed values on the same dates. */
export interface ChartSeries {
  dates: string[];
  predicted: number[];
  observed?: (number | null)[] | undefined;
  /** Unit of the values, e.g. `umol CO2 m-2 s-1`. */
  unit: string;
  /** Last day of the model's warm-up (YYYY-MM-DD; /v1/predict's `warmup_until`): shaded, as not yet a forecast. */
  warmupUntil?: string | null | undefined;
  /** 10% and 90% bounds per date (the site calibration's interval, or the model's own): drawn as a band. */
  lower?: number[] | null | undefined;
  upper?: number[] | null | undefined;
}

const BAND_FILL = "rgba(27, 108, 168, 0.18)";

const WARMUP_FILL = "rgba(120, 120, 120, 0.16)";

const CHART_CSS = `${uplotCss}
.u-legend { font-size: 12px; }
.warmup-note { font-size: 12px; color: #555; margin: 2px 0 0 8px; }
.warmup-note i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; background: ${WARMUP_FILL}; border: 1px solid #bbb; vertical-align: -1px; }
`;

/**
 * Render the chart into `host` (emptied first), sized to its width, and return the uPlot instance.
 * @example drawChart(shadowRoot.querySelector(".chart")!, { dates, predicted, unit: "umol CO2 m-2 s-1" })
 */
export function drawChart(host: HTMLElement, s: ChartSeries): uPlot {
  host.replaceChildren();
  const style = document.createElement("style");
  style.textContent = CHART_CSS;
  host.append(style);
  const x = s.dates.map((d) => dayNumber(d)! * 86_400);
  const series: uPlot.Series[] = [
    {},
    { label: "predicted", stroke: "#1b6ca8", width: 1.5, value: (_u, v) => format(v) },
  ];
  const data: uPlot.AlignedData = [x, s.predicted];
  const bands: uPlot.Band[] = [];
  if (s.lower && s.upper) {
    // uPlot fills between two series: the 90% bound (series 2) down to the 10% bound (series 3).
    const bound = (label: string) => ({
      label,
      stroke: "rgba(27, 108, 168, 0.35)",
      width: 0.5,
      value: (_u: uPlot, v: number | null) => format(v),
    });
    series.push(bound("90% bound"), bound("10% bound"));
    data.push(s.upper, s.lower);
    bands.push({ series: [2, 3], fill: BAND_FILL });
  }
  if (s.observed) {
    series.push({
      label: "observed",
      stroke: "#c0392b",
      width: 0,
      points: { show: true, size: 4, fill: "#c0392b" },
      value: (_u, v) => format(v),
    });
    data.push(s.dates.map((_d, i) => s.observed?.[i] ?? null));
  }
  const width = Math.max(280, Math.floor(host.getBoundingClientRect().width) || 640);
  const warmEnd = s.warmupUntil ? dayNumber(s.warmupUntil) : undefined;
  const shade = (u: uPlot) => {
    if (warmEnd === undefined || x.length === 0) return;
    const left = u.valToPos(x[0]!, "x", true);
    const right = u.valToPos(Math.min((warmEnd + 1) * 86_400, x[x.length - 1]!), "x", true);
    u.ctx.save();
    u.ctx.fillStyle = WARMUP_FILL;
    u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
    u.ctx.restore();
  };
  const plot = new uPlot(
    {
      width,
      height: 280,
      series,
      scales: { x: { time: true } },
      axes: [{}, { label: `efflux [${s.unit}]`, size: 60 }],
      hooks: { drawAxes: [shade] },
      ...(bands.length > 0 ? { bands } : {}),
    },
    data,
    host,
  );
  if (warmEnd !== undefined) {
    const note = document.createElement("div");
    note.className = "warmup-note";
    note.innerHTML = `<i></i>warm-up to ${s.warmupUntil}: the model's state is still settling, not a forecast yet`;
    host.append(note);
  }
  return plot;
}

function format(v: number | null): string {
  return v === null || v === undefined ? "–" : v.toFixed(2);
}
