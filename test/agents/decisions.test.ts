/**
 * The agents' pure decisions (src/agents/decisions/, src/agents/designs/sidecar.ts): a case per branch, pure inputs
 * -> expected action. No chain, no I/O: they run in milliseconds.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { HeightStatus, Phase, ProposalStatus, blockCommitment, fernetScore, proofHash, type PostedProofInfo, type ProofWords } from "../../src/client/index.js";
import { initL2, signTransfer, transferToJSON } from "../../src/l2/index.js";
import { signProverCommitment, signQuote, type QuoteAnswer, type QuoteRequest, type ReputationView } from "../../src/market/index.js";
import { vrfKeyFromSeed, vrfProve, vrfVerify } from "../../src/vrf/index.js";
import {
  ERC20_TRANSFER_TOPIC, MAX_VRF_OUTPUT, buildProposal, escrowedBy, choresDue, claimVerdict, commitDecision, defaultMiddleThreshold, defaultProposeThreshold, outranks, phaseDecision, proposalTerms, proposeDecision,
  bestServedClaimAbove, servedClaimIgnored, proposeTimingDecision, releaseDecision, reorgDecision, revealDecision, seedDecision, settleDecision, thresholdScore, type CommitView, type ProposeTimingView,
  type RevealView, type RivalProposal, type SequencerRecord, type SettleView,
} from "../../src/agents/decisions/sequencer.js";
import {
  batchFlushDecision, batchMembers, batchRefusal, forwardFallbackDecision, handoverDecision, isLate, submitDecision, submitRefusal, takeHeightDecision, withholdDecision,
  type BatchFlushView, type HandoverView, type SubmitView,
} from "../../src/agents/decisions/prover.js";
import { aggregatorDecisionConfig, batchDecision, isLivePost, splitChecked } from "../../src/agents/decisions/aggregator.js";
import { sidecar, sidecarQuoteRequest } from "../../src/agents/designs/sidecar.js";
import type { BackingView } from "../../src/agents/designs/strategy.js";
import { StatusTracker, canTransition } from "../../src/node/index.js";
import { DOMAIN, makeKeys, makeState } from "../l2/helpers.js";

const ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ME = "0x1000000000000000000000000000000000000001";
const RIVAL = "0x2000000000000000000000000000000000000002";
const OTHER = "0x3000000000000000000000000000000000000003";
const ZERO = "0x0000000000000000000000000000000000000000";

function record(over: Partial<SequencerRecord> = {}): SequencerRecord {
  return {
    height: 5n, parent: 4n, newRoot: 123n, pubdata: "0x00", salt: "0x" + "11".repeat(32), vrfProof: [1n, 2n, 0n, 0n], vrfOutput: 1n << 200n,
    feeSplitBps: 1_000n, proverTip: 10n ** 18n, proverRewardShareBps: 2_000n, txs: [], txIds: ["0x" + "aa".repeat(32)], ...over,
  };
}

describe("agents/decisions", function () {
  describe("sequencer: the phase of the round", function () {
    it("proposes once in the proposal phase of a height it never touched", function () {
      expect(phaseDecision({ height: 5n, phase: Phase.Proposal, persisted: false })).to.deep.equal({ kind: "propose", height: 5n });
      expect(phaseDecision({ height: 5n, phase: Phase.Proposal, persisted: true }).kind).to.equal("wait");
      expect(phaseDecision({ height: 5n, phase: Phase.Proposal, record: record(), persisted: true })).to.deep.include({ reason: "already-proposed" });
    });
    it("waits before the first height and outside its phases", function () {
      expect(phaseDecision({ height: 0n, phase: Phase.Proposal, persisted: false })).to.deep.equal({ kind: "wait", reason: "no-height" });
      expect(phaseDecision({ height: 5n, phase: Phase.Proving, record: record(), persisted: true })).to.deep.include({ reason: "other-phase" });
    });
    it("reveals in the reveal phase and considers committing in the commit phase, only with an open record", function () {
      const r = record();
      expect(phaseDecision({ height: 5n, phase: Phase.Reveal, record: r, persisted: true })).to.deep.equal({ kind: "reveal", record: r });
      expect(phaseDecision({ height: 5n, phase: Phase.Commit, record: r, persisted: true })).to.deep.equal({ kind: "consider-commit", record: r });
      expect(phaseDecision({ height: 5n, phase: Phase.Reveal, persisted: false })).to.deep.include({ reason: "not-proposed" });
      expect(phaseDecision({ height: 5n, phase: Phase.Commit, record: record({ outcome: "won" }), persisted: true })).to.deep.include({ reason: "settled" });
    });
    it("runs its chores (release, reorg) only in the reveal phase, not in its last block (kept for a late reveal)", function () {
      expect(choresDue(Phase.Reveal)).to.deep.equal(["release-lost", "reorg-duty"]);
      expect(choresDue(Phase.Reveal, true)).to.deep.equal([]);
      for (const p of [Phase.Proposal, Phase.Commit, Phase.Proving]) expect(choresDue(p)).to.deep.equal([]);
    });
  });

  describe("sequencer: propose", function () {
    before(async function () {
      await initL2();
    });
    it("waits while the height's randomness is not recorded", function () {
      expect(proposeDecision({ height: 3n, randomness: 0n })).to.deep.equal({ kind: "wait", reason: "no-randomness" });
      expect(proposeDecision({ height: 3n, randomness: 7n })).to.deep.equal({ kind: "propose", height: 3n, randomness: 7n });
    });
    it("builds the block, the VRF proof and the commitment from the tip and the mempool", function () {
      const keys = makeKeys(2);
      const tipState = makeState(keys, [1000n, 0n], 4);
      const tx = signTransfer({ from: 1, to: 2, amount: 10n, fee: 1n, nonce: 0 }, keys[1]!.seed, DOMAIN);
      const bad = signTransfer({ from: 1, to: 2, amount: 10_000n, fee: 1n, nonce: 1 }, keys[1]!.seed, DOMAIN);
      const vrf = vrfKeyFromSeed("seq");
      const salt = "0x" + "22".repeat(32);
      const out = buildProposal({
        me: ME, height: 3n, parent: 2n, tipState, candidates: [tx, bad], T: 2, domain: DOMAIN, vrfSk: vrf.sk, chainId: 31337n, rollup: ROLLUP,
        randomness: 99n, salt, terms: proposalTerms({ feeSplitBps: 500n }),
      });
      expect(out.included).to.deep.equal([tx]);
      expect(out.rejected.map((x) => x.tx)).to.deep.equal([bad]);
      const r = out.record;
      expect(r).to.deep.include({ height: 3n, parent: 2n, salt, feeSplitBps: 500n, proverTip: 10n ** 18n, proverRewardShareBps: 2_000n });
      expect(r.txs).to.deep.equal([transferToJSON(tx)]);
      expect(r.txIds).to.have.length(1);
      expect(vrfVerify(vrf.pk, { chainId: 31337n, verifier: ROLLUP, randomness: 99n, height: 3n }, r.vrfProof)).to.equal(true);
      expect(out.commitment).to.equal(blockCommitment({ proposer: ME, height: 3n, parent: 2n, newRoot: r.newRoot, pubdata: r.pubdata, salt }));
      expect(r.newRoot).to.not.equal(tipState.root);
    });
  });

  describe("sequencer: propose only when it might win", function () {
    // Proposal phase [100, 102): 102 is the reveal start, 101 the last proposal block.
    const high = (MAX_VRF_OUTPUT / 10n) * 9n; // 0.9 of the top
    const low = MAX_VRF_OUTPUT / 4n; // 0.25 of the top
    const view = (over: Partial<ProposeTimingView> = {}): ProposeTimingView => ({
      me: ME, vrfOutput: low, feeSplitBps: 1_000n, feeSplitScore: true, threshold: 0.5, next: 100n, proposalStart: 100n, proposalEnd: 102n, slackBlocks: 0n, ...over,
    });
    const leads = { leads: true, reason: "verified" as const };
    const falseClaim = { leads: false, falseProof: [3n, 4n, 0n, 0n] as [bigint, bigint, bigint, bigint], pk: [1n, 2n, 3n, 4n] as [bigint, bigint, bigint, bigint], reason: "false-claim" as const };

    it("the default threshold: one of the N-1 others beats that score with chance 1/2 (uniform outputs)", function () {
      expect(defaultProposeThreshold(1)).to.equal(0);
      expect(defaultProposeThreshold(2)).to.equal(0.5);
      // Plain number comparisons: the Hardhat chai matchers reinterpret closeTo for bigints (and refuse fractions).
      expect(Math.abs(defaultProposeThreshold(3) - Math.SQRT1_2)).to.be.below(1e-12);
      for (const n of [2, 3, 5, 10]) expect(Math.abs(1 - defaultProposeThreshold(n) ** (n - 1) - 0.5)).to.be.below(1e-12);
      expect(defaultProposeThreshold(3, 0.75)).to.equal(0.5);
      // The score level scales with the fee split's boost like the score itself.
      expect(thresholdScore(0.5, 1_000n, true)).to.equal((MAX_VRF_OUTPUT >> 32n) * 5_500n);
      expect(thresholdScore(0.5, 1_000n, false)).to.equal((MAX_VRF_OUTPUT >> 32n) * 5_000n);
      expect(thresholdScore(0, 1_000n, true)).to.equal(0n);
    });
    it("proposes at once at or above the threshold, whatever was claimed", function () {
      expect(proposeTimingDecision(view({ vrfOutput: high }))).to.deep.equal({ kind: "propose", reason: "above-threshold" });
      expect(proposeTimingDecision(view({ vrfOutput: high, claims: [{ sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT, feeSplitBps: 1_000n, claim: leads }] }))).to.deep.include({ kind: "propose" });
    });
    it("threshold 0 is today's behaviour: everyone proposes at once", function () {
      expect(proposeTimingDecision(view({ vrfOutput: 0n, threshold: 0 }))).to.deep.equal({ kind: "propose", reason: "above-threshold" });
    });
    it("below the threshold with no slack waits for the last block of the phase, then reads the claims", function () {
      expect(proposeTimingDecision(view())).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(proposeTimingDecision(view({ next: 101n }))).to.deep.equal({ kind: "need-proposals" });
      expect(proposeTimingDecision(view({ next: 101n, claims: [] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
    });
    it("in the last block skips only for a verified, eligible, higher claim (checks the higher ones only)", function () {
      const higher = { sequencer: RIVAL, vrfOutput: high, feeSplitBps: 1_000n };
      const lower = { sequencer: OTHER, vrfOutput: 1n << 100n, feeSplitBps: 1_000n };
      const v = view({ next: 101n, claims: [higher, lower] });
      expect(proposeTimingDecision(v)).to.deep.equal({ kind: "need-claims", sequencers: [RIVAL] });
      expect(proposeTimingDecision(view({ next: 101n, claims: [{ ...higher, claim: leads }, lower] }))).to.deep.equal({ kind: "wait", reason: "outranked" });
      // Verified but not eligible (stake or key too late): it cannot lead.
      expect(proposeTimingDecision(view({ next: 101n, claims: [{ ...higher, claim: { leads: false, reason: "verified" } }] }))).to.deep.include({ kind: "propose" });
      // Its own claim in the logs (an earlier attempt) is not a rival.
      expect(proposeTimingDecision(view({ next: 101n, claims: [{ ...higher, sequencer: ME.toUpperCase().replace("0X", "0x") }] }))).to.deep.include({ kind: "propose" });
    });
    it("attack: a false maximal claim (or one without a proof) does not scare it off", function () {
      const fake = { sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT, feeSplitBps: 10_000n };
      expect(proposeTimingDecision(view({ next: 101n, claims: [{ ...fake, claim: falseClaim }] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
      expect(proposeTimingDecision(view({ next: 101n, claims: [{ ...fake, claim: { leads: false, reason: "no-proof-or-key" } }] }))).to.deep.include({ kind: "propose" });
    });
    it("a one-block proposal phase has no block to wait in: the first is the last", function () {
      expect(proposeTimingDecision(view({ next: 101n, proposalStart: 101n, proposalEnd: 102n, claims: [] }))).to.deep.include({ kind: "propose" });
    });
    it("with slack k it aims k blocks before the last one (room to land late or to be made again), never before the phase", function () {
      // Phase [100, 105): the last block is 104; slack 1 aims at 103, slack 2 at 102.
      const phase = (next: bigint, slackBlocks: bigint, over: Partial<ProposeTimingView> = {}) => proposeTimingDecision(view({ next, proposalEnd: 105n, slackBlocks, ...over }));
      for (const next of [100n, 101n, 102n]) expect(phase(next, 1n)).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(phase(103n, 1n)).to.deep.equal({ kind: "need-proposals" });
      expect(phase(103n, 1n, { claims: [] })).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
      expect(phase(101n, 2n)).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(phase(102n, 2n)).to.deep.equal({ kind: "need-proposals" });
      // Still skips for a verified better claim made by then.
      expect(phase(103n, 1n, { claims: [{ sequencer: RIVAL, vrfOutput: high, feeSplitBps: 1_000n, claim: leads }] })).to.deep.equal({ kind: "wait", reason: "outranked" });
      // Never aimed at the first block, where the at-once proposals it waits to see land: the second at the earliest.
      expect(phase(100n, 4n)).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(phase(101n, 9n, { claims: [] })).to.deep.include({ kind: "propose" });
      // A two-block phase keeps the last block (no slack to give); a one-block phase has only its first.
      expect(proposeTimingDecision(view({ next: 100n, slackBlocks: 1n }))).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(proposeTimingDecision(view({ next: 101n, slackBlocks: 1n, claims: [] }))).to.deep.include({ kind: "propose" });
      expect(proposeTimingDecision(view({ next: 101n, proposalStart: 101n, slackBlocks: 1n, claims: [] }))).to.deep.include({ kind: "propose" });
    });
    it("the default middle threshold minimises the expected proposals per height (uniform outputs)", function () {
      expect(defaultMiddleThreshold(1, 0)).to.equal(0);
      expect(defaultMiddleThreshold(3, 0)).to.equal(0);
      const expected = (n: number, u: number, m: number) => n * (1 - u) + n * (u - m) * u ** (n - 1) + n * m ** n;
      for (const n of [2, 3, 5, 10]) {
        const u = defaultProposeThreshold(n);
        const m = defaultMiddleThreshold(n, u);
        expect(m).to.be.above(0);
        expect(m).to.be.below(u);
        // A minimum: every other middle level makes more proposals; with none (m = u) it is the one-tier count.
        for (const other of [0, m * 0.8, m * 1.2, u]) expect(expected(n, u, other)).to.be.above(expected(n, u, m) - 1e-12);
      }
      expect(Math.abs(expected(3, Math.SQRT1_2, defaultMiddleThreshold(3, Math.SQRT1_2)) - 1.5311)).to.be.below(1e-3);
      expect(Math.abs(expected(3, Math.SQRT1_2, Math.SQRT1_2) - 1.9393)).to.be.below(1e-3);
    });
    it("a middle-tier score aims at the phase's second block, where the lowest scores still see its claim", function () {
      // Phase [100, 104): last block 103, slack 1 -> the late tier aims at 102; the middle tier at 101.
      const mid = (MAX_VRF_OUTPUT / 10n) * 4n; // 0.4 of the top
      const v = (over: Partial<ProposeTimingView> = {}) => view({ threshold: 0.7, middleThreshold: 0.3, proposalEnd: 104n, slackBlocks: 1n, ...over });
      expect(proposeTimingDecision(v({ vrfOutput: mid, next: 100n }))).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(proposeTimingDecision(v({ vrfOutput: mid, next: 101n }))).to.deep.equal({ kind: "need-proposals" });
      expect(proposeTimingDecision(v({ vrfOutput: mid, next: 101n, claims: [] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim-middle" });
      // Outranked by a verified claim that landed in the first block: it does not propose.
      expect(proposeTimingDecision(v({ vrfOutput: mid, next: 101n, claims: [{ sequencer: RIVAL, vrfOutput: high, feeSplitBps: 1_000n, claim: leads }] }))).to.deep.equal({ kind: "wait", reason: "outranked" });
      // Below the middle threshold: still the late block, and a middle-tier claim that landed by then keeps it out.
      expect(proposeTimingDecision(v({ vrfOutput: low, next: 101n }))).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(proposeTimingDecision(v({ vrfOutput: low, next: 102n, claims: [{ sequencer: RIVAL, vrfOutput: mid, feeSplitBps: 1_000n, claim: leads }] }))).to.deep.equal({ kind: "wait", reason: "outranked" });
      expect(proposeTimingDecision(v({ vrfOutput: low, next: 102n, claims: [] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
      // A phase too short for a distinct second block (3 blocks, slack 1: the late block is the second): one late tier.
      expect(proposeTimingDecision(v({ vrfOutput: mid, proposalEnd: 103n, next: 101n, claims: [] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
      // Attack: a false maximal claim in the first block does not keep a middle-tier score out.
      expect(proposeTimingDecision(v({ vrfOutput: mid, next: 101n, claims: [{ sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT, feeSplitBps: 10_000n, claim: falseClaim }] }))).to.deep.include({ kind: "propose" });
    });
    it("after an L1 reorg dropped its proposal it proposes again at once, unless a verified better claim is on L1 now", function () {
      const redo = (over: Partial<ProposeTimingView> = {}) => proposeTimingDecision(view({ next: 100n, proposalEnd: 105n, slackBlocks: 1n, redo: true, ...over }));
      // Well before the aimed block (103): no waiting.
      expect(redo()).to.deep.equal({ kind: "need-proposals" });
      expect(redo({ claims: [] })).to.deep.equal({ kind: "propose", reason: "redo-after-l1-reorg" });
      // Past the aimed block too (the reorg came late): as long as the phase lasts.
      expect(redo({ next: 104n, claims: [] })).to.deep.equal({ kind: "propose", reason: "redo-after-l1-reorg" });
      const higher = { sequencer: RIVAL, vrfOutput: high, feeSplitBps: 1_000n };
      expect(redo({ claims: [{ ...higher, claim: leads }] })).to.deep.equal({ kind: "wait", reason: "outranked" });
      // Attack: a false maximal claim posted after the reorg does not keep it from proposing again.
      expect(redo({ claims: [{ ...higher, vrfOutput: MAX_VRF_OUTPUT, claim: falseClaim }] })).to.deep.equal({ kind: "propose", reason: "redo-after-l1-reorg" });
      // Above the threshold nothing changes: at once.
      expect(redo({ vrfOutput: high })).to.deep.equal({ kind: "propose", reason: "above-threshold" });
    });
    it("claims served by peers: the best of a complete set proposes at once, whatever its score", function () {
      const lower = { sequencer: RIVAL, vrfOutput: 1n << 100n, feeSplitBps: 1_000n, claim: leads };
      expect(proposeTimingDecision(view({ peerClaims: [lower], peersComplete: true }))).to.deep.equal({ kind: "propose", reason: "best-known-claim" });
      // Not every eligible sequencer answered: the threshold decides as before (it waits below it).
      expect(proposeTimingDecision(view({ peerClaims: [lower], peersComplete: false }))).to.deep.equal({ kind: "wait", reason: "below-threshold" });
      expect(proposeTimingDecision(view({ vrfOutput: high, peerClaims: [lower], peersComplete: false }))).to.deep.equal({ kind: "propose", reason: "above-threshold" });
    });
    it("claims served by peers: outranked by a verified one, even above the threshold it waits for the late block and proposes only if that claim never reached L1", function () {
      const best = { sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT - 1n, feeSplitBps: 1_000n, claim: leads };
      const v = (over: Partial<ProposeTimingView> = {}) => view({ vrfOutput: high, proposalEnd: 104n, slackBlocks: 1n, threshold: 0.7, middleThreshold: 0.3, peerClaims: [best], peersComplete: true, ...over });
      expect(proposeTimingDecision(v({ next: 100n }))).to.deep.equal({ kind: "wait", reason: "outranked-off-chain" });
      // Not in the middle tier, nor the late tier's block (102): the phase's last block (103), so that the better
      // claim, sent in the first block, has every block but one to land in.
      expect(proposeTimingDecision(v({ next: 101n }))).to.deep.equal({ kind: "wait", reason: "outranked-off-chain" });
      expect(proposeTimingDecision(v({ next: 102n }))).to.deep.equal({ kind: "wait", reason: "outranked-off-chain" });
      expect(proposeTimingDecision(v({ next: 103n }))).to.deep.equal({ kind: "need-proposals" });
      // The peer proposed: nothing to do. It withheld: this one proposes (liveness).
      expect(proposeTimingDecision(v({ next: 103n, claims: [best] }))).to.deep.equal({ kind: "wait", reason: "outranked" });
      expect(proposeTimingDecision(v({ next: 103n, claims: [] }))).to.deep.equal({ kind: "propose", reason: "no-better-claim" });
      // A one-block phase has no block to wait for: it reads L1 at once.
      expect(proposeTimingDecision(v({ next: 100n, proposalEnd: 101n }))).to.deep.equal({ kind: "need-proposals" });
    });
    it("attack: a peer's false or ineligible better claim, or one with no verdict, changes nothing", function () {
      const fake = { sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT, feeSplitBps: 10_000n };
      for (const claim of [falseClaim, { leads: false, reason: "verified" as const }, { leads: false, reason: "no-proof-or-key" as const }, undefined]) {
        expect(proposeTimingDecision(view({ vrfOutput: high, peerClaims: [{ ...fake, claim }] }))).to.deep.equal({ kind: "propose", reason: "above-threshold" });
      }
      // A peer's claim is never counted as this sequencer's own rival when it carries our address.
      expect(proposeTimingDecision(view({ peerClaims: [{ ...fake, sequencer: ME, claim: leads }], peersComplete: true }))).to.deep.equal({ kind: "propose", reason: "best-known-claim" });
    });
    it("attack: a peer that serves the best claim and withholds is named once, then not waited for (bounded empty heights)", function () {
      const best = { sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT - 1n, feeSplitBps: 1_000n, claim: leads };
      const second = { sequencer: OTHER, vrfOutput: high, feeSplitBps: 1_000n, claim: leads };
      const mine = { sequencer: ME, vrfOutput: low, feeSplitBps: 1_000n };
      // The claim everyone waited for: the best verified one above ours; none when ours was the best.
      expect(bestServedClaimAbove([second, best], mine, true)).to.equal(best);
      expect(bestServedClaimAbove([second, best], undefined, true)).to.equal(best);
      expect(bestServedClaimAbove([second], { ...mine, vrfOutput: MAX_VRF_OUTPUT }, true)).to.equal(undefined);
      // A false or ineligible claim was not waited for: it names nobody.
      expect(bestServedClaimAbove([{ ...best, claim: falseClaim }, { ...best, sequencer: OTHER, claim: { leads: false, reason: "verified" as const } }], mine, true)).to.equal(undefined);
      // Named at height 10: ignored from 11 for 32 heights, then waited for again.
      expect([10n, 11n, 42n, 43n].map((h) => servedClaimIgnored(10n, h, 32))).to.deep.equal([false, true, true, false]);
      expect(servedClaimIgnored(undefined, 11n, 32)).to.equal(false);
    });
    it("claims served by peers are ignored after an L1 reorg dropped our proposal (L1 decides)", function () {
      const best = { sequencer: RIVAL, vrfOutput: MAX_VRF_OUTPUT - 1n, feeSplitBps: 1_000n, claim: leads };
      expect(proposeTimingDecision(view({ redo: true, proposalEnd: 105n, slackBlocks: 1n, peerClaims: [best], peersComplete: true, claims: [] }))).to.deep.equal({ kind: "propose", reason: "redo-after-l1-reorg" });
    });
  });

  describe("sequencer: reveal only when it might lead", function () {
    const r = record();
    // Reveal phase [100, 102): 102 is the commit start, 101 the last reveal block.
    const base = (over: Partial<RevealView> = {}): RevealView => ({
      me: ME, record: r, status: ProposalStatus.Proposed, tip: 4n, withholdReveal: false, next: 100n, revealEnd: 102n, feeSplitScore: true, rivals: [], ...over,
    });
    const better = (over: Partial<RivalProposal> = {}): RivalProposal => ({ sequencer: RIVAL, status: ProposalStatus.Proposed, vrfOutput: 1n << 210n, feeSplitBps: 1_000n, ...over });
    const leads = { leads: true, reason: "verified" as const };
    const falseClaim = { leads: false, falseProof: [3n, 4n, 0n, 0n] as [bigint, bigint, bigint, bigint], pk: [1n, 2n, 3n, 4n] as [bigint, bigint, bigint, bigint], reason: "false-claim" as const };

    it("reveals a proposed block whose parent is the tip at once when no claim outranks it", function () {
      expect(revealDecision(base())).to.deep.equal({ kind: "reveal", record: r, reason: "best", challenge: [] });
      expect(revealDecision(base({ rivals: [better({ vrfOutput: 1n << 190n })] }))).to.deep.include({ kind: "reveal", reason: "best" });
    });
    it("reads the rivals only once its own proposal could be revealed", function () {
      expect(revealDecision(base({ rivals: undefined }))).to.deep.equal({ kind: "need-rivals" });
    });
    it("does not reveal what is not (or no longer) proposed", function () {
      expect(revealDecision(base({ status: ProposalStatus.Revealed }))).to.deep.include({ reason: "not-proposed" });
      expect(revealDecision(base({ status: ProposalStatus.None }))).to.deep.include({ reason: "not-proposed" });
    });
    it("withholds under fault injection", function () {
      expect(revealDecision(base({ withholdReveal: true }))).to.deep.include({ reason: "fault-injection" });
    });
    it("waits when a reorg took its parent away", function () {
      expect(revealDecision(base({ tip: 3n }))).to.deep.include({ reason: "parent-not-tip" });
    });
    it("checks the claims of better-ranked rivals only; settled (voided, released) ones do not count", function () {
      const rivals = [better(), better({ sequencer: OTHER, vrfOutput: 1n << 150n }), better({ sequencer: ME })];
      expect(revealDecision(base({ rivals }))).to.deep.equal({ kind: "need-claims", sequencers: [RIVAL] });
      expect(revealDecision(base({ rivals: [better({ status: ProposalStatus.Settled })] }))).to.deep.include({ kind: "reveal", reason: "best" });
    });
    it("outranked by a verified claim: waits for the last block of the phase", function () {
      expect(revealDecision(base({ rivals: [better({ claim: leads })] }))).to.deep.equal({ kind: "wait", reason: "better-may-reveal", challenge: [] });
    });
    it("in the last block reveals only if no better claimant revealed", function () {
      expect(revealDecision(base({ next: 101n, rivals: [better({ claim: leads, status: ProposalStatus.Revealed })] }))).to.deep.equal({ kind: "wait", reason: "outranked", challenge: [] });
      // Attack: a better claimant withholds its reveal: the height does not stay empty.
      expect(revealDecision(base({ next: 101n, rivals: [better({ claim: leads })] }))).to.deep.equal({ kind: "reveal", record: r, reason: "better-did-not-reveal", challenge: [] });
      // One of two better ones revealed: that one may lead.
      const two = [better({ claim: leads }), better({ sequencer: OTHER, vrfOutput: 1n << 220n, claim: leads, status: ProposalStatus.Revealed })];
      expect(revealDecision(base({ next: 101n, rivals: two }))).to.deep.include({ kind: "wait", reason: "outranked" });
    });
    it("revealing with the commit (revealAndCommitProver): sends nothing in the reveal phase, still challenges false better claims", function () {
      expect(revealDecision(base({ revealAtCommit: true }))).to.deep.equal({ kind: "wait", reason: "reveal-at-commit", challenge: [] });
      expect(revealDecision(base({ revealAtCommit: true, next: 101n, rivals: [better({ claim: leads })] }))).to.deep.equal({ kind: "wait", reason: "reveal-at-commit", challenge: [] });
      expect(revealDecision(base({ revealAtCommit: true, rivals: [better({ claim: falseClaim })] }))).to.deep.equal({ kind: "wait", reason: "reveal-at-commit", challenge: [RIVAL] });
      // The checks before it stand: the claims are read first, and fault injection or a lost parent say so.
      expect(revealDecision(base({ revealAtCommit: true, rivals: [better()] }))).to.deep.equal({ kind: "need-claims", sequencers: [RIVAL] });
      expect(revealDecision(base({ revealAtCommit: true, withholdReveal: true }))).to.deep.include({ reason: "fault-injection" });
    });
    it("attack: reveals past a false better claim at once, and challenges it", function () {
      expect(revealDecision(base({ rivals: [better({ claim: falseClaim })] }))).to.deep.equal({ kind: "reveal", record: r, reason: "best", challenge: [RIVAL] });
      // A false claim next to a real better one: wait, and challenge the false one meanwhile.
      const rivals = [better({ claim: falseClaim }), better({ sequencer: OTHER, claim: leads })];
      expect(revealDecision(base({ rivals }))).to.deep.equal({ kind: "wait", reason: "better-may-reveal", challenge: [RIVAL] });
    });
  });

  describe("sequencer: ranking and VRF claims", function () {
    it("outranks by score, then output, then lower address", function () {
      const a = { sequencer: RIVAL, vrfOutput: 1n << 100n, feeSplitBps: 1_000n };
      expect(outranks({ ...a, feeSplitBps: 2_000n }, a, true)).to.equal(true);
      expect(outranks({ ...a, feeSplitBps: 2_000n }, a, false)).to.equal(false); // same score without the boost; same output; same address
      expect(outranks({ ...a, vrfOutput: a.vrfOutput + (1n << 32n) }, a, false)).to.equal(true);
      // Equal score (the low 32 bits are dropped), higher output wins.
      expect(fernetScore(a.vrfOutput + 1n, 1_000n)).to.equal(fernetScore(a.vrfOutput, 1_000n));
      expect(outranks({ ...a, vrfOutput: a.vrfOutput + 1n }, a, true)).to.equal(true);
      expect(outranks({ ...a, sequencer: ME }, a, true)).to.equal(true);
      expect(outranks(a, { ...a, sequencer: ME }, true)).to.equal(false);
    });

    const key = vrfKeyFromSeed("rival");
    const ctx = { height: 5n, chainId: 31337n, rollup: ROLLUP };
    const good = vrfProve(key.sk, { chainId: 31337n, verifier: ROLLUP, randomness: 42n, height: 5n });
    it("defers to a claim whose logged proof verifies, if its stake and key were active in time", function () {
      expect(claimVerdict({ ...ctx, claimed: good.output, eligible: true, loggedProof: good.proof, pk: key.pk, randomness: 42n })).to.deep.equal({ leads: true, reason: "verified" });
      expect(claimVerdict({ ...ctx, claimed: good.output, eligible: false, loggedProof: good.proof, pk: key.pk, randomness: 42n })).to.deep.equal({ leads: false, reason: "verified" });
    });
    it("ignores a claim without a logged proof or key", function () {
      expect(claimVerdict({ ...ctx, claimed: good.output, eligible: true, pk: key.pk, randomness: 42n })).to.deep.equal({ leads: false, reason: "no-proof-or-key" });
      expect(claimVerdict({ ...ctx, claimed: good.output, eligible: true, loggedProof: good.proof })).to.deep.equal({ leads: false, reason: "no-proof-or-key" });
    });
    it("keeps a proof that gives the claimed output but does not verify, to challenge it", function () {
      // Signed over another randomness: the output is the proof's hash, so the claim matches it, but it does not verify.
      const wrong = vrfProve(key.sk, { chainId: 31337n, verifier: ROLLUP, randomness: 43n, height: 5n });
      const v = claimVerdict({ ...ctx, claimed: wrong.output, eligible: true, loggedProof: wrong.proof, pk: key.pk, randomness: 42n });
      expect(v).to.deep.equal({ leads: false, falseProof: wrong.proof, pk: key.pk, reason: "false-claim" });
    });
    it("does not challenge a claim that is not the logged proof's output (nothing to prove wrong)", function () {
      const v = claimVerdict({ ...ctx, claimed: good.output + 1n, eligible: true, loggedProof: good.proof, pk: key.pk, randomness: 42n });
      expect(v).to.deep.include({ leads: false, reason: "false-claim", falseProof: undefined });
    });
  });

  describe("sequencer: commit", function () {
    const mine = record({ vrfOutput: 1n << 200n });
    const base = (over: Partial<CommitView> = {}): CommitView => ({
      me: ME, record: mine, status: ProposalStatus.Revealed, tip: 4n, next: 100n, commitEnd: 105n, feeSplitScore: true, rivals: [], ...over,
    });
    const better = (over: Partial<RivalProposal> = {}): RivalProposal => ({ sequencer: RIVAL, status: ProposalStatus.Revealed, vrfOutput: 1n << 210n, feeSplitBps: 1_000n, ...over });
    const leads = { leads: true, reason: "verified" as const };
    const falseClaim = { leads: false, falseProof: [3n, 4n, 0n, 0n] as [bigint, bigint, bigint, bigint], pk: [1n, 2n, 3n, 4n] as [bigint, bigint, bigint, bigint], reason: "false-claim" as const };

    it("commits at once as the best revealed proposal", function () {
      expect(commitDecision(base())).to.deep.equal({ kind: "commit", reason: "best", challenge: [], reveal: false });
      // Worse rivals and settled ones (voided, released) do not count.
      const rivals = [better({ vrfOutput: 1n << 190n }), better({ sequencer: OTHER, status: ProposalStatus.Settled })];
      expect(commitDecision(base({ rivals }))).to.deep.equal({ kind: "commit", reason: "best", challenge: [], reveal: false });
    });
    it("a better proposal not revealed yet counts where the design lets it reveal with its commit (Sidecar), not elsewhere", function () {
      const may = { rivalsMayRevealAtCommit: true };
      expect(commitDecision(base({ ...may, rivals: [better({ status: ProposalStatus.Proposed })] }))).to.deep.equal({ kind: "need-claims", sequencers: [RIVAL] });
      expect(commitDecision(base({ ...may, rivals: [better({ status: ProposalStatus.Proposed, claim: leads })] }))).to.deep.equal({ kind: "wait", reason: "better-may-commit", challenge: [] });
      // Cooperative (commitUnits needs a reveal first): an unrevealed rival can no longer take the height.
      expect(commitDecision(base({ rivals: [better({ status: ProposalStatus.Proposed, claim: leads })] }))).to.deep.equal({ kind: "commit", reason: "best", challenge: [], reveal: false });
    });
    it("revealing with the commit: an unrevealed proposal commits (reveal: true) by the same ranking; without that option it waits", function () {
      const proposed = { status: ProposalStatus.Proposed, revealAtCommit: true, rivalsMayRevealAtCommit: true };
      expect(commitDecision(base(proposed))).to.deep.equal({ kind: "commit", reason: "best", challenge: [], reveal: true });
      expect(commitDecision(base({ status: ProposalStatus.Proposed }))).to.deep.include({ kind: "wait", reason: "not-revealed" });
      expect(commitDecision(base({ ...proposed, tip: 5n }))).to.deep.include({ kind: "wait", reason: "parent-not-tip" });
      expect(commitDecision(base({ ...proposed, rivals: [better({ claim: leads })] }))).to.deep.include({ kind: "wait", reason: "better-may-commit" });
      // Attack: a better claimant withholds its block (neither reveals nor commits): the last block's fallback reveals and commits.
      const v = base({ ...proposed, next: 104n, rivals: [better({ status: ProposalStatus.Proposed, claim: leads })] });
      expect(commitDecision({ ...v, winner: null })).to.deep.equal({ kind: "commit", reason: "better-did-not-commit", challenge: [], reveal: true });
      // Revealed already (in the reveal phase): commitProver alone.
      expect(commitDecision(base({ revealAtCommit: true }))).to.deep.include({ kind: "commit", reveal: false });
    });
    it("waits unless its own proposal is revealed and its parent is the tip", function () {
      expect(commitDecision(base({ status: ProposalStatus.Committed }))).to.deep.include({ kind: "wait", reason: "not-revealed" });
      expect(commitDecision(base({ tip: 5n }))).to.deep.include({ kind: "wait", reason: "parent-not-tip" });
    });
    it("asks for the claim checks of better-ranked rivals only", function () {
      const rivals = [better(), better({ sequencer: OTHER, vrfOutput: 1n << 150n }), better({ sequencer: ME })];
      expect(commitDecision(base({ rivals }))).to.deep.equal({ kind: "need-claims", sequencers: [RIVAL] });
    });
    it("waits for a better proposal that can lead until the last block of the phase", function () {
      expect(commitDecision(base({ rivals: [better({ claim: leads })] }))).to.deep.equal({ kind: "wait", reason: "better-may-commit", challenge: [] });
    });
    it("in the last block asks for the winner, and commits if the better ones did not commit", function () {
      const v = base({ next: 104n, rivals: [better({ claim: leads })] });
      expect(commitDecision(v)).to.deep.equal({ kind: "need-winner" });
      expect(commitDecision({ ...v, winner: null })).to.deep.equal({ kind: "commit", reason: "better-did-not-commit", challenge: [], reveal: false });
      expect(commitDecision({ ...v, winner: { sequencer: OTHER, vrfOutput: 1n << 100n, feeSplitBps: 0n } })).to.deep.include({ kind: "commit", reason: "better-did-not-commit" });
      expect(commitDecision({ ...v, winner: { sequencer: RIVAL, vrfOutput: 1n << 210n, feeSplitBps: 1_000n } })).to.deep.equal({ kind: "wait", reason: "outranked", challenge: [] });
    });
    it("commits past a false claim and challenges it", function () {
      expect(commitDecision(base({ rivals: [better({ claim: falseClaim })] }))).to.deep.equal({ kind: "commit", reason: "best", challenge: [RIVAL], reveal: false });
      // A false claim next to a real better one: wait, and challenge the false one meanwhile.
      const rivals = [better({ claim: falseClaim }), better({ sequencer: OTHER, claim: leads })];
      expect(commitDecision(base({ rivals }))).to.deep.equal({ kind: "wait", reason: "better-may-commit", challenge: [RIVAL] });
    });
  });

  describe("sequencer: settle", function () {
    const timeline = { revealStart: 10n, commitEnd: 20n };
    const view = (over: Partial<SettleView> = {}): SettleView => ({ me: ME, record: record(), next: 15n, timeline, status: ProposalStatus.Revealed, ...over });

    it("tracks its transactions up the ladder during the height's phases", function () {
      expect(settleDecision(view({ status: ProposalStatus.Proposed }))).to.deep.equal({ kind: "track", marks: ["in_proposed_block"] });
      expect(settleDecision(view())).to.deep.equal({ kind: "track", marks: ["in_proposed_block", "revealed"] });
      expect(settleDecision(view({ status: ProposalStatus.None, next: 9n }))).to.deep.equal({ kind: "track", marks: [] });
    });
    it("abandons a proposal that never landed once the reveal phase started", function () {
      expect(settleDecision(view({ status: ProposalStatus.None, next: 10n }))).to.deep.equal({ kind: "abandon" });
    });
    it("asks for the height once the commit phase is over", function () {
      expect(settleDecision(view({ next: 20n }))).to.deep.equal({ kind: "need-height" });
    });
    it("explains a lost height and whether escrow is left to release", function () {
      const after = (status: ProposalStatus, winner: string, over: Partial<SettleView> = {}) =>
        settleDecision(view({ next: 20n, status, height: { winner, status: winner === ZERO ? HeightStatus.None : HeightStatus.Pending, late: false }, proposeEscrow: 10n ** 18n, ...over }));
      const proposed = ["in_proposed_block"];
      const revealed = ["in_proposed_block", "revealed"];
      expect(after(ProposalStatus.Proposed, ZERO)).to.deep.equal({ kind: "lost", why: "not revealed", released: false, marks: proposed });
      // Revealing with the commit, an outranked proposal stays unrevealed: it lost to the winner.
      expect(after(ProposalStatus.Proposed, RIVAL)).to.deep.equal({ kind: "lost", why: `outranked by ${RIVAL}`, released: false, marks: proposed });
      expect(after(ProposalStatus.Revealed, RIVAL)).to.deep.equal({ kind: "lost", why: `outranked by ${RIVAL}`, released: false, marks: revealed });
      expect(after(ProposalStatus.Revealed, ZERO)).to.deep.equal({ kind: "lost", why: "not committed", released: false, marks: revealed });
      expect(after(ProposalStatus.Committed, RIVAL)).to.deep.equal({ kind: "lost", why: `outranked by ${RIVAL}`, released: false, marks: revealed });
      expect(after(ProposalStatus.None, ZERO)).to.deep.equal({ kind: "lost", why: "height skipped", released: true, marks: [] });
      // Voided or released before we know of a reveal: proposed only.
      expect(after(ProposalStatus.Settled, RIVAL)).to.deep.include({ marks: proposed });
      expect(after(ProposalStatus.Settled, RIVAL)).to.deep.include({ released: true });
      expect(after(ProposalStatus.Revealed, RIVAL, { record: record({ released: true }) })).to.deep.include({ released: true });
    });
    it("a lost proposal's transactions climb to where L1 says it got before they are reorged, when the tracker lags (a crash before the save)", function () {
      // The node was saved before `propose` was sent (the record is written first, the tracker at the round's end):
      // restarted, the tracker has the transfer in the pool while L1 has the proposal, unrevealed and lost.
      const id = "0x" + "aa".repeat(32);
      const tracker = new StatusTracker();
      tracker.track(id, { l1Block: 40, timestamp: 1 });
      const a = settleDecision(view({ next: 20n, status: ProposalStatus.Proposed, height: { winner: RIVAL, status: HeightStatus.Pending, late: false }, proposeEscrow: 0n }));
      if (a.kind !== "lost") throw new Error(`expected lost, got ${a.kind}`);
      // Straight from the pool, `reorged` is refused: the lost block would leave no trace in the history.
      expect(canTransition("in_mempool", "reorged")).to.equal(false);
      const at = { l1Block: 60, timestamp: 2 };
      for (const to of a.marks) tracker.transition(id, to, at, { height: 5 });
      tracker.transition(id, "reorged", at, { reason: `height 5 ${a.why}` });
      tracker.track(id, at);
      const h = tracker.get(id)!.history;
      expect(h.map((s) => s.status)).to.deep.equal(["in_mempool", "in_proposed_block", "reorged", "in_mempool"]);
      expect(h[1]!.height).to.equal(5);
      expect(h[2]!.reason).to.equal(`height 5 outranked by ${RIVAL}`); // unrevealed, and the height went to the rival
    });
    it("releases only what was escrowed: a commit always, a proposal that never committed only if its propose moved tokens", function () {
      const lost = (status: ProposalStatus, proposeEscrow?: bigint) =>
        settleDecision(view({ next: 20n, status, height: { winner: RIVAL, status: HeightStatus.Pending, late: false }, proposeEscrow }));
      // Not committed: what `propose` escrowed decides, read (from its transaction) only then.
      for (const s of [ProposalStatus.Proposed, ProposalStatus.Revealed]) {
        expect(lost(s)).to.deep.equal({ kind: "need-propose-escrow" });
        expect(lost(s, 10n ** 18n)).to.deep.include({ kind: "lost", released: false }); // today's contracts: the tip is escrowed at propose
        expect(lost(s, 0n)).to.deep.include({ kind: "lost", released: true }); // tip escrowed at the commit (or none offered): nothing to release
      }
      // Committed and lost: the commit escrowed (deposit, and the tip once it moves there), whatever propose did.
      expect(lost(ProposalStatus.Committed)).to.deep.include({ kind: "lost", released: false });
      expect(lost(ProposalStatus.Committed, 0n)).to.deep.include({ kind: "lost", released: false });
      // Already released: no read.
      expect(settleDecision(view({ next: 20n, status: ProposalStatus.Proposed, record: record({ released: true }), height: { winner: RIVAL, status: HeightStatus.Pending, late: false } }))).to.deep.include({ released: true });
      // And releaseDecision follows: nothing escrowed, no release transaction.
      expect(releaseDecision(record({ outcome: "lost", released: true }))).to.deep.equal({ kind: "wait" });
    });
    it("reads what propose escrowed from the token transfers of its transaction, not from its event", function () {
      const TOKEN = "0x9A676e781A523b5d0C0e43731313A708CB607508";
      const topic = (a: string) => "0x" + a.slice(2).toLowerCase().padStart(64, "0");
      const transfer = (from: string, to: string, amount: bigint, token = TOKEN) => ({ address: token, topics: [ERC20_TRANSFER_TOPIC, topic(from), topic(to)], data: "0x" + amount.toString(16).padStart(64, "0") });
      const proposed = { address: ROLLUP, topics: ["0x" + "ab".repeat(32), topic(ME)], data: "0x" }; // the Proposed log itself: not a transfer
      // Contracts that escrow the tip at propose: the tip moved from the sequencer to the Rollup.
      expect(escrowedBy([proposed, transfer(ME, ROLLUP, 10n ** 18n)], TOKEN.toLowerCase(), ME, ROLLUP)).to.equal(10n ** 18n);
      // Tip escrowed at the commit: nothing moved (whatever tip the Proposed log offers).
      expect(escrowedBy([proposed], TOKEN, ME, ROLLUP)).to.equal(0n);
      // Transfers of another token, from someone else, or to someone else do not count.
      expect(escrowedBy([transfer(ME, ROLLUP, 5n, ROLLUP), transfer(RIVAL, ROLLUP, 5n), transfer(ME, RIVAL, 5n)], TOKEN, ME, ROLLUP)).to.equal(0n);
    });
    it("follows a won height to proven, finalized (late or not) or reorged", function () {
      const won = (status: HeightStatus, over: Partial<SettleView> = {}, late = false) =>
        settleDecision(view({ next: 20n, status: ProposalStatus.Committed, height: { winner: ME.toUpperCase().replace("0X", "0x"), status, late }, ...over }));
      expect(won(HeightStatus.Pending)).to.deep.equal({ kind: "won", newlyWon: true, marks: [], end: undefined, late: false });
      expect(won(HeightStatus.Pending, { record: record({ outcome: "won" }) })).to.deep.include({ newlyWon: false });
      expect(won(HeightStatus.Proven)).to.deep.include({ marks: ["verified_on_l1"], end: undefined });
      expect(won(HeightStatus.Finalized, {}, true)).to.deep.include({ marks: ["verified_on_l1", "finalized"], end: "finalized", late: true });
      expect(won(HeightStatus.Reorged)).to.deep.include({ marks: [], end: "reorged" });
    });
    it("releases a lost height's escrow once", function () {
      expect(releaseDecision(record({ outcome: "lost" }))).to.deep.equal({ kind: "release", height: 5n });
      expect(releaseDecision(record({ outcome: "lost", released: true }))).to.deep.equal({ kind: "wait" });
      expect(releaseDecision(record({ outcome: "finalized" }))).to.deep.equal({ kind: "wait" });
    });
  });

  describe("sequencer: randomness and reorgs", function () {
    // Heights start at 100, 110, 120...: 4 proposal + 3 reveal + 3 commit blocks; height h's seed window is the 3
    // blocks before its start.
    const timing = { genesisBlock: 100n, proposalBlocks: 4n, revealBlocks: 3n, commitBlocks: 3n };
    it("records height 1's seed anywhere in its window", function () {
      expect(seedDecision(96n, timing)).to.deep.include({ kind: "wait", reason: "outside-window" });
      for (const n of [97n, 98n, 99n]) expect(seedDecision(n, timing)).to.deep.equal({ kind: "record-randomness", height: 1n });
      expect(seedDecision(100n, timing)).to.deep.include({ reason: "outside-window" });
    });
    it("lets a commit of the height before record a later seed in the window's first block", function () {
      expect(seedDecision(107n, timing)).to.deep.equal({ kind: "wait", reason: "commit-may-record" });
      expect(seedDecision(108n, timing)).to.deep.equal({ kind: "need-reveals", height: 1n });
      expect(seedDecision(108n, timing, false)).to.deep.equal({ kind: "record-randomness", height: 2n });
      expect(seedDecision(105n, timing)).to.deep.include({ reason: "outside-window" });
      // With a one-block window (heights at 100, 108...) there is no block to wait in.
      expect(seedDecision(107n, { ...timing, commitBlocks: 1n })).to.deep.equal({ kind: "record-randomness", height: 2n });
    });
    it("leaves the seed to the commit of the height before while one of its proposals is revealed, but for the window's last block", function () {
      // Window of height 2: [107, 110). Someone revealed at height 1: its commit (at once, or the fallback's in the
      // last block) records the seed.
      expect(seedDecision(108n, timing, true)).to.deep.equal({ kind: "wait", reason: "commit-will-record" });
      // Attack / fault: the revealer never commits: the last block of the window is still recorded by everyone.
      expect(seedDecision(109n, timing)).to.deep.equal({ kind: "record-randomness", height: 2n });
      expect(seedDecision(109n, timing, true)).to.deep.equal({ kind: "record-randomness", height: 2n });
      // Height 1 has no height before: nothing to wait for.
      expect(seedDecision(97n, timing)).to.deep.equal({ kind: "record-randomness", height: 1n });
    });
    it("triggers the reorg of the first pending height once its late window passed", function () {
      expect(reorgDecision({ next: 50n })).to.deep.equal({ kind: "wait", reason: "none-pending" });
      const first = { height: 3n, lateDeadline: 50n, status: HeightStatus.Pending };
      expect(reorgDecision({ next: 49n, first })).to.deep.equal({ kind: "wait", reason: "in-window" });
      expect(reorgDecision({ next: 50n, first })).to.deep.equal({ kind: "trigger-reorg", height: 3n });
      expect(reorgDecision({ next: 50n, first: { ...first, status: HeightStatus.Proven } })).to.deep.equal({ kind: "wait", reason: "not-pending" });
    });
  });

  describe("prover: proof duty", function () {
    const take = { me: ME, height: 7n, busy: false, done: false, status: HeightStatus.Pending, namedProver: ME.toUpperCase().replace("0X", "0x") };
    it("takes a pending height its design assigns to it, once", function () {
      expect(takeHeightDecision(take, sidecar)).to.deep.equal({ kind: "prove", height: 7n });
      expect(takeHeightDecision({ ...take, busy: true }, sidecar)).to.deep.equal({ kind: "skip", reason: "in-progress" });
      expect(takeHeightDecision({ ...take, done: true }, sidecar)).to.deep.equal({ kind: "skip", reason: "done" });
      expect(takeHeightDecision({ ...take, status: HeightStatus.Proven }, sidecar)).to.deep.equal({ kind: "skip", reason: "not-pending" });
      expect(takeHeightDecision({ ...take, namedProver: RIVAL }, sidecar)).to.deep.equal({ kind: "skip", reason: "not-assigned" });
    });
    it("withholds only under fault injection", function () {
      expect(withholdDecision(7n, undefined)).to.equal(false);
      expect(withholdDecision(7n, true)).to.equal(true);
      expect(withholdDecision(7n, (h) => h === 7n)).to.equal(true);
      expect(withholdDecision(8n, (h) => h === 7n)).to.equal(false);
    });
    const sv = (over: Partial<SubmitView> = {}): SubmitView => ({ next: 30n, commitEnd: 30n, paused: false, sequencer: RIVAL, post: false, corrupt: false, ...over });
    it("holds a finished proof until the commit phase is over and while offline", function () {
      expect(submitDecision(sv({ next: 29n }))).to.deep.equal({ kind: "wait", reason: "commit-phase" });
      expect(submitDecision(sv({ paused: true }))).to.deep.equal({ kind: "wait", reason: "paused" });
      expect(submitDecision(sv())).to.deep.equal({ kind: "need-height" });
    });
    it("submits, or posts on the batch path; drops a proof the height no longer needs", function () {
      const pending = { status: HeightStatus.Pending, winner: RIVAL.toLowerCase() };
      expect(submitDecision(sv({ height: pending }))).to.deep.equal({ kind: "submit", corrupt: false });
      expect(submitDecision(sv({ height: pending, post: true, corrupt: true }))).to.deep.equal({ kind: "post", corrupt: true });
      expect(submitDecision(sv({ height: { ...pending, status: HeightStatus.Proven } }))).to.deep.equal({ kind: "drop", reason: "no-longer-needed" });
      expect(submitDecision(sv({ height: { ...pending, winner: OTHER } }))).to.deep.equal({ kind: "drop", reason: "no-longer-needed" });
    });
    it("reads a refused submission and lateness", function () {
      expect(submitRefusal("Rollup__AlreadyProven", false)).to.equal("proved-by-other");
      expect(submitRefusal("ProofAggregator__ProofAlreadyPosted", true)).to.equal("proved-by-other");
      expect(submitRefusal("Rollup__InvalidProof", true)).to.equal("invalid-refused");
      expect(submitRefusal(undefined, false)).to.equal("retry");
      expect(isLate(40n, 40n)).to.equal(true);
      expect(isLate(39n, 40n)).to.equal(false);
    });
  });

  describe("prover: batching proofs across provers (submitBatch)", function () {
    const q = (height: bigint, provingDeadline = height * 10n + 100n) => ({ height, provingDeadline });
    const PEER = "http://127.0.0.1:9/";
    // By default the next height is this agent's own, expected soon: the queue fills.
    const fv = (over: Partial<BatchFlushView> = {}): BatchFlushView => ({
      next: 50n, queued: [], batchSize: 4, marginBlocks: 5, paused: false, successor: { height: 9n, prover: "me", expectedReady: 60n }, ...over,
    });
    it("waits while the queue fills, sends as soon as batchSize proofs are held, lowest heights first, at most batchSize", function () {
      expect(batchFlushDecision(fv())).to.deep.equal({ kind: "wait", reason: "empty" });
      expect(batchFlushDecision(fv({ queued: [q(3n), q(1n), q(2n)] }))).to.deep.equal({ kind: "wait", reason: "filling" });
      expect(batchFlushDecision(fv({ queued: [q(4n), q(3n), q(1n), q(2n)] }))).to.deep.equal({ kind: "send", heights: [1n, 2n, 3n, 4n], reason: "full" });
      expect(batchFlushDecision(fv({ queued: [q(6n), q(5n), q(4n), q(3n), q(1n), q(2n)] }))).to.deep.equal({ kind: "send", heights: [1n, 2n, 3n, 4n], reason: "full" });
    });
    it("sends what it holds once the oldest proof's deadline is within the margin (never waits into lateness); not while offline", function () {
      const queued = [q(2n, 80n), q(1n, 60n)];
      expect(batchFlushDecision(fv({ queued, next: 54n, successor: { height: 3n, prover: "me", expectedReady: 54n } }))).to.deep.equal({ kind: "wait", reason: "filling" });
      expect(batchFlushDecision(fv({ queued, next: 55n }))).to.deep.equal({ kind: "send", heights: [1n, 2n], reason: "deadline" });
      expect(batchFlushDecision(fv({ queued, next: 70n }))).to.deep.equal({ kind: "send", heights: [1n, 2n], reason: "deadline" }); // already late: at once
      expect(batchFlushDecision(fv({ queued, next: 70n, paused: true }))).to.deep.equal({ kind: "wait", reason: "paused" });
    });
    it("no idle flush: a lone proof waits for the next height's proof while it can join before the margin, and not longer", function () {
      const queued = [q(1n, 60n)]; // must be sent from block 55 on
      expect(batchFlushDecision(fv({ queued, successor: { height: 2n, prover: "me", expectedReady: 55n } }))).to.deep.equal({ kind: "wait", reason: "filling" });
      expect(batchFlushDecision(fv({ queued, successor: { height: 2n, prover: "undecided", expectedReady: 55n } }))).to.deep.equal({ kind: "wait", reason: "filling" });
      // The next proof would come after the margin (the proving window sizes the batch): waiting fills nothing.
      expect(batchFlushDecision(fv({ queued, successor: { height: 2n, prover: "me", expectedReady: 56n } }))).to.deep.equal({ kind: "send", heights: [1n], reason: "too-late-to-join" });
      expect(batchFlushDecision(fv({ queued, successor: { height: 2n, prover: "peer", url: PEER, expectedReady: 56n } }))).to.deep.equal({ kind: "send", heights: [1n], reason: "too-late-to-join" });
    });
    it("nothing can join: no next height, or its proof is made outside the peers (a sequencer proving its own block): sends at once", function () {
      expect(batchFlushDecision(fv({ queued: [q(2n), q(1n)], successor: undefined }))).to.deep.equal({ kind: "send", heights: [1n, 2n], reason: "nothing-joins" });
      expect(batchFlushDecision(fv({ queued: [q(1n)], successor: { height: 2n, prover: "other", expectedReady: 51n } }))).to.deep.equal({ kind: "send", heights: [1n], reason: "nothing-joins" });
    });
    it("the next proof is a peer's: hands everything it holds to that peer (the highest height's prover sends the batch)", function () {
      expect(batchFlushDecision(fv({ queued: [q(3n), q(1n)], successor: { height: 4n, prover: "peer", url: PEER, expectedReady: 60n } })))
        .to.deep.equal({ kind: "forward", heights: [1n, 3n], url: PEER });
      // Full or at the margin, it sends itself rather than hand over.
      expect(batchFlushDecision(fv({ queued: [q(3n), q(1n)], batchSize: 2, successor: { height: 4n, prover: "peer", url: PEER, expectedReady: 60n } })).kind).to.equal("send");
      expect(batchFlushDecision(fv({ queued: [q(1n, 55n)], successor: { height: 4n, prover: "peer", url: PEER, expectedReady: 50n } })).kind).to.equal("send");
    });
    it("batchSize 1 sends each proof at once (today's submitProof path)", function () {
      expect(batchFlushDecision(fv({ queued: [q(7n)], batchSize: 1 }))).to.deep.equal({ kind: "send", heights: [7n], reason: "full" });
    });
    it("withholding peer: an own proof handed over is taken back fallbackMargin blocks before its deadline, not earlier", function () {
      const f = [q(3n, 80n), q(1n, 60n), q(2n, 70n)];
      expect(forwardFallbackDecision(57n, f, 2)).to.deep.equal([]);
      expect(forwardFallbackDecision(58n, f, 2)).to.deep.equal([1n]);
      expect(forwardFallbackDecision(75n, f, 2)).to.deep.equal([1n, 2n]); // late already: taken back too
      expect(forwardFallbackDecision(58n, [], 2)).to.deep.equal([]);
    });
    it("a hand-over is checked only for a pending height won by the proven block, once per height, into a bounded queue", function () {
      const hv = (over: Partial<HandoverView> = {}): HandoverView => ({ status: HeightStatus.Pending, winner: RIVAL, sequencer: RIVAL.toLowerCase(), queued: false, provingItself: false, queuedCount: 0, maxQueued: 8, ...over });
      expect(handoverDecision(hv())).to.deep.equal({ kind: "verify" });
      expect(handoverDecision(hv({ status: HeightStatus.Proven }))).to.deep.equal({ kind: "refuse", reason: "not-pending" });
      expect(handoverDecision(hv({ status: HeightStatus.None }))).to.deep.equal({ kind: "refuse", reason: "not-pending" });
      expect(handoverDecision(hv({ winner: OTHER }))).to.deep.equal({ kind: "refuse", reason: "other-winner" });
      expect(handoverDecision(hv({ queued: true }))).to.deep.equal({ kind: "refuse", reason: "already-queued" });
      expect(handoverDecision(hv({ provingItself: true }))).to.deep.equal({ kind: "refuse", reason: "proving-itself" });
      expect(handoverDecision(hv({ queuedCount: 8 }))).to.deep.equal({ kind: "refuse", reason: "queue-full" });
    });
    it("keeps pending heights still won by the proven block, strictly increasing; drops proven, reorged or re-won heights", function () {
      const m = (height: bigint, status: HeightStatus, winner = RIVAL) => ({ height, status, winner, sequencer: RIVAL.toLowerCase() });
      expect(batchMembers([m(3n, HeightStatus.Pending), m(1n, HeightStatus.Pending), m(2n, HeightStatus.Proven), m(4n, HeightStatus.Reorged), m(5n, HeightStatus.Pending, OTHER), m(3n, HeightStatus.Pending)]))
        .to.deep.equal({ send: [1n, 3n], drop: [2n, 4n, 5n] });
      expect(batchMembers([m(1n, HeightStatus.Finalized)])).to.deep.equal({ send: [], drop: [1n] });
    });
    it("reads a refused batch: the chain moved (recheck), a failing pairing check (split), anything else (retry)", function () {
      for (const n of ["Rollup__AlreadyProven", "Rollup__HeightReorged", "Rollup__HeightNotDecided", "ProofAggregator__EarlierPostPending"] as const) expect(batchRefusal(n)).to.equal("recheck");
      expect(batchRefusal("ProofAggregator__InvalidProofBatch")).to.equal("split");
      expect(batchRefusal(undefined)).to.equal("retry");
    });
  });

  describe("aggregator: batches", function () {
    const post = (height: bigint, postedAt: bigint, seed = 1n): PostedProofInfo => {
      const proof = Array.from({ length: 8 }, (_, i) => seed * 10n + BigInt(i)) as ProofWords;
      return { height, poster: RIVAL, payee: RIVAL, proofHash: proofHash(proof, RIVAL), proof, postedAt, bond: 1n };
    };
    const config = aggregatorDecisionConfig({ verifyWindow: 20n });
    const pending = (p: PostedProofInfo) => ({ post: p, heightStatus: HeightStatus.Pending });

    it("waits with nothing live to batch", function () {
      expect(batchDecision({ next: 50n, posts: [], invalid: new Set() }, config)).to.deep.equal({ kind: "wait", reason: "nothing-posted" });
      // Expired (posted 20 blocks ago), known invalid, or its height is no longer pending.
      const expired = post(3n, 30n);
      const invalid = post(4n, 45n);
      expect(isLivePost(expired, 50n, 20n, new Set())).to.equal(false);
      const posts = [pending(expired), pending(invalid), { post: post(5n, 45n), heightStatus: HeightStatus.Proven }];
      expect(batchDecision({ next: 50n, posts, invalid: new Set([proofHash(invalid.proof, invalid.payee)]) }, config)).to.deep.include({ kind: "wait", reason: "nothing-posted" });
    });
    it("waits for a second height unless the oldest post is near the end of its window", function () {
      expect(batchDecision({ next: 50n, posts: [pending(post(3n, 45n))], invalid: new Set() }, config)).to.deep.equal({ kind: "wait", reason: "too-few" });
      // Posted at 35: its window ends at 55, the margin (5) starts at 50.
      expect(batchDecision({ next: 50n, posts: [pending(post(3n, 35n))], invalid: new Set() }, config)).to.deep.include({ kind: "batch", urgent: true });
    });
    it("batches one post per height (the first), lowest heights first, at most maxBatch", function () {
      const first3 = post(3n, 44n, 1n);
      const posts = [pending(post(4n, 45n)), pending(first3), pending(post(3n, 46n, 2n)), pending(post(2n, 46n))];
      const d = batchDecision({ next: 50n, posts, invalid: new Set() }, config);
      expect(d.kind).to.equal("batch");
      if (d.kind !== "batch") return;
      expect(d.items.map((p) => p.height)).to.deep.equal([2n, 3n, 4n]);
      expect(d.items[1]).to.equal(first3);
      expect(d.urgent).to.equal(false);
      const small = batchDecision({ next: 50n, posts, invalid: new Set() }, aggregatorDecisionConfig({ verifyWindow: 20n, maxBatch: 2 }));
      expect(small.kind === "batch" && small.items.map((p) => p.height)).to.deep.equal([2n, 3n]);
    });
    it("challenges the posts the off-chain check found invalid and verifies the rest", function () {
      expect(splitChecked(["a", "b", "c"], [1])).to.deep.equal({ challenge: ["b"], verify: ["a", "c"] });
      expect(splitChecked(["a"], [])).to.deep.equal({ challenge: [], verify: ["a"] });
    });
  });

  describe("sidecar design", function () {
    const chainId = 31337n;
    const prover = new Wallet("0x" + "1".repeat(64));
    const seq = new Wallet("0x" + "9".repeat(64));
    const request: QuoteRequest = sidecarQuoteRequest({ height: 5n, maxPrice: 150n, provingWindow: 30n, proverDeposit: 1000n, chainId, rollup: ROLLUP, sequencer: seq.address });
    const neutral: ReputationView = { score: () => 1 };
    async function answer(price: bigint, withConsent = true): Promise<QuoteAnswer> {
      const quote = await signQuote(prover, {
        prover: prover.address, rollup: ROLLUP, chainId, height: 5n, price, provingTimeL1Blocks: 20, deposit: 1000n, expiresAtL1Block: 60, nonce: price,
      });
      const commitment = withConsent ? await signProverCommitment(prover, chainId, ROLLUP, { height: 5n, sequencer: seq.address, prover: prover.address, deposit: 1000n }) : undefined;
      return { url: "http://p", ok: true, quote, commitment };
    }

    it("asks with the tip as the most it pays, the proving window and the deposit", function () {
      expect(request).to.deep.equal({ height: 5n, maxPrice: 150n, maxProvingTime: 30, minDeposit: 1000n, chainId, rollup: ROLLUP, sequencer: seq.address });
    });
    it("names the cheapest usable quote that carries the prover's consent", async function () {
      const a = await answer(100n);
      const choice = sidecar.chooseProver({ request, answers: [await answer(120n), a], currentL1Block: 50, reputation: neutral });
      expect(choice).to.deep.equal({ kind: "commit-prover", prover: prover.address, signature: (a as { commitment: string }).commitment, price: 100n });
    });
    it("proves itself with no provers, no consent, or no acceptable quote", async function () {
      expect(sidecar.chooseProver({ request, answers: [], currentL1Block: 50, reputation: neutral })).to.deep.equal({ kind: "self-prove", reason: "no-provers", quotes: 0 });
      const declined: QuoteAnswer = { url: "http://p", ok: false, reason: "TIMEOUT", message: "slow" };
      expect(sidecar.chooseProver({ request, answers: [declined, await answer(100n, false)], currentL1Block: 50, reputation: neutral }))
        .to.deep.equal({ kind: "self-prove", reason: "no-usable-quote", quotes: 0 });
      expect(sidecar.chooseProver({ request, answers: [await answer(200n)], currentL1Block: 50, reputation: neutral })).to.deep.equal({ kind: "self-prove", reason: "no-usable-quote", quotes: 1 });
      expect(sidecar.chooseProver({ request, answers: [await answer(100n)], currentL1Block: 50, reputation: { score: () => 0 } })).to.deep.include({ kind: "self-prove" });
    });

    const terms = { price: 5n, provingTimeL1Blocks: 8, deposit: 1000n };
    const back = (over: Partial<BackingView> = {}): BackingView => ({ sequencer: seq.address, offline: false, inFlight: 0, maxInFlight: 1, terms, ...over });
    it("backs a sequencer's block only once it checked it, with capacity, online", function () {
      expect(sidecar.backSequencer(back({ sequencer: undefined }))).to.deep.equal({ kind: "decline", reason: "the request must name the sequencer" });
      expect(sidecar.backSequencer(back({ offline: true }))).to.deep.equal({ kind: "decline", reason: "offline" });
      expect(sidecar.backSequencer(back({ inFlight: 1 }))).to.deep.equal({ kind: "decline", reason: "busy" });
      expect(sidecar.backSequencer(back())).to.deep.equal({ kind: "check-block" });
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Revealed } }))).to.deep.equal({ kind: "offer", offer: terms });
    });
    it("declines an unrevealed block or one whose body it could not rebuild", function () {
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Proposed } }))).to.deep.equal({ kind: "decline", reason: "proposal is Proposed, not revealed (and no block opening its commitment was sent)" });
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Settled, opened: true } }))).to.deep.include({ kind: "decline" });
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Revealed, bodyError: "BODY_MISMATCH" } }))).to.deep.equal({ kind: "decline", reason: "cannot check the block: BODY_MISMATCH" });
      expect(sidecar.backSequencer(back({ block: { bodyError: "network down" } }))).to.deep.equal({ kind: "decline", reason: "cannot check the block: network down" });
    });
    it("backs a block not revealed yet once the block sent with the request opened its commitment and rebuilt (revealAndCommitProver)", function () {
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Proposed, opened: true } }))).to.deep.equal({ kind: "offer", offer: terms });
      expect(sidecar.backSequencer(back({ block: { status: ProposalStatus.Proposed, bodyError: "BODY_MISMATCH: the block sent does not open the commitment" } })))
        .to.deep.equal({ kind: "decline", reason: "cannot check the block: BODY_MISMATCH: the block sent does not open the commitment" });
    });
    it("proves the heights that name it, and judges the provers a sequencer named (not itself)", function () {
      expect(sidecar.provesHeight({ me: ME, namedProver: ME.toLowerCase() })).to.equal(true);
      expect(sidecar.provesHeight({ me: ME, namedProver: ZERO })).to.equal(false);
      expect(sidecar.proverVerdict({ me: ME, prover: RIVAL, outcome: "on-time" })).to.deep.equal({ prover: RIVAL, verdict: "delivered" });
      expect(sidecar.proverVerdict({ me: ME, prover: RIVAL, outcome: "late" })).to.deep.equal({ prover: RIVAL, verdict: "failed" });
      expect(sidecar.proverVerdict({ me: ME, prover: RIVAL, outcome: "missed" })).to.deep.equal({ prover: RIVAL, verdict: "failed" });
      expect(sidecar.proverVerdict({ me: ME, prover: ME, outcome: "missed" })).to.equal(undefined);
      expect(sidecar.proverVerdict({ me: ME, outcome: "on-time" })).to.equal(undefined);
    });
  });
});
