/**
 * Scenario files: validation with JSON-path errors (no network), every file of the library is valid, and the CLI
 * exits 2 on a bad file without starting anything.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScenarioError, loadScenario, parseAmount, validateScenario } from "../../src/scenario/schema.js";
import { blockWindows, cooperativeProverHooks, proverHooks, sequencerHooks } from "../../src/scenario/strategies.js";
import { evaluate } from "../../src/scenario/expectations.js";
import { readRunMeta, toJson } from "../../src/scenario/runner.js";
import { PROJECT_ROOT } from "../../src/agents/devnet.js";

const base = () => ({
  name: "t",
  sequencers: [{ name: "seq-1" }],
  provers: [{ name: "prover-1" }],
  stop: { heights: 3 },
});

function errorOf(doc: unknown): ScenarioError {
  try {
    validateScenario(doc);
  } catch (e) {
    expect(e).to.be.instanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario schema", () => {
  it("accepts a minimal file and fills the defaults", () => {
    const s = validateScenario(base());
    expect(s.circuit).to.deep.equal({ T: 2, D: 8 });
    expect(s.params.proposalBlocks).to.equal(3);
    expect(s.params.proverDeposit).to.equal(100n * 10n ** 18n);
    expect(s.sequencers[0]!.stake).to.equal(1000n * 10n ** 18n);
    expect(s.provers[0]!.strategies).to.deep.equal([{ kind: "honest" }]);
    expect(s.stop.maxL1Blocks).to.be.greaterThan(3 * 9);
  });

  it("parses amounts", () => {
    expect(parseAmount("1000e18", "$")).to.equal(1000n * 10n ** 18n);
    expect(parseAmount("0.5e18", "$")).to.equal(5n * 10n ** 17n);
    expect(parseAmount("12345", "$")).to.equal(12345n);
    expect(parseAmount(7, "$")).to.equal(7n);
    expect(() => parseAmount("0.5", "$.x")).to.throw(ScenarioError, "$.x: \"0.5\" is not a whole number of wei");
    expect(() => parseAmount("-1", "$.x")).to.throw(ScenarioError, "$.x");
  });

  it("names the JSON path of the first problem", () => {
    const cases: [unknown, string, RegExp][] = [
      [[], "$", /must be an object/],
      [{ ...base(), bogus: 1 }, "$.bogus", /unknown field/],
      [{ ...base(), stop: undefined }, "$.stop", /required/],
      [{ ...base(), sequencers: [] }, "$.sequencers", /between 1 and 16/],
      [{ ...base(), sequencers: [{ name: "seq-1", stake: "10e18" }] }, "$.sequencers[0].stake", /minimum sequencer stake/],
      [{ ...base(), provers: [{ name: "p", strategy: { kind: "withhold", heights: [1, 0] } }] }, "$.provers[0].strategy.heights[1]", /integer >= 1/],
      [{ ...base(), provers: [{ name: "p", strategy: [{ kind: "honest" }, { kind: "fly" }] }] }, "$.provers[0].strategy[1]", /unknown prover strategy "fly"/],
      [{ ...base(), provers: [{ name: "p", strategy: "invalidProof" }] }, "$.provers[0].strategy", /needs the batch path/],
      [{ ...base(), provers: [{ name: "p", price: "1e18", strategy: { kind: "belowCost", price: "2e18" } }] }, "$.provers[0].strategy", /must be below the prover's cost/],
      [{ ...base(), sequencers: [{ name: "x" }, { name: "x" }] }, "$.sequencers[1].name", /duplicate actor name/],
      [{ ...base(), sequencers: [{ strategy: { kind: "offline", windows: [{ unit: "height", from: 3, to: 2 }] } }] }, "$.sequencers[0].strategy.windows[0].to", /integer >= 4/],
      [{ ...base(), params: { provingWindow: "ten" } }, "$.params.provingWindow", /integer/],
      [{ ...base(), params: { commitBlocks: 65_536 } }, "$.params.commitBlocks", /integer/], // 16 bits on chain
      [{ ...base(), params: { proverDeposit: "1234567890123456789" } }, "$.params.proverDeposit", /16 significant digits/],
      [{ ...base(), expect: [{ kind: "slashed", actor: "nobody" }] }, "$.expect[0].actor", /no actor named "nobody"/],
      [{ ...base(), expect: [{ kind: "reorged", height: 9 }] }, "$.expect[0].height", /beyond \$\.stop\.heights/],
      [{ ...base(), expect: [{ kind: "slashed", actor: "prover-1", amount: "lots" }] }, "$.expect[0].amount", /amount like/],
      [{ ...base(), expect: [{ kind: "sunny" }] }, "$.expect[0].kind", /unknown expectation "sunny"/],
      [{ ...base(), l1: { node: "geth" } }, "$.l1.node", /"hardhat" or "anvil"/],
      [{ ...base(), l1: { reorgs: [{ height: 1, phase: "proving", depth: 2 }] } }, "$.l1.reorgs", /node that can reorg/],
      [{ ...base(), l1: { node: "anvil", reorgs: [{ height: 1, phase: "later", depth: 2 }] } }, "$.l1.reorgs[0].phase", /proposal, reveal, commit or proving/],
      [{ ...base(), l1: { node: "anvil", reorgs: [{ height: 1, phase: "commit", depth: 0 }] } }, "$.l1.reorgs[0].depth", /integer/],
    ];
    for (const [doc, path, msg] of cases) {
      const e = errorOf(doc);
      expect(e.path, JSON.stringify(doc)).to.equal(path);
      expect(e.message).to.match(msg);
      expect(e.message.startsWith(`${path}: `)).to.equal(true);
    }
  });

  it("reads the design: cooperative with units and FEE_BURN fields, Sidecar by default", () => {
    const side = validateScenario(base());
    expect(side.design).to.equal("sidecar");
    expect(side.units).to.equal(undefined);
    expect(side.provers[0]).to.not.have.property("feeBurnBps");
    const coop = validateScenario({
      ...base(), design: "cooperative",
      provers: [
        { name: "p1", feeBurnBps: 2500, strategy: { kind: "invalidProof", heights: [2] } },
        { name: "p2", feeBurnStrategy: "min-to-displace", rescue: false },
        { name: "p3", price: "1e18", cost: "2e18" },
      ],
      expect: [
        { kind: "unitProofsAtLeast", actor: "p1", count: 2 }, { kind: "paidProofsAtLeast", actor: "p2", count: 1 },
        { kind: "noUnitProofs", actor: "p1", heights: [2] }, { kind: "noUnitProofs", actor: "p3" },
        { kind: "rescued", height: 1 }, { kind: "burntAtLeast", amount: "1e17" }, { kind: "burntAtLeast", actor: "p1", amount: "1" },
      ],
    });
    expect(coop.design).to.equal("cooperative");
    expect(coop.units, "DEVNET_DEFAULTS.cooperativeUnits").to.equal(2);
    expect(coop.provers.map((p) => [p.feeBurnBps, p.feeBurnStrategy, p.rescue])).to.deep.equal([[2500, undefined, undefined], [undefined, "min-to-displace", false], [undefined, undefined, undefined]]);
    // invalidProof needs no aggregator here: the unit proof is verified when posted.
    expect(coop.provers[0]!.strategies).to.deep.equal([{ kind: "invalidProof", heights: [2] }]);
    expect(coop.expect.map((e) => e.kind)).to.deep.equal(["unitProofsAtLeast", "paidProofsAtLeast", "noUnitProofs", "noUnitProofs", "rescued", "burntAtLeast", "burntAtLeast"]);
    expect(coop.expect[5]).to.deep.equal({ kind: "burntAtLeast", actor: undefined, amount: 10n ** 17n });
    expect(validateScenario({ ...base(), design: "cooperative", units: 1 }).units).to.equal(1);
    expect(validateScenario({ ...base(), design: "cooperative", circuit: { T: 8, D: 8 }, units: 4 }).units).to.equal(4);
  });

  it("refuses Sidecar-only things in a cooperative scenario and cooperative-only things in a Sidecar one", () => {
    const coop = { ...base(), design: "cooperative" };
    const cases: [unknown, string, RegExp][] = [
      [{ ...base(), design: "cooperativ" }, "$.design", /"sidecar" or "cooperative"/],
      [{ ...base(), units: 2 }, "$.units", /cooperative design only/],
      [{ ...coop, units: 3 }, "$.units", /must divide circuit\.T = 2/],
      [{ ...coop, circuit: { T: 3 } }, "$.circuit.T", /units \(K = 2\) must divide circuit\.T = 3/],
      [{ ...coop, units: 0 }, "$.units", /integer in \[1, 32\]/],
      [{ ...coop, aggregator: true }, "$.aggregator", /no ProofAggregator/],
      [{ ...coop, provers: [{ name: "p", strategy: { kind: "belowCost", price: "1" } }] }, "$.provers[0].strategy", /belowCost is a Sidecar strategy/],
      [{ ...coop, provers: [{ name: "p", feeBurnBps: 10001 }] }, "$.provers[0].feeBurnBps", /integer in \[0, 10000\]/],
      [{ ...coop, provers: [{ name: "p", feeBurnStrategy: "greedy" }] }, "$.provers[0].feeBurnStrategy", /"fixed" or "min-to-displace"/],
      [{ ...coop, provers: [{ name: "p", feeBurnStrategy: "min-to-displace", feeBurnBps: 100 }] }, "$.provers[0].feeBurnBps", /chooses its FEE_BURN/],
      [{ ...coop, provers: [{ name: "p", rescue: "yes" }] }, "$.provers[0].rescue", /true or false/],
      [{ ...coop, expect: [{ kind: "challenged", actor: "prover-1" }] }, "$.expect[0].kind", /batch path/],
      [{ ...coop, expect: [{ kind: "noUnitProofs", actor: "prover-1", heights: [1, 7] }] }, "$.expect[0].heights[1]", /beyond \$\.stop\.heights/],
      [{ ...coop, expect: [{ kind: "burntAtLeast", actor: "nobody", amount: "1" }] }, "$.expect[0].actor", /no actor named/],
      [{ ...base(), provers: [{ name: "p", feeBurnBps: 100 }] }, "$.provers[0].feeBurnBps", /cooperative prover field/],
      [{ ...base(), provers: [{ name: "p", feeBurnStrategy: "fixed" }] }, "$.provers[0].feeBurnStrategy", /cooperative prover field/],
      [{ ...base(), provers: [{ name: "p", rescue: true }] }, "$.provers[0].rescue", /cooperative prover field/],
      [{ ...base(), expect: [{ kind: "unitProofsAtLeast", actor: "prover-1", count: 1 }] }, "$.expect[0].kind", /cooperative design's unit proofs/],
      [{ ...base(), expect: [{ kind: "rescued", height: 1 }] }, "$.expect[0].kind", /cooperative design's unit proofs/],
    ];
    for (const [doc, path, msg] of cases) {
      const e = errorOf(doc);
      expect(e.path, JSON.stringify(doc)).to.equal(path);
      expect(e.message, JSON.stringify(doc)).to.match(msg);
    }
  });

  it("turns a cooperative prover into the cooperative agent's options", () => {
    const s = validateScenario({
      ...base(), design: "cooperative",
      provers: [
        { name: "a", feeBurnBps: 1500, strategy: [{ kind: "invalidProof", heights: [2] }, { kind: "withhold", heights: [3] }, { kind: "offline", windows: [{ unit: "height", from: 1, to: 2 }] }] },
        { name: "b", feeBurnStrategy: "min-to-displace", rescue: false },
      ],
    });
    const clock = { genesisBlock: 40n, period: 9n };
    const a = cooperativeProverHooks(s.provers[0]!, clock);
    expect(a.feeBurnBps).to.equal(1500n);
    expect(a.feeBurnStrategy).to.equal(undefined);
    expect([1n, 2n, 3n].map((h) => a.invalidProofAt!(h))).to.deep.equal([false, true, false]);
    expect([2n, 3n].map((h) => a.withholdAt!(h))).to.deep.equal([false, true]);
    expect([38, 39, 47, 48].map((h) => a.offline!(h))).to.deep.equal([false, true, true, false]);
    const b = cooperativeProverHooks(s.provers[1]!, clock);
    expect(b).to.deep.equal({ offline: undefined, invalidProofAt: undefined, withholdAt: undefined, feeBurnStrategy: "min-to-displace", rescue: false });
  });

  it("evaluates the cooperative expectations on unit-proof figures", () => {
    const s = validateScenario({
      ...base(), design: "cooperative", provers: [{ name: "p1" }, { name: "p2" }],
      expect: [
        { kind: "unitProofsAtLeast", actor: "p1", count: 2 }, { kind: "unitProofsAtLeast", actor: "p2", count: 1 },
        { kind: "noUnitProofs", actor: "p2", heights: [1] }, { kind: "noUnitProofs", actor: "p2" },
        { kind: "paidProofsAtLeast", actor: "p1", count: 2 }, { kind: "paidProofsAtLeast", actor: "p2", count: 1 },
        { kind: "rescued", height: 2 }, { kind: "rescued", height: 1 },
        { kind: "burntAtLeast", amount: "3" }, { kind: "burntAtLeast", actor: "p1", amount: "2" },
        { kind: "provedAtLeast", actor: "p2", count: 1 }, { kind: "slashed", actor: "seq-1", amount: "100" },
      ],
    });
    const acc = (height: number, unit: number, payee: string, late = false) => ({ height, unit, payee, feeBurnBps: 0, late, l1Block: 10 + height });
    const r = evaluate(s.expect, {
      heights: [{ height: 1, outcome: "finalized", txs: 0, prover: "p1", provers: ["p1"] }, { height: 2, outcome: "finalized", txs: 0, prover: "p2", provers: ["p1", "p2"] }],
      ledger: [{ l1Block: 30, actor: "seq-1", kind: "slash", amount: "100", height: 2 }],
      cooperative: {
        units: 2,
        accepted: [acc(1, 0, "p1"), acc(1, 1, "p1"), acc(2, 0, "p1"), acc(2, 1, "p2", true)],
        provers: [{ name: "p1", accepted: 3, rescues: 0, displaced: 0, paidProofs: 3, paid: "30", burnt: "3" }, { name: "p2", accepted: 0, rescues: 1, displaced: 0, paidProofs: 0, paid: "0", burnt: "0" }],
        settled: [{ height: 1, networkReward: "60", paid: "20", burnt: "40", proofs: 2 }],
        bonds: [{ height: 2, sequencer: "seq-1", returned: "0", rescuer: "p2", toRescuer: "50", burnt: "50" }],
      },
    });
    // p2's only proof is a rescue: not an on-time proof, but an accepted one (noUnitProofs counts it).
    expect(r.map((x) => x.passed)).to.deep.equal([true, false, true, false, true, false, true, false, true, true, true, true]);
    expect(r[6]!.detail).to.equal("1 unit(s) rescued at height 2 by p2; bond: 0 returned, 0.00000000000000005 to the rescuer, 0.00000000000000005 burnt");
    // A Sidecar run's figures have no unit proofs: the expectation fails, saying why.
    expect(evaluate([s.expect[0]!], { heights: [], ledger: [] })[0]!.detail).to.match(/not a cooperative run/);
  });

  it("a stored run.json gives back the cooperative scenario (what a replay validates again)", () => {
    const dir = mkdtempSync(join(tmpdir(), "fernet-scenario-meta-"));
    try {
      for (const f of ["coop-feeburn-race.json", "coop-invalid-proof.json", "withheld-proof.json"]) {
        const s = loadScenario(join(PROJECT_ROOT, "scenarios", f));
        writeFileSync(join(dir, "run.json"), toJson({ scenario: s }));
        expect(readRunMeta(join(dir, "run.json")).scenario, f).to.deep.equal(s);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every scenario of the library is valid, and the issue's cases are there", () => {
    const files = readdirSync(join(PROJECT_ROOT, "scenarios")).filter((f) => f.endsWith(".json"));
    const byName = new Map(files.map((f) => [f, loadScenario(join(PROJECT_ROOT, "scenarios", f))]));
    for (const n of ["happy.json", "withheld-proof.json", "no-reveal.json", "invalid-proof.json", "cheapest-fails.json", "provers-offline.json", "long-run.json"]) {
      expect(byName.has(n), n).to.equal(true);
    }
    expect(byName.get("long-run.json")!.stop.heights).to.be.at.least(50);
    for (const n of ["coop-happy.json", "coop-prover-offline.json", "coop-all-offline.json", "coop-invalid-proof.json", "coop-feeburn-race.json"]) {
      const s = byName.get(n);
      expect(s?.design, n).to.equal("cooperative");
      expect([s!.circuit.T, s!.circuit.D, s!.units], n).to.deep.equal([2, 8, 2]);
      expect(s!.stop.heights, n).to.be.within(3, 6);
      expect(s!.description, n).to.be.a("string");
    }
    expect(byName.get("coop-feeburn-race.json")!.provers.some((p) => p.feeBurnStrategy === "min-to-displace")).to.equal(true);
    for (const [n, s] of byName) if (!n.startsWith("coop-")) expect(s.design, n).to.equal("sidecar");
    for (const s of byName.values()) expect(s.expect.length, s.name).to.be.greaterThan(0);
  });

  it("turns strategies into agent hooks (heights to L1 blocks with the clock)", () => {
    const s = validateScenario({
      ...base(),
      sequencers: [{ name: "s", strategy: [{ kind: "noReveal", heights: [2] }, { kind: "offline", windows: [{ unit: "height", from: 2, to: 3 }] }] }],
      provers: [{ name: "p", strategy: [{ kind: "withhold", heights: [1] }, { kind: "offline", windows: [{ unit: "l1Block", from: 100 }] }] }],
    });
    const clock = { genesisBlock: 40n, period: 9n };
    expect(blockWindows(clock, [{ unit: "height", from: 2, to: 3 }])).to.deep.equal([{ from: 49, to: 58 }]);
    const sh = sequencerHooks(s.sequencers[0]!, clock);
    expect(sh.noRevealAt!(2n)).to.equal(true);
    expect(sh.noRevealAt!(3n)).to.equal(false);
    // The agent acts on head + 1: offline from head 48 (acting on 49) to head 56 (acting on 57).
    expect([47, 48, 56, 57].map((h) => sh.offline!(h))).to.deep.equal([false, true, true, false]);
    const ph = proverHooks(s.provers[0]!, clock);
    expect(ph.withholdAt!(1n)).to.equal(true);
    expect(ph.withholdAt!(2n)).to.equal(false);
    expect(ph.invalidProofAt).to.equal(undefined);
    expect(ph.offline!(99)).to.equal(true);
    expect(ph.offline!(10_000)).to.equal(true);
  });

  it("evaluates expectations on figures", () => {
    const s = validateScenario({
      ...base(),
      expect: [
        { kind: "reorged", height: 1 }, { kind: "finalized", height: 2 }, { kind: "slashed", actor: "prover-1", amount: "100e18" },
        { kind: "noReward", actor: "prover-1" }, { kind: "finalizedAtLeast", count: 2 },
      ],
    });
    const r = evaluate(s.expect, {
      heights: [{ height: 1, outcome: "reorged", txs: 0 }, { height: 2, outcome: "finalized", txs: 2 }],
      ledger: [{ l1Block: 30, actor: "prover-1", kind: "slash", amount: (100n * 10n ** 18n).toString(), height: 1 }],
    });
    expect(r.map((x) => x.passed)).to.deep.equal([true, true, true, true, false]);
    expect(r[2]!.text).to.equal("prover-1 slashed 100 tokens");
    expect(r[4]!.detail).to.equal("1 finalized");
  });

  it("the CLI exits 2 on an invalid file, naming the path, and starts nothing", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "fernet-scenario-bad-"));
    try {
      const file = join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ ...base(), provers: [{ name: "p", strategy: { kind: "withhold", heights: ["one"] } }] }));
      const t0 = Date.now();
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/scenario.ts", file, "--out", join(dir, "out")], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(r.status, r.stderr).to.equal(2);
      expect(r.stderr).to.include("$.provers[0].strategy.heights[0]: must be an integer >= 1");
      expect(r.stdout).to.not.include("starting a Hardhat node");
      expect(Date.now() - t0).to.be.below(30_000);
      const bad = spawnSync(process.execPath, ["--import", "tsx", "scripts/scenario.ts", join(PROJECT_ROOT, "scenarios", "happy.json"), "--fork-block", "3"], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.include("--fork-block needs --fork");
      const notJson = join(dir, "x.json");
      writeFileSync(notJson, "{ nope");
      const nj = spawnSync(process.execPath, ["--import", "tsx", "scripts/scenario.ts", notJson, "--check"], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(nj.status).to.equal(2);
      expect(nj.stderr).to.match(/\$: .*not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
