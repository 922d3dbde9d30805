/**
 * The report of a comparison (`npm run compare`): `figures.json` (the whole ComparisonResult), `report.md` (stand-ins,
 * headline table with 95 % intervals, unsafe variants, expectations, notes, SVG charts in `charts/`) and `report.html`,
 * one self-contained page: Vega and Vega-Lite are inlined from node_modules and the chart specs are inline JSON, so
 * nothing loads from a network. The SVG charts are rendered headless with `renderSvg` (src/scenario/report.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { renderSvg } from "../scenario/report.js";
import { HEADLINE } from "./types.js";
import type { ComparisonResult, Estimate, ExpectationCheck, HeadlineKey, VariantResult } from "./types.js";

/** The charts of a comparison: name (key of `comparisonCharts`) -> SVG file in `charts/` and title. */
export const COMPARISON_CHARTS = {
  "top-share-over-time": { file: "top-share-over-time.svg", title: "Top prover's share of payments over time" },
  "hhi-over-time": { file: "hhi-over-time.svg", title: "HHI of prover payments over time" },
  headline: { file: "headline.svg", title: "Headline metrics per variant (mean, 95 % interval over seeds)" },
  profit: { file: "profit.svg", title: "Net profit per prover and variant (tokens)" },
} as const;

export type ComparisonChartName = keyof typeof COMPARISON_CHARTS;

/** The headline keys drawn in the "headline" chart, in order. */
export const HEADLINE_CHART_KEYS: readonly HeadlineKey[] = ["finalizedShare", "gasPerFinalizedHeight", "latencyMedianL1Blocks", "topShare", "hhi", "wastedShare"];

// ------------------------------------------------------------------------------------------------ number formats

const SHARE_KEYS = new Set<HeadlineKey>(["finalizedShare", "proverShareOfValue", "wastedShare", "topShare"]);
const GAS_KEYS = new Set<HeadlineKey>(["gasPerFinalizedHeight", "gasPerTransfer"]);
const TOKEN_KEYS = new Set<HeadlineKey>(["toProvers", "toSequencers", "burnt", "slashed", "proverProfitMedian", "sequencerProfitMedian"]);

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
/** Avoids "-0.00". */
const noNegZero = (s: string) => (/^-0(\.0+)?( %)?$/.test(s) ? s.slice(1) : s);

/** One value of a headline metric as text: shares as %, gas as integers with separators, tokens with 2 decimals. */
export function formatValue(key: HeadlineKey, x: number | null | undefined): string {
  if (!finite(x)) return "n/a";
  if (SHARE_KEYS.has(key)) return noNegZero(`${(x * 100).toFixed(1)} %`);
  if (GAS_KEYS.has(key)) return noNegZero(Math.round(x).toLocaleString("en-US"));
  if (TOKEN_KEYS.has(key)) return noNegZero(x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  if (key === "hhi") return noNegZero(x.toFixed(3));
  return Number.isInteger(x) ? String(x) : noNegZero(x.toFixed(1));
}

/** An estimate as "mean [lo, hi]" (just the mean when the interval is a point, e.g. one seed); "n/a" for null. */
export function formatEstimate(key: HeadlineKey, e: Estimate | null | undefined): string {
  if (!e || !finite(e.mean)) return "n/a";
  const m = formatValue(key, e.mean);
  const [lo, hi] = e.ci95 ?? [e.mean, e.mean];
  if (!finite(lo) || !finite(hi)) return m;
  const l = formatValue(key, lo);
  const h = formatValue(key, hi);
  return l === m && h === m ? m : `${m} [${l}, ${h}]`;
}

const agreesText = (a: boolean | null) => (a === true ? "yes" : a === false ? "no" : "can't tell");
const betterText = (b: string) => (b === "higher" ? "higher" : b === "lower" ? "lower" : "-");

// ------------------------------------------------------------------------------------------------ charts

type Spec = Record<string, unknown>;

const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  padding: 12,
  config: { font: "sans-serif", title: { fontSize: 14, anchor: "start" }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, header: { labelFontSize: 12 } },
};

const unsafeSubtitle = (r: ComparisonResult) => {
  const u = r.variants.filter((v) => v.unsafe).map((v) => v.variant);
  return u.length ? [`unsafe variants (reported, still run): ${u.join(", ")}`] : [];
};
const standInSubtitle = (r: ComparisonResult) => (r.mode === "sim" ? ["sim mode: numbers from an in-process chain with stand-ins (see the report)"] : []);

/** One concentration-over-time chart: thin line per seed, thick line (with points) of the mean over seeds. */
function overTime(r: ComparisonResult, field: "topShare" | "hhi", title: string, yTitle: string, format: string): Spec {
  const variants = r.variants.map((v) => v.variant);
  const values = r.variants.flatMap((v) =>
    v.metrics.flatMap((m) =>
      m.concentrationOverTime.map((p) => ({
        variant: v.variant, seed: m.seed, run: `${v.variant} seed ${m.seed}`, fromHeight: p.fromHeight, toHeight: p.toHeight,
        window: `${p.fromHeight}..${p.toHeight - 1}`, topShare: p.topShare, hhi: p.hhi, top: p.top ?? "-", active: p.active,
      })),
    ),
  );
  const x = { field: "fromHeight", type: "quantitative", title: "window start (L2 height)", axis: { tickMinStep: 1, format: "d" } };
  const labelExpr = unsafeLabelExpr(r);
  const color = { field: "variant", type: "nominal", title: "variant", scale: { domain: variants }, legend: { symbolOpacity: 1, symbolStrokeWidth: 2.5, labelLimit: 280, ...(labelExpr ? { labelExpr } : {}) } };
  return {
    ...BASE,
    title: { text: title, subtitle: [`${r.name}: prover payments per window of heights; thick line: mean over seeds ${r.seeds.join(", ")}, thin lines: each seed`, ...unsafeSubtitle(r), ...standInSubtitle(r)] },
    width: 520, height: 240,
    data: { values },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1, opacity: 0.35 },
        encoding: {
          x, y: { field, type: "quantitative", title: yTitle, scale: { domain: [0, 1] }, axis: { format } }, color, detail: { field: "run", type: "nominal" },
          tooltip: [{ field: "variant" }, { field: "seed" }, { field: "window" }, { field, type: "quantitative", format }, { field: "top", title: "top prover" }, { field: "active", title: "paid provers" }],
        },
      },
      {
        mark: { type: "line", strokeWidth: 2.5, point: true },
        encoding: {
          x, y: { aggregate: "mean", field, type: "quantitative", title: yTitle }, color,
          tooltip: [{ field: "variant" }, { field: "fromHeight", title: "window start" }, { aggregate: "mean", field, type: "quantitative", format, title: `mean ${field}` }],
        },
      },
    ],
  };
}

/** The short axis title of a headline chart's y axis. */
const HEADLINE_UNITS: Partial<Record<HeadlineKey, string>> = {
  finalizedShare: "share of heights", gasPerFinalizedHeight: "L1 gas", latencyMedianL1Blocks: "L1 blocks", topShare: "share of payments",
  hhi: "HHI (0..1)", wastedShare: "share of proofs made",
};

/**
 * A Vega expression that appends " (UNSAFE)" to the label of an unsafe variant (legends and axes), or undefined when
 * no variant is unsafe. Variant names are quoted with JSON.stringify (a valid Vega expression string literal).
 */
function unsafeLabelExpr(r: ComparisonResult): string | undefined {
  const u = r.variants.filter((v) => v.unsafe).map((v) => v.variant);
  if (!u.length) return undefined;
  return `indexof([${u.map((x) => JSON.stringify(x)).join(", ")}], datum.label) >= 0 ? datum.label + " (UNSAFE)" : datum.label`;
}

/** Headline metrics: per key, a bar per variant (the mean) with an error bar for the 95 % interval; concatenated. */
function headlineChart(r: ComparisonResult): Spec {
  const variants = r.variants.map((v) => v.variant);
  const values: Record<string, unknown>[] = [];
  for (const key of HEADLINE_CHART_KEYS) {
    const label = HEADLINE.find((h) => h.key === key)!.label;
    for (const v of r.variants) {
      const e = v.summary[key];
      if (!e || !finite(e.mean)) {
        values.push({ key, label, variant: v.variant, unsafe: !!v.unsafe, mean: null, lo: null, hi: null, n: e?.n ?? 0, text: "n/a" });
        continue;
      }
      const [lo, hi] = e.ci95 && finite(e.ci95[0]) && finite(e.ci95[1]) ? e.ci95 : [e.mean, e.mean];
      values.push({ key, label, variant: v.variant, unsafe: !!v.unsafe, mean: e.mean, lo, hi, n: e.n, text: formatEstimate(key, e) });
    }
  }
  const fmt = (key: HeadlineKey) => (SHARE_KEYS.has(key) ? ".0%" : GAS_KEYS.has(key) ? ",d" : key === "hhi" ? ".2f" : ",.3~f");
  const labelExpr = unsafeLabelExpr(r);
  return {
    ...BASE,
    title: { text: COMPARISON_CHARTS.headline.title, subtitle: [`${r.name}: bars are means over seeds ${r.seeds.join(", ")}, whiskers the 95 % Student-t interval; faded bars: unsafe variants`, ...standInSubtitle(r)] },
    data: { values },
    columns: 3,
    spacing: 24,
    concat: HEADLINE_CHART_KEYS.map((key) => {
      const h = HEADLINE.find((x) => x.key === key)!;
      const yTitle = HEADLINE_UNITS[key] ?? key;
      const xEnc = { field: "variant", type: "nominal", title: null, scale: { domain: variants }, axis: { labelAngle: -30, labelLimit: 260, ...(labelExpr ? { labelExpr } : {}) } };
      const measured = { filter: "isValid(datum.mean)" };
      return {
        title: { text: h.label, subtitle: h.better === "none" ? "" : `${h.better} is better`, fontSize: 12, subtitleFontSize: 11 },
        width: Math.max(120, 40 * variants.length), height: 150,
        transform: [{ filter: { field: "key", equal: key } }],
        layer: [
          {
            transform: [measured],
            mark: { type: "bar" },
            encoding: {
              x: xEnc,
              y: { field: "mean", type: "quantitative", title: yTitle, axis: { format: fmt(key) } },
              color: { field: "variant", type: "nominal", scale: { domain: variants }, legend: null },
              opacity: { condition: { test: "datum.unsafe", value: 0.4 }, value: 0.9 },
              tooltip: [{ field: "variant" }, { field: "text", title: h.label }, { field: "n", title: "seeds" }],
            },
          },
          {
            transform: [measured],
            mark: { type: "errorbar", ticks: true, color: "#333" },
            encoding: { x: xEnc, y: { field: "lo", type: "quantitative", title: yTitle }, y2: { field: "hi" } },
          },
          {
            transform: [{ filter: "!isValid(datum.mean)" }],
            mark: { type: "text", baseline: "bottom", dy: -2, fontSize: 11, color: "#666" },
            encoding: { x: xEnc, y: { datum: 0, type: "quantitative" }, text: { field: "text" } },
          },
        ],
      };
    }),
  };
}

/** Net profit of each prover per variant: a bar for the median over seeds, a point per seed. */
function profitChart(r: ComparisonResult): Spec {
  const variants = r.variants.map((v) => v.variant);
  const values = r.variants.flatMap((v) =>
    v.metrics.flatMap((m) =>
      m.profit.filter((p) => p.role === "prover" && finite(p.profit)).map((p) => ({
        variant: v.variant, seed: m.seed, name: p.name, profit: p.profit, received: p.received, gasCost: p.gasCost, provingCost: p.provingCost,
      })),
    ),
  );
  const x = { field: "name", type: "nominal", title: "prover", axis: { labelAngle: -30 } };
  const xOffset = { field: "variant", type: "nominal", scale: { domain: variants } };
  const labelExpr = unsafeLabelExpr(r);
  const color = { field: "variant", type: "nominal", title: "variant", scale: { domain: variants }, legend: { labelLimit: 280, ...(labelExpr ? { labelExpr } : {}) } };
  return {
    ...BASE,
    title: { text: COMPARISON_CHARTS.profit.title, subtitle: [`${r.name}: received + MEV - gas - proving cost; bars: median over seeds, points: each seed`, ...unsafeSubtitle(r), ...standInSubtitle(r)] },
    width: { step: Math.max(40, 22 * variants.length) }, height: 240,
    data: { values },
    layer: [
      {
        mark: { type: "bar", opacity: 0.75 },
        encoding: {
          x, xOffset, color, y: { aggregate: "median", field: "profit", type: "quantitative", title: "net profit (tokens)" },
          tooltip: [{ field: "name", title: "prover" }, { field: "variant" }, { aggregate: "median", field: "profit", type: "quantitative", format: ",.2f", title: "median profit" }],
        },
      },
      {
        mark: { type: "point", filled: true, size: 28, color: "#222" },
        encoding: {
          x, xOffset, y: { field: "profit", type: "quantitative", title: "net profit (tokens)" },
          tooltip: [{ field: "name", title: "prover" }, { field: "variant" }, { field: "seed" }, { field: "profit", format: ",.2f" }, { field: "received", format: ",.2f" }, { field: "gasCost", format: ",.2f", title: "gas cost" }, { field: "provingCost", format: ",.2f", title: "proving cost" }],
        },
      },
      { mark: { type: "rule", color: "#888", strokeDash: [3, 3] }, encoding: { y: { datum: 0 } } },
    ],
  };
}

/** Vega-Lite v6 specs of the comparison's charts (data inline), keyed by chart name (see COMPARISON_CHARTS). */
export function comparisonCharts(r: ComparisonResult): Record<string, object> {
  return {
    "top-share-over-time": overTime(r, "topShare", COMPARISON_CHARTS["top-share-over-time"].title, "top prover's share of payments", ".0%"),
    "hhi-over-time": overTime(r, "hhi", COMPARISON_CHARTS["hhi-over-time"].title, "HHI of prover payments (0..1)", ".2f"),
    headline: headlineChart(r),
    profit: profitChart(r),
  };
}

const chartTitle = (name: string) => (COMPARISON_CHARTS as Record<string, { title: string }>)[name]?.title ?? name;
const chartFile = (name: string, files: Record<string, string>) => {
  const f = files[name] ?? name;
  return f.endsWith(".svg") ? f : `${f}.svg`;
};

// ------------------------------------------------------------------------------------------------ markdown

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const variantHeader = (v: VariantResult) => (v.unsafe ? `${v.variant} (UNSAFE)` : v.variant);
const paramsText = (p: Record<string, string | number | boolean>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(", ") || "defaults";

/** The stand-ins paragraph(s): what the numbers stand on. */
function standInLines(r: ComparisonResult): { lead: string; items: string[] } {
  if (r.mode === "sim") {
    return {
      lead: "This comparison ran in **sim mode**: every number below comes from an in-process chain with the stand-ins listed here, not from real proofs on a real L1. Read the numbers as the designs' rules played out, not as measurements of the deployed contracts.",
      items: r.standIns.length ? r.standIns : ["(the runs listed no stand-ins)"],
    };
  }
  return { lead: "Real mode: the runs used the real contracts, verifiers and proofs.", items: r.standIns.length ? r.standIns : ["none"] };
}

export function reportMarkdown(r: ComparisonResult, chartFiles: Record<string, string>): string {
  const L: string[] = [];
  const chart = (name: string) => {
    if (name in chartFiles) L.push(`![${chartTitle(name)}](charts/${chartFile(name, chartFiles)})`, "");
  };
  L.push(`# Comparison: ${r.name}`, "");
  if (r.description) L.push(r.description, "");
  L.push(`Mode: **${r.mode}**; seeds: ${r.seeds.join(", ") || "none"} (${r.seeds.length}); variants: ${r.variants.length}; generated ${r.generatedAt}.`, "");

  const s = standInLines(r);
  L.push("## STAND-INS", "", `> **${r.mode === "sim" ? "Stand-ins in use" : "Stand-ins: none"}.** ${s.lead}`, ">");
  for (const x of s.items) L.push(`> - ${esc(x)}`);
  L.push("");

  const unsafe = r.variants.filter((v) => v.unsafe);
  if (unsafe.length) {
    L.push("## Unsafe variants", "", "Unsafe under the security fixes; reported (and run) for comparison only:", "");
    for (const v of unsafe) L.push(`- **${esc(v.variant)}** (UNSAFE): ${esc(v.unsafe!)}`);
    L.push("");
  }

  L.push("## Headline", "", `Mean over seeds [95 % Student-t interval]; n/a where the metric is undefined (e.g. nothing finalized).`, "");
  L.push(`| metric | better | ${r.variants.map((v) => esc(variantHeader(v))).join(" | ")} |`, `| --- | --- | ${r.variants.map(() => "---:").join(" | ")} |`);
  for (const h of HEADLINE) L.push(`| ${esc(h.label)} | ${betterText(h.better)} | ${r.variants.map((v) => esc(formatEstimate(h.key, v.summary[h.key]))).join(" | ")} |`);
  L.push("");
  chart("headline");

  L.push("## Variants", "", "| variant | design | parameters | runs | description |", "| --- | --- | --- | ---: | --- |");
  for (const v of r.variants) L.push(`| ${esc(variantHeader(v))} | ${esc(v.design)} | ${esc(paramsText(v.params))} | ${v.runs.length || v.metrics.length} | ${esc(v.description)} |`);
  L.push("");

  L.push("## Expectations", "");
  if (r.expectations.length === 0) L.push("None checked.", "");
  else {
    L.push("| claim | source | measured | agrees |", "| --- | --- | --- | --- |");
    for (const e of r.expectations) L.push(`| ${esc(e.claim)} | ${esc(e.source)} | ${esc(e.measured)} | ${e.agrees === false ? "**no**" : agreesText(e.agrees)} |`);
    L.push("");
  }

  if (["top-share-over-time", "hhi-over-time"].some((n) => n in chartFiles)) {
    L.push("## Concentration of prover payments over time", "");
    chart("top-share-over-time");
    chart("hhi-over-time");
  }
  if ("profit" in chartFiles) {
    L.push("## Net profit per prover", "");
    chart("profit");
  }
  const other = Object.keys(chartFiles).filter((n) => !(n in COMPARISON_CHARTS));
  if (other.length) {
    L.push("## Other charts", "");
    for (const n of other) chart(n);
  }

  L.push("## Notes", "");
  if (r.notes.length === 0) L.push("None.");
  for (const n of r.notes) L.push(`- ${n}`);
  L.push("");

  const w = Object.entries(r.workload);
  if (w.length) {
    L.push("## Workload", "", "| parameter | value |", "| --- | --- |");
    for (const [k, v] of w) L.push(`| ${esc(k)} | ${esc(typeof v === "string" ? v : JSON.stringify(v, bigintReplacer) ?? String(v))} |`);
    L.push("");
  }
  L.push("Files: `figures.json` (the whole comparison, every run's record and metrics), `report.html` (interactive charts, self-contained), `charts/*.svg`.", "");
  return L.join("\n");
}

// ------------------------------------------------------------------------------------------------ html

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** JSON safe inside a <script> element: no "</" (closes the element) and no "<!--" (script-data escape states). */
export const scriptJson = (x: unknown) => JSON.stringify(x, bigintReplacer).replace(/<\//g, "<\\/").replace(/<!--/g, "\\u003c!--");

/** A library's source safe to inline in a <script> element (the bundles have no "</script", but be sure). */
const scriptSource = (src: string) => src.replace(/<\/(script)/gi, "<\\/$1");

const req = createRequire(import.meta.url);
/** The UMD builds of Vega and Vega-Lite (their package exports hide build/, so go from the main entry's folder). */
function libraries(): { vega: string; vegaLite: string } {
  const vegaBuild = dirname(req.resolve("vega"));
  const vlBuild = dirname(req.resolve("vega-lite"));
  return { vega: readFileSync(join(vegaBuild, "vega.min.js"), "utf8"), vegaLite: readFileSync(join(vlBuild, "vega-lite.min.js"), "utf8") };
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 20px 40px; color: #222; }
.standins { margin: 16px 0; padding: 12px 16px; border: 2px solid #c0392b; background: #fdecea; border-radius: 6px; }
.standins.real { border-color: #2e7d32; background: #edf7ee; }
.standins h2 { margin: 0 0 6px; font-size: 18px; }
.standins ul { margin: 6px 0 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.unsafe, td.unsafe { background: #fff4e0; }
.tag { color: #b35900; font-weight: bold; }
.agree-no { color: #c0392b; font-weight: bold; }
.agree-yes { color: #2e7d32; }
.chart { margin: 12px 0 24px; overflow-x: auto; }
.meta { color: #555; }
`;

export function reportHtml(r: ComparisonResult): string {
  const specs = comparisonCharts(r);
  const names = Object.keys(specs);
  const { vega, vegaLite } = libraries();
  const s = standInLines(r);
  const H: string[] = [];
  H.push("<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  H.push(`<title>Comparison: ${html(r.name)}</title>`, `<style>${STYLE}</style>`, "</head>", `<body data-charts="${names.length}">`);

  H.push(`<section class="standins${r.mode === "sim" ? "" : " real"}" id="standins">`, `<h2>${r.mode === "sim" ? "STAND-INS in use" : "Stand-ins: none"}</h2>`);
  H.push(`<p>${html(s.lead).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")}</p>`, "<ul>", ...s.items.map((x) => `<li>${html(x)}</li>`), "</ul>", "</section>");

  H.push(`<h1>Comparison: ${html(r.name)}</h1>`);
  if (r.description) H.push(`<p>${html(r.description)}</p>`);
  H.push(`<p class="meta">Mode: <strong>${html(r.mode)}</strong>; seeds: ${html(r.seeds.join(", ") || "none")} (${r.seeds.length}); variants: ${r.variants.length}; generated ${html(r.generatedAt)}.</p>`);

  const unsafe = r.variants.filter((v) => v.unsafe);
  if (unsafe.length) {
    H.push("<h2>Unsafe variants</h2>", "<p>Unsafe under the security fixes; reported (and run) for comparison only:</p>", '<ul id="unsafe">');
    for (const v of unsafe) H.push(`<li><strong>${html(v.variant)}</strong> <span class="tag">UNSAFE</span>: ${html(v.unsafe!)}</li>`);
    H.push("</ul>");
  }

  H.push("<h2>Headline</h2>", "<p>Mean over seeds [95 % Student-t interval]; n/a where the metric is undefined.</p>", '<table id="headline">', "<thead><tr><th>metric</th><th>better</th>");
  for (const v of r.variants) H.push(`<th${v.unsafe ? ' class="unsafe"' : ""}>${html(v.variant)}${v.unsafe ? ' <span class="tag">UNSAFE</span>' : ""}</th>`);
  H.push("</tr></thead><tbody>");
  for (const h of HEADLINE) {
    H.push(`<tr><td>${html(h.label)}</td><td>${betterText(h.better)}</td>${r.variants.map((v) => `<td class="num${v.unsafe ? " unsafe" : ""}">${html(formatEstimate(h.key, v.summary[h.key]))}</td>`).join("")}</tr>`);
  }
  H.push("</tbody></table>");

  const chartDiv = (n: string) => `<div class="chart" id="chart-${html(n)}" data-chart="${html(n)}" role="img" aria-label="${html(chartTitle(n))}"></div>`;
  if ("headline" in specs) H.push(chartDiv("headline"));

  H.push("<h2>Variants</h2>", '<table id="variants"><thead><tr><th>variant</th><th>design</th><th>parameters</th><th>runs</th><th>description</th></tr></thead><tbody>');
  for (const v of r.variants) {
    H.push(`<tr${v.unsafe ? ' class="unsafe"' : ""}><td>${html(v.variant)}${v.unsafe ? ' <span class="tag">UNSAFE</span>' : ""}</td><td>${html(v.design)}</td><td>${html(paramsText(v.params))}</td><td class="num">${v.runs.length || v.metrics.length}</td><td>${html(v.description)}</td></tr>`);
  }
  H.push("</tbody></table>");

  H.push("<h2>Expectations</h2>");
  if (r.expectations.length === 0) H.push("<p>None checked.</p>");
  else {
    H.push('<table id="expectations"><thead><tr><th>claim</th><th>source</th><th>measured</th><th>agrees</th></tr></thead><tbody>');
    for (const e of r.expectations as ExpectationCheck[]) {
      const cls = e.agrees === true ? "agree-yes" : e.agrees === false ? "agree-no" : "agree-unknown";
      H.push(`<tr><td>${html(e.claim)}</td><td>${html(e.source)}</td><td>${html(e.measured)}</td><td class="${cls}">${agreesText(e.agrees)}</td></tr>`);
    }
    H.push("</tbody></table>");
  }

  const rest = names.filter((n) => n !== "headline");
  if (rest.length) {
    H.push("<h2>Charts</h2>");
    for (const n of rest) H.push(chartDiv(n));
  }

  H.push("<h2>Notes</h2>");
  H.push(r.notes.length ? `<ul id="notes">${r.notes.map((n) => `<li>${html(n)}</li>`).join("")}</ul>` : "<p>None.</p>");

  const w = Object.entries(r.workload);
  if (w.length) {
    H.push("<h2>Workload</h2>", '<table id="workload"><tbody>');
    for (const [k, v] of w) H.push(`<tr><td>${html(k)}</td><td>${html(typeof v === "string" ? v : JSON.stringify(v, bigintReplacer) ?? String(v))}</td></tr>`);
    H.push("</tbody></table>");
  }

  // Libraries and specs inline: nothing loads from a network.
  H.push(`<script type="application/json" id="chart-specs">${scriptJson(specs)}</script>`);
  H.push(`<script>${scriptSource(vega)}</script>`);
  H.push(`<script>${scriptSource(vegaLite)}</script>`);
  H.push(`<script>
(function () {
  var rendered = 0;
  function done() { document.body.setAttribute("data-charts-rendered", String(rendered)); }
  try {
    var specs = JSON.parse(document.getElementById("chart-specs").textContent);
    var jobs = Object.keys(specs).map(function (name) {
      var el = document.querySelector('[data-chart="' + name + '"]');
      if (!el) { console.error("chart " + name + ": no container"); return Promise.resolve(); }
      try {
        var view = new vega.View(vega.parse(vegaLite.compile(specs[name]).spec), { renderer: "svg", container: el, hover: true });
        return view.runAsync().then(function () { rendered++; }, function (e) { console.error("chart " + name + ": " + (e && e.stack || e)); });
      } catch (e) {
        console.error("chart " + name + ": " + (e && e.stack || e));
        return Promise.resolve();
      }
    });
    Promise.all(jobs).then(done, function (e) { console.error(String(e)); done(); });
  } catch (e) {
    console.error("charts: " + (e && e.stack || e));
    done();
  }
})();
</script>`);
  H.push("</body>", "</html>", "");
  return H.join("\n");
}

// ------------------------------------------------------------------------------------------------ files

/** JSON.stringify replacer: bigints as decimal strings (they should not occur in a ComparisonResult, but be safe). */
export const bigintReplacer = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/** Writes `figures.json`, `report.html`, `report.md` and `charts/<name>.svg` into `outDir`; returns their paths. */
export async function writeComparisonReport(outDir: string, r: ComparisonResult): Promise<{ html: string; md: string; figures: string; charts: string[] }> {
  mkdirSync(join(outDir, "charts"), { recursive: true });
  const figures = join(outDir, "figures.json");
  writeFileSync(figures, JSON.stringify(r, bigintReplacer, 2) + "\n");
  const specs = comparisonCharts(r);
  const charts: string[] = [];
  const chartFiles: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const file = chartFile(name, Object.fromEntries(Object.entries(COMPARISON_CHARTS).map(([k, c]) => [k, c.file])));
    const p = join(outDir, "charts", file);
    writeFileSync(p, await renderSvg(spec as Spec));
    charts.push(p);
    chartFiles[name] = file;
  }
  const htmlPath = join(outDir, "report.html");
  writeFileSync(htmlPath, reportHtml(r));
  const md = join(outDir, "report.md");
  writeFileSync(md, reportMarkdown(r, chartFiles));
  return { html: htmlPath, md, figures, charts };
}
