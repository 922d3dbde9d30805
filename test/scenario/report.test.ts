/** The scenario report (src/scenario/report.ts) on a synthetic figures object: report.md numbers, well-formed SVG charts. */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScenarioFigures } from "../../src/scenario/figures.js";
import { CHARTS, percentile, summarize, tokens, writeReport } from "../../src/scenario/report.js";

const E18 = 10n ** 18n;

function figures(): ScenarioFigures {
  return {
    scenario: "withheld-proof", description: "prover-1 withholds the proof of height 2", mode: "local", l1Url: "http://127.0.0.1:1",
    startBlock: 40, endBlock: 130, startedAt: "2026-11-30T09:00:00.000Z", wallSeconds: 95.25,
    params: { T: 2, proposalBlocks: 3, provingWindow: 20, proverDeposit: (100n * E18).toString() },
    actors: [
      { name: "seq-1", role: "sequencer", address: "0x01", strategy: "honest" },
      { name: "seq-2", role: "sequencer", address: "0x02", strategy: "honest" },
      { name: "prover-1", role: "prover", address: "0x03", strategy: "withhold at height 2" },
      { name: "prover-2", role: "prover", address: "0x04", strategy: "honest" },
    ],
    heights: [
      { height: 1, outcome: "finalized", sequencer: "seq-1", prover: "prover-2", txs: 2, proposedAt: 41, revealedAt: 44, committedAt: 47, provenAt: 53, finalizedAt: 53 },
      { height: 2, outcome: "reorged", sequencer: "seq-2", prover: "prover-1", txs: 1, proposedAt: 50, revealedAt: 53, committedAt: 56, reorgedAt: 90 },
      { height: 3, outcome: "skipped", txs: 0 },
      { height: 4, outcome: "finalized", sequencer: "seq-1", prover: "prover-2", txs: 2, proposedAt: 92, revealedAt: 95, committedAt: 98, provenAt: 104, finalizedAt: 110 },
      { height: 5, outcome: "finalized", sequencer: "seq-2", prover: "prover-2", txs: 1, proposedAt: 101, revealedAt: 104, committedAt: 107, provenAt: 112, finalizedAt: 126 },
      { height: 6, outcome: "pending", sequencer: "seq-1", txs: 0, proposedAt: 110 },
    ],
    ledger: [
      { l1Block: 53, actor: "seq-1", kind: "reward", amount: (9n * E18).toString(), height: 1 },
      { l1Block: 53, actor: "prover-2", kind: "reward", amount: (2n * E18).toString(), height: 1 },
      { l1Block: 90, actor: "prover-1", kind: "slash", amount: (95n * E18).toString(), height: 2 },
      { l1Block: 90, actor: "seq-1", kind: "bounty", amount: (5n * E18).toString(), height: 2 },
      { l1Block: 110, actor: "seq-1", kind: "reward", amount: (85n * E17()).toString(), height: 4 },
      { l1Block: 126, actor: "seq-2", kind: "reward", amount: (9n * E18).toString(), height: 5 },
      { l1Block: 126, actor: "prover-2", kind: "reward", amount: (25n * E17()).toString(), height: 5 },
    ],
    gasByPhase: {
      propose: { count: 8, total: 1_320_000, median: 165_000 },
      reveal: { count: 7, total: 616_000, median: 88_000 },
      commitProver: { count: 5, total: 1_490_000, median: 298_000 },
      submitProof: { count: 3, total: 1_200_000, median: 400_000 },
      triggerReorg: { count: 1, total: 212_000, median: 212_000 },
    },
    expectations: [
      { text: "prover-1 is slashed at height 2", passed: true, detail: "slashed 95 tokens at L1 block 90" },
      { text: "at least 4 heights finalized", passed: false, detail: "3 finalized" },
    ],
  };
}
function E17(): bigint {
  return 10n ** 17n;
}

/**
 * Well-formedness of an XML document (the SVGs): one root, balanced and properly nested tags, quoted attributes,
 * known entities. No XML parser is a dependency of the project, and this is all the test needs.
 */
function checkXml(xml: string): string[] {
  const stack: string[] = [];
  const errors: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>/g;
  let last = 0;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const text = xml.slice(last, m.index);
    if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) errors.push(`bad text near ${JSON.stringify(text.slice(0, 40))}`);
    last = re.lastIndex;
    if (!m[2]) continue;
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) errors.push(`</${m[2]}> closes <${open}>`);
    } else if (!m[4]) {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
  }
  if (/</.test(xml.slice(last))) errors.push("unparsed markup at the end");
  if (stack.length) errors.push(`unclosed: ${stack.join(" > ")}`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return errors;
}

describe("scenario report", function () {
  this.timeout(60_000);
  let dir: string;
  let md: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fernet-report-"));
    const f = figures();
    f.replay = { log: "out/l1-log.json", divergences: ["block 12 tx 0 (0xab…cd): gasUsed 21000, recorded 21001"], interventions: ["height 1: randomness pinned"], txs: 40, blocks: 90 };
    await writeReport(dir, f);
    md = readFileSync(join(dir, "report.md"), "utf8");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("summarizes outcomes, latency (median, p90) and amounts", () => {
    const s = summarize(figures());
    expect([s.finalized, s.reorged, s.skipped, s.pending]).to.deep.equal([1 + 2, 1, 1, 1]);
    // finalized latencies: 12, 18, 25
    expect(s.latencyMedian).to.equal(18);
    expect(s.latencyP90).to.equal(25);
    expect(percentile([1, 2, 3, 4], 50)).to.equal(2.5);
    expect(tokens(s.perActor["seq-1"]!.reward)).to.equal("17.5");
    expect(tokens(s.perActor["prover-1"]!.slash)).to.equal("95");
    expect(s.gasTotal).to.equal(4_838_000);
  });

  it("writes report.md with the summary table, actors, heights, gas, expectations and replay divergences", () => {
    expect(md).to.include("# Scenario report: withheld-proof");
    expect(md).to.include("| heights finalized | 3 |");
    expect(md).to.include("| heights reorged | 1 |");
    expect(md).to.include("| heights skipped | 1 |");
    expect(md).to.include("| latency, median (L1 blocks, proposal to finality) | 18 |");
    expect(md).to.include("| latency, p90 (L1 blocks) | 25 |");
    expect(md).to.match(/\| seq-1 \| sequencer \| honest \| 17\.5 \| 5 \| 0 \|/);
    expect(md).to.match(/\| prover-1 \| prover \| withhold at height 2 \| 0 \| 0 \| 95 \|/);
    expect(md).to.include("| 2 | reorged | seq-2 | prover-1 | 1 | 50 | 53 | 56 | - | reorged at 90 | 40 |");
    expect(md).to.include("| commitProver | 5 | 1,490,000 | 298,000 |");
    expect(md).to.include("| PASS | prover-1 is slashed at height 2 |");
    expect(md).to.include("| **FAIL** | at least 4 heights finalized | 3 finalized |");
    expect(md).to.include("| expectations | 1 of 2 passed |");
    expect(md).to.include("- block 12 tx 0 (0xab…cd): gasUsed 21000, recorded 21001");
    for (const c of Object.values(CHARTS)) expect(md).to.include(`(charts/${c.file})`);
    expect(JSON.parse(readFileSync(join(dir, "figures.json"), "utf8")).scenario).to.equal("withheld-proof");
  });

  it("writes three well-formed SVG charts with titles, axis titles and legends", () => {
    const want = {
      latency: ["L2 height", "latency (L1 blocks)", "outcome", "reorged"],
      ledger: ["L1 block", "cumulative amount (tokens)", "actor", "kind", "prover-1", "slash"],
      gas: ["total gas", "phase (contract call)", "commitProver"],
    };
    for (const [k, c] of Object.entries(CHARTS)) {
      const p = join(dir, "charts", c.file);
      expect(existsSync(p), p).to.equal(true);
      const svg = readFileSync(p, "utf8");
      expect(svg.startsWith("<svg")).to.equal(true);
      expect(checkXml(svg), c.file).to.deep.equal([]);
      const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
      expect(texts, c.file).to.include(c.title);
      for (const w of want[k as keyof typeof want]) expect(texts.some((t) => t === w), `${c.file}: "${w}"`).to.equal(true);
    }
  });

  it("checkXml catches broken markup", () => {
    expect(checkXml("<svg><g></svg>")).to.not.deep.equal([]);
    expect(checkXml("<svg><text>a & b</text></svg>")).to.not.deep.equal([]);
    expect(checkXml('<svg a="1"><g/><text>x &amp; y</text></svg>')).to.deep.equal([]);
  });

  it("renders charts for a run with no ledger entries and no gas", async () => {
    const f = { ...figures(), ledger: [], gasByPhase: {}, heights: [] };
    const d = mkdtempSync(join(tmpdir(), "fernet-report-empty-"));
    try {
      await writeReport(d, f);
      for (const c of Object.values(CHARTS)) expect(checkXml(readFileSync(join(d, "charts", c.file), "utf8"))).to.deep.equal([]);
      expect(readFileSync(join(d, "report.md"), "utf8")).to.include("| latency, median (L1 blocks, proposal to finality) | - |");
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
