/**
 * src/defaults.ts: the effective default values at each call site, pinned (they were literals in each module
 * before the defaults got one home; a change here is a change of behaviour, to be made on purpose).
 */
import { expect } from "chai";
import {
  AGENT_DEFAULTS, AGGREGATOR_DEFAULTS, CI_CIRCUIT, CLI_DEFAULTS, DEVNET_DEFAULTS, DEVNET_SIZING, DEVNET_OVERRIDES, MARKET_DEFAULTS, MEMPOOL_DEFAULTS, ROLLUP_DEFAULTS, SCENARIO_DEFAULTS,
  STAKING_DEFAULTS,
} from "../src/defaults.js";
import { DEFAULT_AGGREGATOR, DEFAULT_STAKING, defaultRollupConfig } from "../src/client/index.js";
import { validateScenario } from "../src/scenario/schema.js";

const E18 = 10n ** 18n;

describe("defaults", function () {
  it("RollupConfig defaults (client and Ignition module)", function () {
    expect(defaultRollupConfig({ slots: 2n, genesisRoot: 5n })).to.deep.equal({
      genesisBlock: 0n, proposalBlocks: 3n, revealBlocks: 3n, commitBlocks: 3n, provingWindow: 20n, lateWindow: 10n, slots: 2n,
      minFeeSplitBps: 0n, maxFeeSplitBps: 10_000n, maxProverRewardShareBps: 10_000n, lateProverShareBps: 5_000n, reorgBountyBps: 500n,
      feeSplitScore: true, provingDesign: 0n, proverDeposit: 100n * E18, blockReward: 10n * E18, submissionReward: E18, genesisRoot: 5n,
      maxPendingHeights: 32n, vrfClaimSlash: 10n * E18, keyActivationDelay: 4n, units: 1n, unitSoftCloseBlocks: 5n,
    });
    expect(defaultRollupConfig({ slots: 2n, genesisRoot: 5n }, { provingWindow: 30n }).provingWindow).to.equal(30n);
    expect(Object.keys(ROLLUP_DEFAULTS)).to.not.include.members(["slots", "genesisRoot"]);
  });

  it("Staking and ProofAggregator defaults", function () {
    expect(DEFAULT_STAKING).to.equal(STAKING_DEFAULTS);
    expect({ ...STAKING_DEFAULTS }).to.deep.equal({ minSequencerStake: 1_000n * E18, minProverStake: 1_000n * E18, exitDelay: 50n });
    expect(DEFAULT_AGGREGATOR).to.equal(AGGREGATOR_DEFAULTS);
    expect({ ...AGGREGATOR_DEFAULTS }).to.deep.equal({ postBond: 10n * E18, verifyWindow: 20n, batchReward: 2n * E18, batchRewardPerHeight: E18 / 2n });
  });

  it("agent, market, mempool, CLI and devnet defaults (the CLI and the devnet's agents poll slower than an embedded agent, on purpose)", function () {
    expect({ ...AGENT_DEFAULTS }).to.deep.equal({
      pollMs: 100, aggregatorPollMs: 200, feeSplitBps: 1_000n, proverTip: E18, proverRewardShareBps: 2_000n, quoteTimeoutMs: 3_000, peerClaimTimeoutMs: 500, withholderMemoryHeights: 32, revealAtCommit: true, proposeBeatenChance: 0.5, proposeSlackBlocks: 1,
      proverPrice: 5n * 10n ** 17n, provingTimeL1Blocks: 8, maxInFlight: 1, proofBatchSize: 4, batchDeadlineMarginBlocks: 5, aggregatorMinBatch: 2, aggregatorMaxBatch: 16, aggregatorMarginBlocks: 5, forwardFallbackMarginBlocks: 2,
    });
    expect({ ...MARKET_DEFAULTS }).to.deep.equal({
      quoteValidityL1Blocks: 5, minValidityL1Blocks: 1, requestTimeoutMs: 2_000, reputationPenalty: 1, priorDelivered: 2, priorFailed: 1,
    });
    expect({ ...MEMPOOL_DEFAULTS }).to.deep.equal({ maxSize: 4_096, maxNonceGap: 64 });
    expect(CLI_DEFAULTS.pollMs).to.equal(200);
    expect([DEVNET_DEFAULTS.agentPollMs, DEVNET_DEFAULTS.configPollMs, DEVNET_DEFAULTS.phaseBlocks, DEVNET_OVERRIDES.provingWindow]).to.deep.equal([200, 100, 3, 30]);
    // The devnet batches 8 proofs (issue 13: gas per height), agents run alone 4 (latency).
    expect(DEVNET_DEFAULTS.proofBatchSize).to.equal(32);
    expect(DEVNET_DEFAULTS.rewardPool).to.equal(10_000n * E18);
    expect(DEVNET_DEFAULTS.balanceFunding).to.equal(5_000n * E18);
  });

  it("sizes: the devnet runs T=8 D=16, CI and the scenarios T=2 D=8; the devnet's sizing constants", function () {
    expect([DEVNET_DEFAULTS.T, DEVNET_DEFAULTS.D]).to.deep.equal([8, 16]);
    expect({ ...CI_CIRCUIT }).to.deep.equal({ T: 2, D: 8 });
    expect([SCENARIO_DEFAULTS.T, SCENARIO_DEFAULTS.D]).to.deep.equal([2, 8]);
    expect(validateScenario({ sequencers: 1, provers: 1, stop: { heights: 1 } }).circuit).to.deep.equal({ T: 2, D: 8 });
    expect({ ...DEVNET_SIZING }).to.deep.equal({
      LOAD_FACTOR: 1.5, WINDOW_MARGIN: 3, MIN_PROVING_WINDOW: 10, MIN_PHASE_BLOCKS: 2, MIN_PROPOSAL_BLOCKS: 4, PROVER_NICENESS: 5, PROVER_QUEUE: 3, OFFERED_OVER_CAPACITY: 3,
    });
  });

  it("a scenario's defaults: the devnet's proving window (30), not the contract's (20)", function () {
    const s = validateScenario({ sequencers: 1, provers: 2, aggregator: true, stop: { heights: 1 } });
    expect(s.seed).to.equal(1);
    expect(s.params).to.deep.equal({
      proposalBlocks: 3, revealBlocks: 3, commitBlocks: 3, provingWindow: 30, lateWindow: 10,
      proverDeposit: 100n * E18, blockReward: 10n * E18, submissionReward: E18,
    });
    expect(s.l1.blockTimeMs).to.equal(2000);
    expect(s.load).to.deep.equal({ accounts: 8, txRate: 0.3 });
    expect(s.sequencers[0]!.stake).to.equal(SCENARIO_DEFAULTS.sequencerStake);
    expect(s.provers.map((p) => p.price)).to.deep.equal([5n * 10n ** 17n, 6n * 10n ** 17n]);
    expect(s.aggregator).to.deep.equal({ minBatch: 2, verifyWindow: 20, postBond: 10n * E18 });
    expect(s.stop.timeoutSeconds).to.equal(900);
    const below = validateScenario({ sequencers: 1, provers: [{ name: "p", price: "1e18", strategy: { kind: "belowCost" } }], stop: { heights: 1 } });
    expect(below.provers[0]!.price).to.equal(10n ** 17n);
  });
});
