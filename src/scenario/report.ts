/**
 * The report of a scenario run: `figures.json` (the figures as given), `report.md` (summary, heights, actors, gas per
 * phase, expectations, replay divergences) and SVG charts in `charts/` (per-height latency, cumulative rewards and
 * slashes per actor over L1 blocks, gas per phase), rendered headless with Vega-Lite + Vega (`View.toSVG()`, no
 * browser, no canvas).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HeightFigure, LedgerEntry, ScenarioFigures } from "./figures.js";
import { E18 } from "../protocol.js";

export const CHARTS = {
  latency: { file: "latency.svg", title: "Per-height latency: first proposal to finality (L1 blocks)" },
  ledger: { file: "rewards-slashes.svg", title: "Cumulative rewards and slashes per actor" },
  gas: { file: "gas-per-phase.svg", title: "L1 gas per phase" },
} as const;

/** Gas as a whole number with thousands separators (a median of an even count may end in .5). */
const gasNum = (g: number) => Math.round(g).toLocaleString("en-US");

/** Token wei (decimal string) as tokens with up to 4 decimals. */
export function tokens(wei: string | bigint): string {
  const v = BigInt(wei);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = ((a % E18) * 10_000n) / E18;
  const f = frac.toString().padStart(4, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / E18}${f ? "." + f : ""}`;
}

/** Latency of a height in L1 blocks: proposal to finality (finalized) or to the reorg (reorged). */
export function latencyOf(h: HeightFigure): number | undefined {
  if (h.proposedAt === undefined) return undefined;
  if (h.outcome === "finalized" && h.finalizedAt !== undefined) return h.finalizedAt - h.proposedAt;
  if (h.outcome === "reorged" && h.reorgedAt !== undefined) return h.reorgedAt - h.proposedAt;
  return undefined;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list; the median interpolates between the middle two. */
export function percentile(xs: number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  if (p === 50) return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export interface ReportSummary {
  finalized: number;
  reorged: number;
  skipped: number;
  pending: number;
  latencyMedian?: number;
  latencyP90?: number;
  /** Per actor and kind: token wei. */
  perActor: Record<string, Record<LedgerEntry["kind"], string>>;
  gasTotal: number;
}

export function summarize(f: ScenarioFigures): ReportSummary {
  const count = (o: HeightFigure["outcome"]) => f.heights.filter((h) => h.outcome === o).length;
  const lat = f.heights.filter((h) => h.outcome === "finalized").map(latencyOf).filter((x): x is number => x !== undefined);
  const perActor: ReportSummary["perActor"] = {};
  for (const a of f.actors) perActor[a.name] = { reward: "0", slash: "0", bounty: "0", refund: "0", deposit: "0" };
  for (const e of f.ledger) {
    const row = (perActor[e.actor] ??= { reward: "0", slash: "0", bounty: "0", refund: "0", deposit: "0" });
    row[e.kind] = (BigInt(row[e.kind]) + BigInt(e.amount)).toString();
  }
  return {
    finalized: count("finalized"), reorged: count("reorged"), skipped: count("skipped"), pending: count("pending"),
    latencyMedian: percentile(lat, 50), latencyP90: percentile(lat, 90), perActor,
    gasTotal: Object.values(f.gasByPhase).reduce((s, g) => s + g.total, 0),
  };
}

// ------------------------------------------------------------------------------------------------ charts

type Spec = Record<string, unknown>;

const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  padding: 12,
  config: { font: "sans-serif", title: { fontSize: 14, anchor: "start" }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 } },
};

/** Vega-Lite specs of the three charts (exported for tests and for anyone who wants another renderer). */
export function chartSpecs(f: ScenarioFigures): { latency: Spec; ledger: Spec; gas: Spec } {
  const heights = f.heights.map((h) => ({
    height: h.height, outcome: h.outcome, latency: latencyOf(h) ?? 0, measured: latencyOf(h) !== undefined,
    label: h.outcome === "reorged" ? "reorged" : h.outcome === "finalized" ? "" : h.outcome,
  }));
  const outcomes = ["finalized", "reorged", "skipped", "pending"];
  const latency: Spec = {
    ...BASE,
    title: { text: CHARTS.latency.title, subtitle: [`scenario ${f.scenario}${designText(f)}`, "reorged heights: to the reorg (marked); skipped and pending: no bar"] },
    width: Math.max(240, 28 * heights.length), height: 220,
    data: { values: heights },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          x: { field: "height", type: "ordinal", title: "L2 height", axis: { labelAngle: 0 } },
          y: { field: "latency", type: "quantitative", title: "latency (L1 blocks)" },
          color: { field: "outcome", type: "nominal", title: "outcome", scale: { domain: outcomes, range: ["#4c78a8", "#e45756", "#bab0ac", "#f2cf5b"] } },
        },
      },
      {
        mark: { type: "text", dy: -6, fontSize: 10 },
        encoding: { x: { field: "height", type: "ordinal" }, y: { field: "latency", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };

  // Cumulative amounts per actor and kind (rewards, bounties, slashes), as steps over L1 blocks.
  const kinds = ["reward", "bounty", "slash"] as const;
  const series: { l1Block: number; actor: string; kind: string; tokens: number; series: string }[] = [];
  const totals = new Map<string, bigint>();
  const first = f.startBlock;
  const seen = new Set<string>();
  for (const e of [...f.ledger].filter((x) => (kinds as readonly string[]).includes(x.kind)).sort((a, b) => a.l1Block - b.l1Block)) {
    const key = `${e.actor} ${e.kind}`;
    if (!seen.has(key)) {
      seen.add(key);
      series.push({ l1Block: first, actor: e.actor, kind: e.kind, tokens: 0, series: key });
    }
    const t = (totals.get(key) ?? 0n) + BigInt(e.amount);
    totals.set(key, t);
    series.push({ l1Block: e.l1Block, actor: e.actor, kind: e.kind, tokens: Number(t) / 1e18, series: key });
  }
  for (const key of seen) {
    const [actor, kind] = key.split(" ") as [string, string];
    series.push({ l1Block: f.endBlock, actor, kind, tokens: Number(totals.get(key) ?? 0n) / 1e18, series: key });
  }
  const ledger: Spec = {
    ...BASE,
    title: { text: CHARTS.ledger.title, subtitle: [series.length ? "tokens credited (rewards, reorg bounties) and deposits slashed, cumulative" : "no rewards or slashes in this run", `scenario ${f.scenario}${designText(f)}`] },
    width: 520, height: 260,
    data: { values: series },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: { field: "l1Block", type: "quantitative", title: "L1 block", scale: { domain: [f.startBlock, Math.max(f.endBlock, f.startBlock + 1)], nice: false } },
      y: { field: "tokens", type: "quantitative", title: "cumulative amount (tokens)" },
      color: { field: "actor", type: "nominal", title: "actor" },
      strokeDash: { field: "kind", type: "nominal", title: "kind", scale: { domain: [...kinds], range: [[1, 0], [2, 2], [6, 3]] }, legend: { symbolType: "stroke", symbolStrokeWidth: 2, symbolSize: 400, symbolStrokeColor: "#444" } },
      detail: { field: "series" },
    },
  };

  const gasRows = Object.entries(f.gasByPhase).sort((a, b) => b[1].total - a[1].total).map(([phase, g]) => ({ phase, total: g.total, count: g.count, median: g.median, label: `${g.count}× median ${gasNum(g.median)}` }));
  const gas: Spec = {
    ...BASE,
    title: { text: CHARTS.gas.title, subtitle: ["total gas of the run's L1 transactions per phase (bars)", "label: calls × median gas per call", `scenario ${f.scenario}${designText(f)}`] },
    width: 420, height: Math.max(60, 26 * gasRows.length),
    data: { values: gasRows },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "phase", type: "nominal", title: "phase (contract call)", sort: null },
          x: { field: "total", type: "quantitative", title: "total gas", scale: { domainMax: Math.max(1, ...gasRows.map((g) => g.total)) * 1.45 } },
          color: { field: "phase", type: "nominal", title: "phase", sort: null, legend: { orient: "bottom", columns: 4 } },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
        encoding: { y: { field: "phase", type: "nominal", sort: null }, x: { field: "total", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };
  return { latency, ledger, gas };
}

/** Renders a Vega-Lite spec to SVG, headless (Vega's `View.toSVG`, renderer "none": no DOM, no canvas). */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// ------------------------------------------------------------------------------------------------ markdown

/** ", cooperative design (K = 2)" / ", sidecar design" ("" for figures written before designs). */
function designText(f: ScenarioFigures): string {
  if (!f.design) return "";
  return f.design === "cooperative" ? `, cooperative design (K = ${f.cooperative?.units ?? f.params.units ?? "?"})` : ", sidecar design";
}

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const cell = (x: number | string | undefined) => (x === undefined || x === "" ? "-" : String(x));

export function reportMarkdown(f: ScenarioFigures, s = summarize(f)): string {
  const L: string[] = [];
  L.push(`# Scenario report: ${f.scenario}`, "");
  if (f.description) L.push(f.description, "");
  if (f.design) L.push(`Proving design: **${f.design}**${f.design === "cooperative" ? ` (K = ${f.cooperative?.units ?? f.params.units ?? "?"} units per block, 3 paid proofs per unit; docs/cooperative.md)` : ""}.`, "");
  const where = f.mode === "fork" ? `fork of ${f.forkUrl ?? "?"}${f.forkBlock !== undefined ? ` at block ${f.forkBlock}` : ""}` : f.mode === "rpc" ? `running node ${f.l1Url}` : "local Hardhat node";
  L.push(`L1: ${where}; blocks ${f.startBlock} to ${f.endBlock} (${f.endBlock - f.startBlock} L1 blocks); started ${f.startedAt}; ${f.wallSeconds.toFixed(1)} s wall clock.`, "");
  const passed = f.expectations.filter((e) => e.passed).length;
  L.push("## Summary", "", "| figure | value |", "| --- | --- |");
  L.push(`| heights finalized | ${s.finalized} |`, `| heights reorged | ${s.reorged} |`, `| heights skipped | ${s.skipped} |`);
  if (s.pending) L.push(`| heights pending at the end | ${s.pending} |`);
  L.push(`| latency, median (L1 blocks, proposal to finality) | ${cell(s.latencyMedian)} |`, `| latency, p90 (L1 blocks) | ${cell(s.latencyP90)} |`);
  L.push(`| L1 gas, all phases | ${gasNum(s.gasTotal)} |`);
  L.push(`| expectations | ${passed} of ${f.expectations.length} passed |`);
  if (f.replay) L.push(`| replay divergences | ${f.replay.divergences.length} |`);
  L.push("");
  L.push(`![${CHARTS.latency.title}](charts/${CHARTS.latency.file})`, "");

  L.push("## Expectations", "");
  if (f.expectations.length === 0) L.push("None declared.", "");
  else {
    L.push("| result | expectation | detail |", "| --- | --- | --- |");
    for (const e of f.expectations) L.push(`| ${e.passed ? "PASS" : "**FAIL**"} | ${esc(e.text)} | ${esc(e.detail)} |`);
    L.push("");
  }

  L.push("## Rewards and slashes per actor (tokens)", "");
  L.push("| actor | role | strategy | rewards | bounties | slashed | refunds | deposits |", "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
  const roles = new Map(f.actors.map((a) => [a.name, a]));
  for (const [name, k] of Object.entries(s.perActor)) {
    const a = roles.get(name);
    L.push(`| ${esc(name)} | ${a?.role ?? "-"} | ${esc(a?.strategy ?? "-")} | ${tokens(k.reward)} | ${tokens(k.bounty)} | ${tokens(k.slash)} | ${tokens(k.refund)} | ${tokens(k.deposit)} |`);
  }
  L.push("", `![${CHARTS.ledger.title}](charts/${CHARTS.ledger.file})`, "");

  L.push("## Heights", "", `| height | outcome | sequencer | ${f.cooperative ? "unit provers (completing proof first)" : "prover"} | txs | proposed | revealed | committed | proven | finalized / reorged | latency |`, "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const h of f.heights) {
    const end = h.outcome === "reorged" ? (h.reorgedAt !== undefined ? `reorged at ${h.reorgedAt}` : "reorged") : h.finalizedAt;
    L.push(`| ${h.height} | ${h.outcome} | ${cell(h.sequencer)} | ${cell(proverCell(h))} | ${h.txs} | ${cell(h.proposedAt)} | ${cell(h.revealedAt)} | ${cell(h.committedAt)} | ${cell(h.provenAt)} | ${cell(end)} | ${cell(latencyOf(h))} |`);
  }
  L.push("");

  if (f.cooperative) L.push(...cooperativeMarkdown(f));

  L.push("## Gas per phase", "", "| phase | calls | total gas | median gas |", "| --- | ---: | ---: | ---: |");
  for (const [p, g] of Object.entries(f.gasByPhase).sort((a, b) => b[1].total - a[1].total)) {
    L.push(`| ${esc(p)} | ${g.count} | ${gasNum(g.total)} | ${gasNum(g.median)} |`);
  }
  L.push("", `![${CHARTS.gas.title}](charts/${CHARTS.gas.file})`, "");

  if (f.replay) {
    const r = f.replay;
    L.push("## Replay", "", `Replayed \`${r.log}\`: ${r.txs} transactions in ${r.blocks} L1 blocks.`, "");
    L.push(r.divergences.length === 0 ? "No divergence: every receipt, block, the final state and the outcome match the recording." : `${r.divergences.length} divergence(s):`, "");
    for (const d of r.divergences) L.push(`- ${d}`);
    if (r.divergences.length) L.push("");
    if (r.interventions.length) {
      L.push("Deliberate interventions (the recorded randomness of each height, see docs/scenarios.md, \"Replay\"):", "");
      for (const i of r.interventions) L.push(`- ${i}`);
      L.push("");
    }
  }

  L.push("## Parameters", "", "| parameter | value |", "| --- | --- |");
  for (const [k, v] of Object.entries(f.params)) L.push(`| ${esc(k)} | ${esc(String(v))} |`);
  L.push("", "Files: `figures.json` (every figure above), `charts/*.svg`.", "");
  return L.join("\n");
}

/** A height's prover cell: Sidecar's committed prover; Cooperative's completing payee, then the other payees. */
function proverCell(h: ScenarioFigures["heights"][number]): string | undefined {
  if (!h.provers) return h.prover;
  const rest = h.provers.filter((p) => p !== h.prover);
  return [h.prover, ...rest].filter((x) => x !== undefined).join(", ") || undefined;
}

/** The Cooperative design's section: unit proofs and payments per prover, per settled height, and the bonds. */
function cooperativeMarkdown(f: ScenarioFigures): string[] {
  const c = f.cooperative!;
  const L: string[] = ["## Unit proofs (cooperative)", ""];
  L.push("| prover | accepted on time | rescues | displaced | paid proofs | paid (tokens) | FEE_BURN burnt (tokens) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const p of c.provers) L.push(`| ${esc(p.name)} | ${p.accepted} | ${p.rescues} | ${p.displaced} | ${p.paidProofs} | ${tokens(p.paid)} | ${tokens(p.burnt)} |`);
  L.push("");
  if (c.settled.length) {
    L.push("| height | network reward | paid | burnt (FEE_BURN, missing proofs, dust) | paid proofs | payees per unit (FEE_BURN bps; * rescue) |", "| ---: | ---: | ---: | ---: | ---: | --- |");
    for (const x of c.settled) {
      const per = [...new Set(c.accepted.filter((a) => a.height === x.height).map((a) => a.unit))].sort((a, b) => a - b)
        .map((u) => `u${u}: ${c.accepted.filter((a) => a.height === x.height && a.unit === u).map((a) => `${a.payee} (${a.feeBurnBps})${a.late ? "*" : ""}${a.displaced ? ` displaced ${a.displaced}` : ""}`).join(", ")}`).join("; ");
      L.push(`| ${x.height} | ${tokens(x.networkReward)} | ${tokens(x.paid)} | ${tokens(x.burnt)} | ${x.proofs} | ${esc(per)} |`);
    }
    L.push("");
  }
  const notable = c.bonds.filter((b) => BigInt(b.toRescuer) > 0n || BigInt(b.burnt) > 0n);
  L.push(`Sequencers' bonds settled at finalization: ${c.bonds.length}, returned in full: ${c.bonds.length - notable.length}.`, "");
  for (const b of notable) L.push(`- height ${b.height} (${esc(b.sequencer)}): ${tokens(b.returned)} returned, ${tokens(b.toRescuer)} to ${esc(b.rescuer ?? "-")} (rescue), ${tokens(b.burnt)} burnt`);
  if (notable.length) L.push("");
  return L;
}

/** Writes `figures.json`, `report.md` and `charts/{latency,rewards-slashes,gas-per-phase}.svg` into `outDir`. */
export async function writeReport(outDir: string, figures: ScenarioFigures): Promise<{ report: string; figures: string; charts: string[] }> {
  mkdirSync(join(outDir, "charts"), { recursive: true });
  const figuresPath = join(outDir, "figures.json");
  writeFileSync(figuresPath, JSON.stringify(figures, null, 2) + "\n");
  const specs = chartSpecs(figures);
  const charts: string[] = [];
  for (const k of ["latency", "ledger", "gas"] as const) {
    const p = join(outDir, "charts", CHARTS[k].file);
    writeFileSync(p, await renderSvg(specs[k]));
    charts.push(p);
  }
  const reportPath = join(outDir, "report.md");
  writeFileSync(reportPath, reportMarkdown(figures));
  return { report: reportPath, figures: figuresPath, charts };
}
