// Draws the report's charts with uPlot, in the browser, from the data embedded in the page.
// After drawing, each plot notes how many pixels its canvas painted (data-drawn-pixels), and
// the body how many charts drew: a headless browser test reads these from the DOM.
import uPlot from "uplot";
import type { Chart } from "../chart-types";

const PALETTE = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563"];
const data = JSON.parse(document.getElementById("report-data")!.textContent!) as { x: number[]; charts: Chart[] };
let drawn = 0;
/** A limit is drawn when within this factor of the data's highest value. */
const LIMIT_SCALE = 3;

function paintedPixels(canvas: HTMLCanvasElement): number {
  const ctx = canvas.getContext("2d");
  if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return painted;
}

for (const el of Array.from(document.querySelectorAll<HTMLElement>(".plot"))) {
  const chart = data.charts[Number(el.dataset.chart)]!;
  const unit = chart.unit;
  const series: uPlot.Series[] = [{ label: "time", value: (_u, v) => (v == null ? "" : `${v} s`) }];
  const columns: (number | null)[][] = [];
  chart.series.forEach((s, i) => {
    series.push({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false, value: (_u, v) => (v == null ? "" : `${Number(v.toFixed(2))}${unit && unit !== "/s" ? ` ${unit}` : unit}`) });
    columns.push(s.values);
  });
  // The y axis follows the data: a limit far above it (a 250 ms limit over a 4 ms p95) would
  // flatten the data into a line at the bottom, so it is drawn only when near, and noted otherwise.
  const dataMax = Math.max(0, ...chart.series.flatMap((s) => s.values.filter((v): v is number => v != null)));
  if (chart.limit && chart.limit.value <= Math.max(dataMax * LIMIT_SCALE, Number.MIN_VALUE) && dataMax > 0) {
    series.push({ label: `limit: ${chart.limit.label}`, stroke: "#dc2626", dash: [6, 4], width: 1.5 });
    columns.push(data.x.map(() => chart.limit!.value));
  } else if (chart.limit) {
    const note = document.createElement("p");
    note.className = "limit-note";
    note.textContent = `limit ${chart.limit.label} (${chart.limit.value}${unit && unit !== "/s" ? ` ${unit}` : unit}) is off this scale: the data's highest value is ${Number(dataMax.toFixed(2))}${unit && unit !== "/s" ? ` ${unit}` : unit}`;
    el.after(note);
  }
  const width = Math.max(300, el.clientWidth || 600);
  const opts: uPlot.Options = {
    width,
    height: 220,
    series,
    scales: { x: { time: false } },
    axes: [{ label: "seconds since start" }, { label: unit, size: 60 }],
    legend: { live: true },
    hooks: {
      draw: [
        (u) => {
          const pixels = paintedPixels(u.ctx.canvas);
          if (!el.dataset.drawnPixels) drawn++;
          el.dataset.drawnPixels = String(pixels);
          document.body.dataset.chartsDrawn = String(drawn);
        },
      ],
    },
  };
  new uPlot(opts, [data.x, ...columns] as uPlot.AlignedData, el);
}
document.body.dataset.chartsExpected = String(document.querySelectorAll(".plot").length);
