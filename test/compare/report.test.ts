/**
 * The comparison report (src/compare/report.ts) on a hand-made ComparisonResult (2 variants x 2 seeds, one unsafe):
 * figures.json, report.md, SVG charts, and report.html rendered in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; nothing may load from a network, no console errors, every chart drawn with marks).
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { COMPARISON_CHARTS, comparisonCharts, formatEstimate, reportMarkdown, writeComparisonReport } from "../../src/compare/report.js";
import type { ComparisonResult, ConcentrationPoint, Estimate, HeadlineKey, RunMetrics, VariantResult } from "../../src/compare/types.js";
import { HEADLINE } from "../../src/compare/types.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const STAND_IN = "verifier stand-in: SimBlockVerifier accepts any proof whose public inputs match (no Groth16)";

const est = (mean: number, lo: number, hi: number, n = 2): Estimate => ({ mean, ci95: [lo, hi], n });

function windows(tops: number[], hhis: number[]): ConcentrationPoint[] {
  return tops.map((t, i) => ({ fromHeight: 1 + 4 * i, toHeight: 5 + 4 * i, topShare: t, top: t > 0 ? "prover-1" : undefined, hhi: hhis[i]!, nakamoto: t > 0.5 ? 1 : 2, active: t > 0 ? 3 : 0 }));
}

function metrics(variant: string, design: string, seed: number, tops: number[], hhis: number[], profits: number[]): RunMetrics {
  return {
    variant, design, seed,
    liveness: { heights: 12, finalized: 11, finalizedShare: 11 / 12, reorged: 1, skipped: 0, longestStall: 1 },
    gas: { total: 4_200_000, perFinalizedHeight: 381_818, perTransfer: 95_454 },
    latency: { medianL1Blocks: 14, meanL1Blocks: 15.5, p90L1Blocks: 22, medianSeconds: 168 },
    payments: { toProvers: 22, toSequencers: 99, burnt: 3.5, slashed: 0, blockValue: 121, proverShareOfValue: 22 / 121 },
    proofs: { made: 14, paid: 11, rescues: 0, wasted: 3, wastedShare: 3 / 14 },
    profit: [
      ...profits.map((p, i) => ({ name: `prover-${i + 1}`, role: "prover" as const, profit: p, gasCost: 0.4, provingCost: 0.25, received: p + 0.65 })),
      { name: "seq-1", role: "sequencer" as const, profit: 40, gasCost: 2, provingCost: 0, received: 42 },
    ],
    concentration: { topShare: tops[0]!, top: "prover-1", hhi: hhis[0]!, nakamoto: 1, active: 3 },
    concentrationOverTime: windows(tops, hhis),
  };
}

function summary(over: Partial<Record<HeadlineKey, Estimate | null>>): Record<HeadlineKey, Estimate | null> {
  const s = {} as Record<HeadlineKey, Estimate | null>;
  for (const h of HEADLINE) s[h.key] = est(1, 0.5, 1.5);
  return { ...s, ...over };
}

function result(): ComparisonResult {
  const sidecar: VariantResult = {
    variant: "sidecar", design: "sidecar", description: "Sidecar with the default prover deposit", params: {},
    runs: [],
    metrics: [
      metrics("sidecar", "sidecar", 1, [0.9, 0.75, 1], [0.82, 0.6, 1], [12.5, -0.65, -0.65]),
      metrics("sidecar", "sidecar", 2, [0.8, 0.7, 0.95], [0.7, 0.55, 0.9], [10, 1.2, -0.65]),
    ],
    summary: summary({
      finalizedShare: est(0.9167, 0.88, 0.95), gasPerFinalizedHeight: est(381_818.4, 370_000, 393_636.8),
      latencyMedianL1Blocks: est(14, 12.5, 15.5), topShare: est(0.85, 0.6, 1.1), hhi: est(0.76, 0.5, 1.02),
      wastedShare: est(0.2143, 0.1, 0.33), toProvers: est(22, 20.123, 23.877), gasPerTransfer: null,
    }),
  };
  const coop: VariantResult = {
    variant: "cooperative/K=2", design: "cooperative", description: "Cooperative, two units per block, no bond", params: { units: 2, bond: "0" },
    unsafe: "no sequencer bond: a sequencer can withhold a unit at no cost",
    runs: [],
    metrics: [
      metrics("cooperative/K=2", "cooperative", 1, [0.4, 0.35, 0.38], [0.3, 0.28, 0.29], [4, 3.5, 3]),
      metrics("cooperative/K=2", "cooperative", 2, [0.45, 0.36, 0.34], [0.33, 0.3, 0.27], [4.2, 3.1, 3.3]),
    ],
    summary: summary({
      finalizedShare: est(1, 1, 1), gasPerFinalizedHeight: est(512_345, 500_000, 524_690),
      latencyMedianL1Blocks: null, topShare: est(0.38, 0.3, 0.46), hhi: est(0.295, 0.25, 0.34), wastedShare: est(0.05, 0, 0.1),
    }),
  };
  return {
    name: "sidecar-vs-cooperative", description: "Does splitting a block into units spread prover payments?", mode: "sim",
    generatedAt: "2026-12-01T10:00:00.000Z", seeds: [1, 2],
    workload: { heights: 12, provers: 3, sequencers: 1, transfersPerBlock: 4 },
    standIns: [STAND_IN, "L1: in-process chain (no EVM), 12 s blocks"],
    variants: [sidecar, coop],
    expectations: [
      { claim: "Cooperative proving spreads payments over more provers", source: "docs/cooperative.md", measured: "top share 38 % vs 85 %", agrees: true },
      { claim: "Cooperative costs no more L1 gas per height", source: "seed document", measured: "512,345 vs 381,818 gas", agrees: false },
    ],
    notes: ["Latency of the cooperative variant is undefined here on purpose (n/a)."],
  };
}

interface BrowserRender {
  total: number;
  rendered: number;
  errors: string[];
  requests: string[];
  /** Per chart container: SVG elements inside, and marks (path, rect, line, circle, text of marks). */
  charts: { name: string; svgs: number; marks: number }[];
  ms: number;
}

/** Opens a report.html in headless Chromium and waits until it has set data-charts-rendered (or 30 s pass). */
async function renderInBrowser(browser: Browser, file: string): Promise<BrowserRender> {
  const t0 = Date.now();
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("request", (q) => { if (!/^(file|data|about|blob):/.test(q.url())) requests.push(q.url()); });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.waitForSelector("body[data-charts-rendered]", { timeout: 30_000 });
    const total = Number(await page.getAttribute("body", "data-charts"));
    const rendered = Number(await page.getAttribute("body", "data-charts-rendered"));
    const charts = await page.$$eval("[data-chart]", (els) => els.map((el) => ({
      name: el.getAttribute("data-chart") ?? "",
      svgs: el.querySelectorAll("svg").length,
      marks: el.querySelectorAll("svg .mark-line path, svg .mark-rect path, svg .mark-symbol path, svg .mark-rule line, svg rect, svg path").length,
    })));
    return { total, rendered, errors, requests, charts, ms: Date.now() - t0 };
  } finally {
    await page.close();
  }
}

describe("comparison report", function () {
  this.timeout(120_000);
  let dir: string;
  let out: Awaited<ReturnType<typeof writeComparisonReport>>;
  let md: string;
  let browser: Browser | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fernet-compare-report-"));
    out = await writeComparisonReport(dir, result());
    md = readFileSync(out.md, "utf8");
  });
  after(async () => {
    await browser?.close();
    // COMPARE_REPORT_KEEP=1 keeps the report to look at.
    if (process.env.COMPARE_REPORT_KEEP) console.log(`      report kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it("writes figures.json (round-trips), report.md, report.html and one SVG per chart", () => {
    for (const p of [out.html, out.md, out.figures, ...out.charts]) expect(existsSync(p), p).to.equal(true);
    expect(JSON.parse(readFileSync(out.figures, "utf8"))).to.deep.equal(result());
    const names = Object.keys(comparisonCharts(result()));
    expect(names).to.deep.equal(Object.keys(COMPARISON_CHARTS));
    expect(readdirSync(join(dir, "charts")).sort()).to.deep.equal(Object.values(COMPARISON_CHARTS).map((c) => c.file).sort());
    for (const p of out.charts) {
      const svg = readFileSync(p, "utf8");
      expect(svg.startsWith("<svg"), p).to.equal(true);
      expect(svg, p).to.match(/<path|<rect/);
    }
    // the variants and a title reach the SVGs
    const top = readFileSync(join(dir, "charts", COMPARISON_CHARTS["top-share-over-time"].file), "utf8");
    expect(top).to.include("cooperative/K=2 (UNSAFE)").and.to.include(COMPARISON_CHARTS["top-share-over-time"].title);
    // the headline chart labels the unsafe variant and marks a missing metric (cooperative latency) n/a
    const headline = readFileSync(join(dir, "charts", COMPARISON_CHARTS.headline.file), "utf8");
    expect(headline).to.include("cooperative/K=2 (UNSAFE)").and.to.include(">n/a<");
  });

  it("report.md: stand-ins, unsafe variant, headline table, expectations, notes, charts", () => {
    expect(md).to.include("# Comparison: sidecar-vs-cooperative");
    expect(md).to.include("## STAND-INS");
    expect(md).to.include(`> - ${STAND_IN}`);
    expect(md).to.include("sim mode");
    expect(md.indexOf("## STAND-INS")).to.be.lessThan(md.indexOf("## Headline"));
    // unsafe: labelled in the column header and listed with the reason
    expect(md).to.include("| metric | better | sidecar | cooperative/K=2 (UNSAFE) |");
    expect(md).to.include("- **cooperative/K=2** (UNSAFE): no sequencer bond: a sequencer can withhold a unit at no cost");
    // headline rows: shares in %, gas with separators, tokens with 2 decimals, n/a for null, a point for a zero-width CI
    expect(md).to.include("| heights finalized (share) | higher | 91.7 % [88.0 %, 95.0 %] | 100.0 % |");
    expect(md).to.include("| L1 gas per finalized height | lower | 381,818 [370,000, 393,637] | 512,345 [500,000, 524,690] |");
    expect(md).to.include("| latency to finality, median (L1 blocks) | lower | 14 [12.5, 15.5] | n/a |");
    expect(md).to.include("| paid to provers (tokens) | - | 22.00 [20.12, 23.88] |");
    expect(md).to.include("| L1 gas per transfer | lower | n/a |");
    expect(md).to.include("| HHI of prover payments (0..1) | lower | 0.760 [0.500, 1.020] | 0.295 [0.250, 0.340] |");
    for (const h of HEADLINE) expect(md).to.include(`| ${h.label} |`);
    // expectations
    expect(md).to.include("| claim | source | measured | agrees |");
    expect(md).to.include("| Cooperative proving spreads payments over more provers | docs/cooperative.md | top share 38 % vs 85 % | yes |");
    expect(md).to.include("| Cooperative costs no more L1 gas per height | seed document | 512,345 vs 381,818 gas | **no** |");
    expect(md).to.include("- Latency of the cooperative variant is undefined here on purpose (n/a).");
    for (const c of Object.values(COMPARISON_CHARTS)) expect(md).to.include(`![${c.title}](charts/${c.file})`);
  });

  it("report.md in real mode says the stand-ins are none; expectations can't tell", () => {
    const r = { ...result(), mode: "real" as const, standIns: [], expectations: [{ claim: "c", source: "s", measured: "m", agrees: null }] };
    const m = reportMarkdown(r, {});
    expect(m).to.include("> - none");
    expect(m).to.include("| c | s | m | can't tell |");
    expect(formatEstimate("topShare", null)).to.equal("n/a");
    expect(formatEstimate("toProvers", est(-0.001, -0.002, 0))).to.equal("0.00");
  });

  it("report.html is self-contained: inline Vega, Vega-Lite and specs, no external URL to load", () => {
    const h = readFileSync(out.html, "utf8");
    expect(h).to.not.match(/<script[^>]+src=/i);
    expect(h).to.not.match(/<link[^>]+href=/i);
    expect(h).to.include('<script type="application/json" id="chart-specs">');
    const json = /<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(h)![1]!;
    expect(json).to.not.include("</");
    expect(Object.keys(JSON.parse(json))).to.deep.equal(Object.keys(COMPARISON_CHARTS));
    // the stand-ins banner comes first in the body
    expect(h.indexOf('id="standins"')).to.be.lessThan(h.indexOf("<h1>"));
    expect(h).to.include(STAND_IN.replace(/</g, "&lt;"));
    expect(h).to.include('<span class="tag">UNSAFE</span>');
  });

  it("report.html renders every chart in headless Chromium, without console errors or network requests", async function () {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian package "chromium"; .ci/run installs it)`).to.equal(true);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const r = await renderInBrowser(browser, out.html);
    console.log(`      (report.html rendered in Chromium in ${r.ms} ms)`);
    expect(r.errors).to.deep.equal([]);
    expect(r.requests).to.deep.equal([]);
    expect(r.total).to.equal(Object.keys(COMPARISON_CHARTS).length);
    expect(r.rendered).to.equal(r.total);
    expect(r.charts.map((c) => c.name).sort()).to.deep.equal(Object.keys(COMPARISON_CHARTS).sort());
    for (const c of r.charts) {
      expect(c.svgs, c.name).to.be.greaterThan(0);
      expect(c.marks, c.name).to.be.greaterThan(0);
    }
  });

  it("the browser check fails on a chart spec Vega-Lite rejects", async function () {
    if (!browser) this.skip();
    const h = readFileSync(out.html, "utf8");
    const specs = comparisonCharts(result()) as Record<string, Record<string, unknown>>;
    specs.profit = { ...specs.profit, layer: undefined, mark: "no-such-mark", encoding: { x: { field: "name", type: "nominal" } } };
    const bad = join(dir, "bad.html");
    writeFileSync(bad, h.replace(/(<script type="application\/json" id="chart-specs">)[\s\S]*?(<\/script>)/, (_m, a: string, b: string) => a + JSON.stringify(specs).replace(/<\//g, "<\\/") + b));
    const r = await renderInBrowser(browser!, bad);
    expect(r.rendered).to.equal(r.total - 1);
    expect(r.errors.join("\n")).to.include("chart profit");
  });
});
