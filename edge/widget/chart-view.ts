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
}

const CHART_CSS = `${uplotCss}
.u-legend { font-size: 12px; }
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
  return new uPlot(
    {
      width,
      height: 280,
      series,
      scales: { x: { time: true } },
      axes: [{}, { label: `efflux [${s.unit}]`, size: 60 }],
    },
    data,
    host,
  );
}

function format(v: number | null): string {
  return v === null || v === undefined ? "–" : v.toFixed(2);
}
