// The HTML report: one self-contained file (the chart library, the viewer and the data inlined;
// nothing is fetched when it is opened). The verdict and the run's facts are plain HTML at the
// top, readable without scripts; the charts are drawn by the viewer with uPlot.
import { readFileSync } from "node:fs";
import { BANDS_MS, type Distribution, type ErrorRow, type Totals } from "./tables";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import type { RunFacts } from "../kit/summary/format";
import { describeObserved, type ThresholdResult } from "../kit/summary/verdict";
import type { Charts } from "./series";

export interface ReportInput {
  facts: RunFacts;
  thresholds: ThresholdResult[];
  passed: boolean;
  judgedBy: "k6" | "merge";
  /** k6's exit code when one process ran (the merge's own verdict code otherwise). */
  exitCode: number;
  charts: Charts;
  /** False when the run recorded no sample at all. */
  hasSamples: boolean;
  sources: string[];
  /** Totals, errors by reason and ack latency distributions (src/report/tables.ts). */
  tables?: { totals: Totals; errors: ErrorRow[]; distributions: Distribution[] };
  /** The run's root cause (nothing connected, the contract never matched), opening the verdict. */
  rootCause?: { kind: "connect" | "contract"; cause: string; fix: string; doctor: string } | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
let viewer: { js: string; css: string } | undefined;

/** The viewer script (src/report/viewer/main.ts with uPlot) and uPlot's stylesheet, built once. */
function viewerAssets(): { js: string; css: string } {
  if (viewer) return viewer;
  const out = buildSync({ entryPoints: [join(here, "viewer", "main.ts")], bundle: true, format: "iife", platform: "browser", target: "es2020", minify: true, write: false, legalComments: "inline", logLevel: "silent" });
  const css = readFileSync(createRequire(import.meta.url).resolve("uplot/dist/uPlot.min.css"), "utf8");
  viewer = { js: out.outputFiles[0]!.text, css };
  return viewer;
}

const esc = (text: string) => text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);

export function status(t: ThresholdResult): "held" | "FAILED" | "no data" | "not judged" {
  if (t.notJudged) return "not judged";
  if (t.noData) return "no data";
  return t.ok ? "held" : "FAILED";
}

/** The chart that shows a threshold's metric, if any. */
function chartFor(t: ThresholdResult, charts: Charts): string | undefined {
  const brace = t.metric.indexOf("{");
  const metric = brace < 0 ? t.metric : t.metric.slice(0, brace);
  const event = /event:([^,}]+)/.exec(t.metric)?.[1];
  const ids = [`count-${t.metric}`, event ? `ack-${event}` : "", `trend-${metric}`, `rate-${metric}`, metric === "socketio_ack_duration" ? "ack-latency" : ""];
  return ids.find((id) => id && charts.charts.some((c) => c.id === id));
}

export function renderReport(input: ReportInput): string {
  const { facts, thresholds, charts } = input;
  const judged = thresholds.filter((t) => !t.notJudged);
  const failed = judged.filter((t) => !t.ok);
  const headline = input.rootCause
    ? `FAILED: ${input.rootCause.kind === "connect" ? "nothing connected" : "the contract never matched"}: ${input.rootCause.cause}. Fix: ${input.rootCause.fix}. Step by step: ${input.rootCause.doctor} (exit ${input.exitCode})`
    : !input.hasSamples
    ? `NO DATA: the run recorded no samples (exit ${input.exitCode})`
    : input.passed
      ? `PASSED: all ${judged.length} thresholds held (exit ${input.exitCode})`
      : `FAILED: ${failed.length} of ${judged.length} thresholds failed (exit ${input.exitCode})`;
  const verdictClass = input.rootCause ? "fail" : !input.hasSamples ? "nodata" : input.passed ? "pass" : "fail";
  const rows = [...thresholds]
    .sort((a, b) => Number(a.ok || !!a.notJudged) - Number(b.ok || !!b.notJudged))
    .map((t) => {
      const chart = chartFor(t, charts);
      const name = chart ? `<a href="#chart-${esc(chart)}">${esc(t.metric)}</a>` : esc(t.metric);
      const s = status(t);
      return `<tr class="${s === "held" ? "held" : s === "not judged" ? "skipped" : "failed"}"><td class="status">${s}</td><td>${name}</td><td><code>${esc(t.expression)}</code></td><td>${esc(t.notJudged ? `not judged: ${t.notJudged}` : describeObserved(t))}</td><td>${esc(t.cause ?? "")}</td></tr>`;
    })
    .join("\n");
  const fact = (label: string, value: string | number | undefined) => (value === undefined || value === "" ? "" : `<tr><th>${label}</th><td>${esc(String(value))}</td></tr>`);
  const seconds = facts.durationMs !== undefined ? `${(facts.durationMs / 1000).toFixed(1)} s` : undefined;
  const factsTable = [
    fact("scenario", facts.scenario),
    fact("target", facts.target),
    fact("contract", facts.contract),
    fact("VUs (every scenario: players and checks)", facts.vus === undefined ? undefined : `${facts.vus}${facts.socketsPerVu && facts.socketsPerVu > 1 ? ` × ${facts.socketsPerVu} sockets` : ""}`),
    fact("duration", seconds),
    fact("started", facts.startedAt),
    fact("run id", facts.runId),
    fact("k6 instances", facts.instances),
    fact("k6", facts.k6Version ?? "unknown (pass -e K6_VERSION)"),
    fact("k6-socketio", facts.libraryVersion),
    fact("git commit", facts.gitCommit),
    fact("verdict by", input.judgedBy === "k6" ? "k6 (its thresholds, as its exit code says)" : `the merge: every threshold judged on the union of ${facts.instances} instances' samples`),
    fact("chart resolution", `${charts.bucketSeconds} s`),
    fact("recorded output", input.sources.join(", ")),
  ].join("");
  const chartSections = charts.charts
    .map((c, i) => {
      const body = c.noData ? `<p class="nodata-box">${esc(c.noData)}</p>` : `<div class="plot" data-chart="${i}"></div>`;
      return `<section class="chart${c.failed ? " failed" : ""}" id="chart-${esc(c.id)}"><h3>${esc(c.title)}${c.failed ? ' <span class="badge">threshold failed</span>' : ""}</h3>${body}</section>`;
    })
    .join("\n");
  const { js, css } = viewerAssets();
  const data = JSON.stringify({ x: charts.x, charts: charts.charts }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${facts.scenario}: ${headline}`)}</title>
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:16px;color:#222}
h1{margin:0 0 4px;font-size:20px}
.verdict{padding:12px 16px;border-radius:6px;margin:8px 0 16px;font-size:18px;font-weight:600}
.verdict.pass{background:#e3f6e5;color:#14532d}.verdict.fail{background:#fde2e1;color:#7f1d1d}.verdict.nodata{background:#fff4d6;color:#713f12}
.limit-note{margin:2px 0 10px;color:#7f1d1d;font-size:13px}
table{border-collapse:collapse;margin-bottom:16px}td,th{padding:3px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #eee}
tr.failed td.status{color:#b91c1c;font-weight:700}tr.held td.status{color:#15803d}tr.skipped td{color:#777}
.facts th{color:#555;font-weight:500}
.tiles{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 16px}.tile{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}.tile b{display:block;font-size:22px}.tile.bad b{color:#b91c1c}
.band{display:inline-block;height:10px;background:#2563eb;vertical-align:middle}.bands td{font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(620px,1fr));gap:12px}
.chart{border:1px solid #ddd;border-radius:6px;padding:8px}.chart.failed{border:2px solid #dc2626}
.chart h3{margin:0 0 6px;font-size:14px}.badge{background:#dc2626;color:#fff;border-radius:3px;padding:0 6px;font-size:12px}
.nodata-box{height:120px;display:flex;align-items:center;justify-content:center;background:#fafafa;color:#92400e;margin:0}
</style></head>
<body>
<h1>k6-socketio: ${esc(facts.scenario)}</h1>
<div class="verdict ${verdictClass}" id="verdict" data-passed="${input.passed}" data-exit-code="${input.exitCode}">${esc(headline)}</div>
<h2>Thresholds</h2>
<table class="thresholds"><thead><tr><th>status</th><th>metric</th><th>limit</th><th>observed</th><th>what it means</th></tr></thead><tbody>
${rows}
</tbody></table>
${tablesHtml(input.tables)}
<h2>Run</h2>
<table class="facts">${factsTable}</table>
<h2>Over time</h2>
<div class="charts">
${chartSections}
</div>
<script type="application/json" id="report-data">${data}</script>
<script>${js}</script>
</body></html>
`;
}

const num = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2));

/** Totals tiles, the errors by reason with their first occurrence, the ack latency distributions. */
function tablesHtml(tables: ReportInput["tables"]): string {
  if (!tables) return "";
  const { totals: t, errors, distributions } = tables;
  const tile = (label: string, value: string, detail: string, bad = false) => `<div class="tile${bad ? " bad" : ""}">${esc(label)}<b>${esc(value)}</b>${esc(detail)}</div>`;
  const tiles = [
    tile("connections", num(t.connects), `${num(t.connectFailures)} failed`, t.connectFailures > 0),
    tile("acks", num(t.acks), `${num(t.ackTimeouts)} timed out`, t.ackTimeouts > 0),
    tile("messages", num(t.messagesSent + t.messagesReceived), `${num(t.messagesSent)} sent, ${num(t.messagesReceived)} received`),
    tile("errors", num(t.errors), "connect, ack, decode, disconnect", t.errors > 0),
  ].join("");
  const errorRows = errors.length
    ? `<table class="errors"><thead><tr><th>what</th><th>count</th><th>first seen</th></tr></thead><tbody>${errors.map((e) => `<tr><td><code>${esc(e.what)}</code></td><td>${num(e.count)}</td><td>${e.firstSeenS.toFixed(1)} s</td></tr>`).join("")}</tbody></table>`
    : "<p>No error was recorded.</p>";
  const labels = [...BANDS_MS.map((b, i) => `${i === 0 ? "≤" : ""}${i === 0 ? b : `${BANDS_MS[i - 1]}–${b}`} ms`), `> ${BANDS_MS.at(-1)} ms`];
  const dist = distributions.length
    ? `<table class="bands"><thead><tr><th>event</th><th>acks</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>${labels.map((l) => `<th>${esc(l)}</th>`).join("")}</tr></thead><tbody>${distributions
        .map((d) => {
          const most = Math.max(...d.bands, 1);
          const cells = d.bands.map((c) => `<td title="${c} acks">${c ? `<span class="band" style="width:${Math.max(2, Math.round((40 * c) / most))}px"></span> ${num(c)}` : ""}</td>`).join("");
          return `<tr><td><code>${esc(d.event)}</code></td><td>${num(d.count)}</td><td>${num(d.p50)} ms</td><td>${num(d.p95)} ms</td><td>${num(d.p99)} ms</td><td>${num(d.max)} ms</td>${cells}</tr>`;
        })
        .join("")}</tbody></table>`
    : "<p>No ack was recorded.</p>";
  return `<h2>Totals</h2>\n<div class="tiles" id="totals">${tiles}</div>\n<h2>Errors by reason</h2>\n${errorRows}\n<h2>Ack latency distribution</h2>\n${dist}`;
}
