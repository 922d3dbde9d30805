/**
 * `npm run compare`: runs every variant of a comparison file over its seeds (simulation mode: child processes, two
 * at a time on two cores; real mode: the real agents, one variant after another), computes the metrics, checks the
 * file's expectations against them, and writes the report (figures.json, report.html, report.md, charts/).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DESIGNS } from "./designs.js";
import { runMetrics, summarize } from "./metrics.js";
import { writeComparisonReport } from "./report.js";
import { CompareError, type ComparisonSpec, type VariantSpec } from "./spec.js";
import type { CompareMode, ComparisonResult, ExpectationCheck, HeadlineKey, RunRecord, VariantResult } from "./types.js";
import { HEADLINE } from "./types.js";

export interface CompareOptions {
  spec: ComparisonSpec;
  /** The comparison file (the simulation's workers read it again). */
  file: string;
  mode: CompareMode;
  outDir: string;
  /** Simulation: runs at once (default 2: this machine's cores). */
  workers?: number;
  /** Only these seeds / variants (default all). */
  seeds?: number[];
  variants?: string[];
  /** Real mode: a simulation's figures.json to check the direction of every measure against. */
  simFigures?: string;
  progress?: (line: string) => void;
}

function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** One simulation run in a child process (src/compare/sim/worker.ts): its record, read back from a file. */
function simInChild(file: string, variant: string, seed: number, out: string, progress?: (l: string) => void): Promise<RunRecord> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("src", "compare", "sim", "worker.ts"), file, variant, String(seed), out], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stdout.on("data", (b: Buffer) => { for (const l of b.toString().split("\n")) if (l.trim()) progress?.(l); });
    child.stderr.on("data", (b: Buffer) => { err += b.toString(); });
    child.on("close", (code) => {
      if (code !== 0) return reject(new CompareError("RUN_FAILED", `simulation ${variant} seed ${seed} failed (exit ${code}): ${err.slice(-2000)}`));
      resolve(JSON.parse(readFileSync(out, "utf8")) as RunRecord);
    });
  });
}

/** Runs `jobs` with at most `n` at a time, results in job order. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, async () => {
    while (i < jobs.length) {
      const j = i++;
      out[j] = await jobs[j]!();
    }
  }));
  return out;
}

/** Headline measures real mode is compared on (speed-independent ones first; every one both modes produce). */
const AGREEMENT_KEYS: readonly HeadlineKey[] = ["finalizedShare", "gasPerFinalizedHeight", "toProvers", "toSequencers", "burnt", "wastedShare", "topShare", "hhi", "nakamoto", "latencyMedianL1Blocks"];

/**
 * Real mode against a simulation of the same file: for each measure and each pair of variants both ran, whether the
 * real run orders the two as the simulation does (higher, lower, or equal within 1 %).
 */
export function agreementWithSimulation(real: readonly VariantResult[], sim: ComparisonResult): ExpectationCheck[] {
  const out: ExpectationCheck[] = [];
  const dir = (a: number, b: number) => (Math.abs(a - b) <= 0.01 * Math.max(Math.abs(a), Math.abs(b)) ? "=" : a > b ? ">" : "<");
  for (const key of AGREEMENT_KEYS) {
    const label = HEADLINE.find((h) => h.key === key)!.label;
    for (let i = 0; i < real.length; i++) for (let j = i + 1; j < real.length; j++) {
      const [a, b] = [real[i]!, real[j]!];
      const sa = sim.variants.find((v) => v.variant === a.variant)?.summary[key];
      const sb = sim.variants.find((v) => v.variant === b.variant)?.summary[key];
      const ra = a.summary[key];
      const rb = b.summary[key];
      if (!sa || !sb || !ra || !rb) continue;
      const ds = dir(sa.mean, sb.mean);
      const dr = dir(ra.mean, rb.mean);
      out.push({
        claim: `${label}: ${a.variant} vs ${b.variant}`, source: "this file in simulation mode",
        measured: `sim ${sa.mean.toPrecision(3)} ${ds} ${sb.mean.toPrecision(3)}; real ${ra.mean.toPrecision(3)} ${dr} ${rb.mean.toPrecision(3)}`,
        agrees: ds === dr,
      });
    }
  }
  return out;
}

/** A file expectation's direction, "A > B" or "A < B" over the variants' means of `metric`. */
export function checkExpectation(e: ComparisonSpec["expectations"][number], variants: readonly VariantResult[]): ExpectationCheck {
  const key = e.metric as HeadlineKey;
  const label = HEADLINE.find((h) => h.key === key)?.label ?? e.metric;
  const measured = variants.map((v) => {
    const x = v.summary[key];
    return `${v.variant}: ${x ? x.mean.toPrecision(3) + (x.n > 1 ? ` [${x.ci95[0].toPrecision(3)}, ${x.ci95[1].toPrecision(3)}]` : "") : "n/a"}`;
  }).join("; ");
  const m = /^\s*(\S+)\s*([<>])\s*(\S+)\s*$/.exec(e.direction);
  let agrees: boolean | null = null;
  if (m) {
    const a = variants.find((v) => v.variant === m[1])?.summary[key];
    const b = variants.find((v) => v.variant === m[3])?.summary[key];
    if (a && b) agrees = m[2] === ">" ? a.mean > b.mean : a.mean < b.mean;
  }
  return { claim: e.claim, source: e.source, measured: `${label} (expected ${e.direction}): ${measured}`, agrees };
}

export async function runComparison(o: CompareOptions): Promise<{ result: ComparisonResult; files: Awaited<ReturnType<typeof writeComparisonReport>> }> {
  const { spec } = o;
  const seeds = o.seeds ?? (o.mode === "real" ? [spec.seeds[0]!] : spec.seeds);
  const variants = spec.variants.filter((v) => !o.variants || o.variants.includes(v.label));
  if (variants.length === 0) throw new CompareError("BAD_COMPARISON", `no variant matches ${o.variants?.join(", ")}`);
  mkdirSync(join(o.outDir, "runs"), { recursive: true });
  const runs = new Map<string, RunRecord[]>();
  const notes: string[] = [];
  if (o.mode === "sim") {
    // Longest first (unit-proof designs run about twice as long per height): two workers finish closer together.
    const ordered = [...variants].sort((a, b) => Number(DESIGNS[b.design].work === "unit") - Number(DESIGNS[a.design].work === "unit"));
    const jobs = ordered.flatMap((v) => seeds.map((s) => async () => {
      const out = join(o.outDir, "runs", `${v.label.replace(/[^A-Za-z0-9_.-]/g, "_")}-seed${s}.json`);
      o.progress?.(`start ${v.label} seed ${s}`);
      const r = await simInChild(o.file, v.label, s, out, o.progress);
      o.progress?.(`done ${v.label} seed ${s}: ${r.heights.filter((h) => h.outcome === "finalized").length}/${r.heights.length} finalized in ${r.wallSeconds.toFixed(0)} s`);
      return r;
    }));
    for (const r of await pool(jobs, o.workers ?? 2)) runs.set(r.variant, [...(runs.get(r.variant) ?? []), r]);
  } else {
    const { runRealVariant } = await import("./real.js");
    for (const v of variants) for (const s of seeds) {
      o.progress?.(`start ${v.label} (real) seed ${s}`);
      const dir = join(o.outDir, "runs", v.label.replace(/[^A-Za-z0-9_.-]/g, "_"));
      const { run, notes: n } = await runRealVariant({ spec, variant: v, seed: s, outDir: dir, progress: o.progress });
      for (const x of n) if (!notes.includes(`${v.label}: ${x}`)) notes.push(`${v.label}: ${x}`);
      writeFileSync(join(o.outDir, "runs", `${v.label.replace(/[^A-Za-z0-9_.-]/g, "_")}-seed${s}.json`), json(run));
      runs.set(v.label, [...(runs.get(v.label) ?? []), run]);
      o.progress?.(`done ${v.label} (real): ${run.heights.filter((h) => h.outcome === "finalized").length}/${run.heights.length} finalized in ${run.wallSeconds.toFixed(0)} s`);
    }
  }
  const results: VariantResult[] = variants.map((v: VariantSpec) => {
    const rs = runs.get(v.label) ?? [];
    const metrics = rs.map((r) => runMetrics(r));
    return {
      variant: v.label, design: v.design, description: v.description, unsafe: v.unsafe,
      params: { ...v.rollup, ...(v.design === "sidecar" ? { matching: v.matching } : {}) }, runs: rs, metrics, summary: summarize(metrics),
    };
  });
  const standIns = [...new Set(results.flatMap((v) => v.runs.flatMap((r) => r.standIns)))];
  if (o.mode === "sim") notes.push("Simulation mode: every number comes from the real contracts on an in-process chain with the stand-ins listed above; real mode (`--mode real`) runs the real agents with real proofs on a small network.");
  notes.push("Block value = the pot of a finalized height (block reward from the pool + L2 fees) + the configured MEV, which only the block's sequencer captures; provers never see MEV.");
  for (const v of results) {
    const byProofs = v.metrics.filter((m) => m.concentration.basis === "proofs").map((m) => m.seed);
    if (byProofs.length) notes.push(`${v.variant}: no prover was paid in seed(s) ${byProofs.join(", ")}; its concentration figures count accepted proofs, not payments.`);
  }
  const expectations = spec.expectations.map((e) => checkExpectation(e, results));
  if (o.mode === "real" && o.simFigures) {
    const sim = JSON.parse(readFileSync(o.simFigures, "utf8")) as ComparisonResult;
    const agree = agreementWithSimulation(results, sim);
    expectations.push(...agree);
    notes.push(`Agreement with the simulation (${o.simFigures}): ${agree.filter((x) => x.agrees).length} of ${agree.length} orderings agree. Where they do not: real mode runs ${spec.real.heights} heights on a T = ${spec.real.T} circuit with ${spec.real.provers} provers sharing two cores (no speed differences, few heights: one event moves a share by a third), the simulation ${spec.workload.heights} heights at T = ${spec.workload.T} with ${spec.workload.provers.reduce((s, p) => s + p.count, 0)} provers.`);
  }
  const result: ComparisonResult = {
    name: spec.name, description: spec.description, mode: o.mode, generatedAt: new Date().toISOString(), seeds,
    workload: JSON.parse(json(o.mode === "real" ? { ...spec.workload, real: spec.real } : spec.workload)) as Record<string, unknown>,
    standIns, variants: results, expectations, notes,
  };
  const files = await writeComparisonReport(o.outDir, result);
  return { result, files };
}
