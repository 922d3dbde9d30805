/**
 * Every default parameter value of the system, in one place: the contracts' deployment parameters (Ignition
 * modules, src/client), the agents' options (library and CLI), the prover market, the mempool, the local devnet
 * (scripts/devnet.ts, src/agents/devnet.ts) and the scenario schema (src/scenario/schema.ts).
 *
 * Where two uses want different values on purpose (a devnet or a scenario wants a longer proving window than the
 * contract default, the CLI polls more slowly than an embedded agent), both are here under their own name.
 * Units: L1 blocks, wei of the protocol token, bps (1/10 000), ms.
 *
 * Kept free of runtime imports other than src/protocol.ts: the Ignition modules load it.
 */
import { BPS, E18 } from "./protocol.js";

/** RollupConfig defaults (docs/lifecycle.md); `slots` and `genesisRoot` have none (they must match the circuit and genesis). */
export const ROLLUP_DEFAULTS = {
  /** L1 block of height 1's proposal start; 0: the constructor derives it from the deployment block. */
  genesisBlock: 0n,
  /** Proposal phase, L1 blocks: room for every sequencer's propose transaction. */
  proposalBlocks: 3n,
  /** Reveal phase, L1 blocks. */
  revealBlocks: 3n,
  /** Commit phase, L1 blocks (also the length of the next height's seed window). */
  commitBlocks: 3n,
  /** Proving window after the commit phase, L1 blocks: a Groth16 proof on a laptop takes a few blocks. */
  provingWindow: 20n,
  /** Late proving window after it, L1 blocks: a late proof still settles, with a smaller prover share. */
  lateWindow: 10n,
  /** Lowest FEE_SPLIT a proposal may offer, bps (0: no floor). */
  minFeeSplitBps: 0n,
  /** Highest FEE_SPLIT, bps (100 %: no cap). */
  maxFeeSplitBps: BPS,
  /** Highest prover share of the block reward, bps (100 %). */
  maxProverRewardShareBps: BPS,
  /** Prover's share of the reward for a late proof, bps (half). */
  lateProverShareBps: 5_000n,
  /** Part of a missed height's slashed deposit paid to whoever triggers its reorg, bps (5 %). */
  reorgBountyBps: 500n,
  /** Whether FEE_SPLIT boosts the Fernet score (score = VRF x (1 + FEE_SPLIT)). */
  feeSplitScore: true,
  /** Deposit a committed prover backs its block with, wei (slashed on a miss). */
  proverDeposit: 100n * E18,
  /** Reward per proven block from the pool, wei. */
  blockReward: 10n * E18,
  /** Reward to whoever submits the accepted proof, wei. */
  submissionReward: 1n * E18,
  /** Most unfinalized heights the chain may hold (bounds reorg and finalization loops). */
  maxPendingHeights: 32n,
  /** Stake slashed for a VRF claim without a valid proof, wei (half to the challenger, half burnt). */
  vrfClaimSlash: 10n * E18,
  /** L1 blocks before a height's seed window by which stakes and VRF keys must be active (64 on mainnet). */
  keyActivationDelay: 4n,
  /** The prover-coordination design (contracts/coordination): 0 = Sidecar, 1 = Cooperative (docs/cooperative.md). */
  provingDesign: 0n,
  /** K, units of proof work per block (Cooperative; must divide T, at most 32; 1 for Sidecar). */
  units: 1n,
  /** Cooperative: L1 blocks of soft close after a displacement near the close (0: no soft close, sniping allowed). */
  unitSoftCloseBlocks: 5n,
} as const;

/** Staking constructor defaults. */
export const STAKING_DEFAULTS = {
  /** Minimum sequencer stake, wei. */
  minSequencerStake: 1_000n * E18,
  /** Minimum prover stake, wei. */
  minProverStake: 1_000n * E18,
  /** L1 blocks between an exit request and the withdrawal (time to slash a misbehaviour first). */
  exitDelay: 50n,
} as const;

/**
 * ProofAggregator constructor defaults (`AggregatorConfig`, docs/batch-verification.md "Posting"): the aggregation
 * rewards come from the Rollup's pool and are about the fixed and marginal gas of a batch.
 */
export const AGGREGATOR_DEFAULTS = {
  /** Bond per posted proof, wei (lost to a challenger if the proof is invalid). */
  postBond: 10n * E18,
  /** L1 blocks a posted proof waits for a batch (also how long a post holds off a reorg past the late deadline). */
  verifyWindow: 20n,
  /** Aggregation reward per batch, wei. */
  batchReward: 2n * E18,
  /** Aggregation reward per height in a batch, wei. */
  batchRewardPerHeight: E18 / 2n,
} as const;

/** Options of the agents (src/agents) when the caller leaves them out. */
export const AGENT_DEFAULTS = {
  /** L1 head polling period of a sequencer or prover, ms: a fraction of a local 2 s block. */
  pollMs: 100,
  /** L1 head polling period of the aggregator, ms: it acts once per verify window, no need to be quick. */
  aggregatorPollMs: 200,
  /** FEE_SPLIT a sequencer offers, bps (10 %). */
  feeSplitBps: 1_000n,
  /** proverTip a sequencer escrows, wei; also the highest quote price it accepts. */
  proverTip: E18,
  /** Prover's share of the block reward a sequencer offers, bps (20 %). */
  proverRewardShareBps: 2_000n,
  /** How long a sequencer waits for the provers' quotes, ms. */
  quoteTimeoutMs: 3_000,
  /** How long a sequencer waits for a peer's VRF claim before proposing, ms (a missing claim only costs a proposal). */
  peerClaimTimeoutMs: 500,
  /**
   * Heights for which a sequencer ignores the served claims of a peer whose served claim was the best of a height
   * and whose proposal there was then not revealed: one empty height per this many at most, from a
   * sequencer that proposes and withholds (docs/agents.md, "Claims served to peers").
   */
  withholderMemoryHeights: 32,
  /**
   * A sequencer reveals its block with its commit, in the commit phase (one transaction instead of two, about 33k gas
   * less per height): Sidecar's Rollup.revealAndCommitProver, sending the block to the provers it asks for quotes
   * (they check it against the proposal's commitment); Cooperative's Rollup.revealAndCommitUnits. False: reveal in
   * the reveal phase, then commit.
   */
  revealAtCommit: true,
  /**
   * The default proposeThreshold is the score level at which one of the other N - 1 eligible sequencers beats this
   * one with this chance (u = (1 - chance)^(1/(N-1)) of the top score): above it a sequencer proposes at once, below
   * it only late in the proposal phase (proposeSlackBlocks before its last block) if no verified better claim appeared
   * (docs/agents.md).
   */
  proposeBeatenChance: 0.5,
  /**
   * Blocks of the proposal phase a below-threshold proposal leaves after the one it aims at (it aims at the last block
   * minus this): with 0, a proposal one block late is refused and an L1 reorg that drops it leaves no block to make it
   * again, and when every sequencer is below the threshold the height is empty. 1: one block of room, and the claims
   * of the phase's first proposalBlocks - 2 blocks still seen before deciding (docs/agents.md, liveness). Never aimed
   * at the phase's first block: a 2-block phase (the devnet's) keeps the last block.
   */
  proposeSlackBlocks: 1,
  /** Price a prover quotes, wei (half a token: below the default proverTip). */
  proverPrice: 5n * 10n ** 17n,
  /** Proving time a prover promises, L1 blocks (within the default proving window). */
  provingTimeL1Blocks: 8,
  /** Blocks a prover accepts and has not proven yet before it declines (one proof at a time on 2 cores). */
  maxInFlight: 1,
  /**
   * Finished proofs sent together in one `ProofAggregator.submitBatch` (1: each goes alone through
   * `Rollup.submitProof`). Provers hand their finished proofs to the prover of the next height, which sends the batch
   * (decisions/prover.ts batchFlushDecision); a batch goes out when it holds this many, when the oldest proof's
   * deadline is `batchDeadlineMarginBlocks` away, or when the next proof cannot be ready before that. Chosen by
   * measurement on the T=8 devnet (docs/batch-verification.md "Cross-prover batches"): see the table there.
   */
  proofBatchSize: 4,
  /**
   * L1 blocks before the oldest held proof's proving deadline at which a prover sends whatever it holds (a proof
   * sent at or after the deadline is late: paid less, deposit partly slashed). Room for the transaction to land.
   */
  batchDeadlineMarginBlocks: 5,
  /**
   * L1 blocks before its deadline at which an author sends an own proof it handed to a peer, if the height is still
   * unproven (the peer withheld it, crashed or its batch reverted). Below batchDeadlineMarginBlocks, so that an
   * honest sender's batch has landed by then.
   */
  forwardFallbackMarginBlocks: 2,
  /** Posted proofs the aggregator waits for before it verifies a batch (one alone saves nothing over submitProof). */
  aggregatorMinBatch: 2,
  /** Most posted proofs in one batch (bounds the batch transaction's gas). */
  aggregatorMaxBatch: 16,
  /** L1 blocks before the oldest post's verify window ends at which the aggregator verifies whatever it has. */
  aggregatorMarginBlocks: 5,
} as const;

/** The prover marketplace (src/market): quotes, matching, reputation. */
export const MARKET_DEFAULTS = {
  /** L1 blocks a quote stays valid after it is made. */
  quoteValidityL1Blocks: 5,
  /** L1 blocks a quote must still be valid for when matched (the commit must land before it expires). */
  minValidityL1Blocks: 1,
  /** How long requestQuotes waits for each prover, ms (a sequencer passes AGENT_DEFAULTS.quoteTimeoutMs). */
  requestTimeoutMs: 2_000,
  /** Weight of (1 - reputation score) in the price adjustment of the ranking. */
  reputationPenalty: 1,
  /** Reputation priors: deliveries and failures every prover starts with (a newcomer scores 2/3). */
  priorDelivered: 2,
  priorFailed: 1,
} as const;

/** Limits of a sequencer's L2 mempool (src/node/mempool.ts). */
export const MEMPOOL_DEFAULTS = {
  /** Most transactions held. */
  maxSize: 4_096,
  /** How far a transaction's nonce may be ahead of its account's nonce (one sender cannot fill the pool). */
  maxNonceGap: 64,
} as const;

/** Agents run from a config file (src/agents/cli.ts): network.pollMs when the file has none, ms. */
export const CLI_DEFAULTS = {
  /** Slower than an embedded agent: one process per agent, several on one machine. */
  pollMs: 200,
} as const;

/** The local devnet (`npm start`, scripts/devnet.ts; deployDevnet in src/agents/devnet.ts). */
export const DEVNET_DEFAULTS = {
  sequencers: 3,
  provers: 2,
  /** L2 accounts at genesis. */
  accounts: 8,
  /**
   * L1 block time, ms: 1 s, so that the clock (a height every 2 + 2 + 3 blocks at T = 8) lets more than 1 transfer/s
   * through and proving, not the phases, sets the pace (docs/devnet.md, "Sizing").
   */
  blockTimeMs: 1_000,
  /**
   * How long a devnet sequencer waits for its provers' quotes, ms: they answer from the same machine in well under a
   * second, and the commit phase must hold this round (src/network/sizing.ts).
   */
  quoteTimeoutMs: 1_500,
  /**
   * L2 transfers per second of the load generator, in the scenarios' and older devnets' sense; `npm start` without
   * --tx-rate offers DEVNET_SIZING.OFFERED_OVER_CAPACITY x the clock's capacity instead (full blocks).
   */
  txRate: 0.2,
  /**
   * Circuit: T slots per block, tree depth D. The realistic size (issue 12), proven by the native prover; the tests
   * and the scenarios run CI_CIRCUIT.
   */
  T: 8,
  D: 16,
  /**
   * Proofs per ProofAggregator.submitBatch of the devnet's provers (`--batch-size`; agents run alone default to
   * AGENT_DEFAULTS.proofBatchSize, 4). 32 at the devnet, an Aztec epoch's 32 blocks: the proof of a height in a
   * batch of n costs about 121k + 308k / n (issue 13: n = 4 206k, n = 8 163k, n = 16 140k, n = 32 131k), paid for
   * in latency to finality (the first height of a batch waits for the other n - 1: about 165 L1 blocks at T = 8
   * with 1-second blocks, 82 with batches of 16; bench/report.md, "L1 gas per height"). The Rollup's
   * maxPendingHeights follows (`pendingHeightsFor`: 48).
   */
  proofBatchSize: 32,
  /** Wall-clock limit of a run, minutes. */
  timeoutMinutes: 15,
  /**
   * Cooperative (`--design cooperative`): K, units per block (docs/cooperative.md, "Default K"): 2, the fewest
   * that lets two provers prove one block in parallel, because the provers' L1 gas grows with the 3 K paid proofs
   * (each checked on chain) while a unit's proving time only halves.
   */
  cooperativeUnits: 2,
  /** Length of each of the proposal, reveal and commit phases, L1 blocks (= ROLLUP_DEFAULTS'). */
  phaseBlocks: 3,
  /** Tokens the deployer funds the Rollup's reward pool with, wei. */
  rewardPool: 10_000n * E18,
  /** Tokens each agent puts in its balance in the Rollup at setup (tips and deposits are drawn from it). */
  balanceFunding: 5_000n * E18,
  /** Prover i quotes proverPriceBase + i x proverPriceStep wei: different prices give the market something to rank. */
  proverPriceBase: 5n * 10n ** 17n,
  proverPriceStep: 10n ** 17n,
  /** L1 polling of the agents the devnet runs in-process, ms (several agents share 2 cores). */
  agentPollMs: 200,
  /** network.pollMs written into the devnet's agent config file, ms. */
  configPollMs: 100,
} as const;

/** The small circuit of CI: the integration tests, the scenarios (their default) and the test fixtures. */
export const CI_CIRCUIT = { T: 2, D: 8 } as const;

/**
 * How the devnet derives its phase lengths and proving window from a measured proof when they are not given
 * (src/network/sizing.ts has the formulas).
 */
export const DEVNET_SIZING = {
  /** Share of the machine left to the provers: the node, the sequencers and the generator take the rest (x 1.5). */
  LOAD_FACTOR: 1.5,
  /** The proving window holds this many proofs under load. */
  WINDOW_MARGIN: 3,
  /** Shortest derived proving window, L1 blocks. */
  MIN_PROVING_WINDOW: 10,
  /** Shortest phase, L1 blocks: every sequencer's propose or reveal must land inside it. */
  MIN_PHASE_BLOCKS: 2,
  /**
   * Shortest derived proposal phase, L1 blocks: the sequencers' threshold policy (docs/agents.md) has the claims
   * above the threshold land first and the others propose a block before the last (proposeSlackBlocks) only if
   * none of those beats them. The at-once claim is built over the previous height's commit, which often lands in
   * the block before the phase, and under load (T=8 provers on both cores) a round then takes more than a block, so
   * the claim lands in the phase's second block: 4 blocks leave room for that. Issue 13's T=8 runs: 2 and 3 blocks,
   * 2.75-3 proposals per height; 4 blocks, 1.83.
   */
  MIN_PROPOSAL_BLOCKS: 4,
  /**
   * OS niceness of the devnet provers' proving processes: the agents must act within a phase of a few seconds, a
   * proof has a window of many blocks, so proofs yield to the agents and the node. Moderate: at 10 the provers
   * starved behind other work on a shared machine and heights were reorged.
   */
  PROVER_NICENESS: 5,
  /**
   * Heights a devnet prover accepts at once (AGENT_DEFAULTS.maxInFlight is 1): the second waits for the first (one
   * proof at a time per prover). With one, a busy market left sequencers proving their own blocks in parallel, more
   * proofs than cores, all late. The derived window holds 3 proofs under load (WINDOW_MARGIN), so 3. Given to the
   * provers (maxInFlight) and to the sequencers (their own proofs). Until session 13 it reached the sequencers only: the
   * provers kept the agents' default of 1 and declined "busy" while proving, and when both did the sequencer proved its
   * block on their cores (a third proof process on 2) and the batch broke (4-5 heights of 76 at T = 8, about +25k a
   * height).
   */
  PROVER_QUEUE: 3,
  /**
   * Load the devnet's generator offers without --tx-rate, as a multiple of the clock's capacity (T transfers per
   * period): more than the network takes, so that every block is full and the throughput measured is the network's.
   * 3, not 1.5: each account sends to one sequencer and a block holds only its winner's pool, so each of the N pools
   * needs a backlog of T by the time its sequencer wins (measured: 1.5 left the first blocks of a 10-height run at 3-5
   * transfers, 3 fills every block after the first).
   */
  OFFERED_OVER_CAPACITY: 3,
} as const;

/**
 * Where the devnet and the scenarios depart from ROLLUP_DEFAULTS on purpose: a real proof on a loaded laptop
 * (several agents, a 2 s block) needs more than the contract default's 20 L1 blocks.
 */
export const DEVNET_OVERRIDES = {
  /** Proving window, L1 blocks. */
  provingWindow: 30,
} as const;

/** Defaults of a scenario file (src/scenario/schema.ts) for what it leaves out. */
export const SCENARIO_DEFAULTS = {
  seed: 1,
  /** The CI size: scenarios run in the tests (a scenario file sets `circuit` for another size). */
  T: CI_CIRCUIT.T,
  D: CI_CIRCUIT.D,
  phaseBlocks: DEVNET_DEFAULTS.phaseBlocks,
  provingWindow: DEVNET_OVERRIDES.provingWindow,
  lateWindow: Number(ROLLUP_DEFAULTS.lateWindow),
  proverDeposit: ROLLUP_DEFAULTS.proverDeposit,
  blockReward: ROLLUP_DEFAULTS.blockReward,
  submissionReward: ROLLUP_DEFAULTS.submissionReward,
  /** L1 block time, ms (the scenarios keep 2 s blocks and fixed 3-block phases). */
  blockTimeMs: 2_000,
  accounts: DEVNET_DEFAULTS.accounts,
  /** L2 transfers per second: a little more load than the devnet's, so that blocks fill. */
  txRate: 0.3,
  /** Quote price of a prover's belowCost strategy, wei. */
  belowCostPrice: 10n ** 17n,
  proverPriceBase: DEVNET_DEFAULTS.proverPriceBase,
  proverPriceStep: DEVNET_DEFAULTS.proverPriceStep,
  /** Sequencer stake, wei (the Staking minimum). */
  sequencerStake: STAKING_DEFAULTS.minSequencerStake,
  aggregatorMinBatch: AGENT_DEFAULTS.aggregatorMinBatch,
  aggregatorVerifyWindow: Number(AGGREGATOR_DEFAULTS.verifyWindow),
  aggregatorPostBond: AGGREGATOR_DEFAULTS.postBond,
  /** Wall-clock limit of a run, seconds. */
  timeoutSeconds: 900,
} as const;
