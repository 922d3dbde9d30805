// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup, RollupConfig} from "../interfaces/IRollup.sol";
import {ISidecar} from "../coordination/ISidecar.sol";
import {ICooperative} from "../coordination/ICooperative.sol";
import {CooperativeLib} from "../coordination/CooperativeLib.sol";
import {ConfigLib} from "../libraries/ConfigLib.sol";
import {ClockLib} from "../libraries/ClockLib.sol";
import {ChainLib} from "../libraries/ChainLib.sol";
import {RandomnessLib} from "../libraries/RandomnessLib.sol";
import {ProposalLib} from "../libraries/ProposalLib.sol";
import {ProofLib} from "../libraries/ProofLib.sol";
import {TreasuryLib} from "../libraries/TreasuryLib.sol";
import {SidecarLib} from "../coordination/SidecarLib.sol";

/// @title RollupViews: the Rollup's read API over its concern libraries' storage
/// @notice Inherited by the Rollup (the split of Aztec's RollupCore and Rollup): the state-changing entry points are
///         in Rollup.sol, what an agent or explorer reads is here. Nothing here writes.
abstract contract RollupViews is IRollup, ISidecar, ICooperative {
    /// @notice The configuration.
    /// @return the RollupConfig
    function config() external view returns (RollupConfig memory) {
        return ConfigLib.get();
    }

    /// @notice Tokens available for block, submission and aggregation rewards.
    /// @return the amount
    function rewardPool() external view returns (uint256) {
        return TreasuryLib.getStorage().rewardPool;
    }

    /// @notice Tips and deposits held for live proposals.
    /// @return the amount
    function totalEscrowed() external view returns (uint256) {
        return TreasuryLib.escrowed();
    }

    /// @notice Tokens burnt so far: owed to BURN_ADDRESS in the ledger (FEE_SPLIT shares, until `flushBurnt`),
    ///         flushed there, or slashed there from a stake.
    /// @return the amount
    function totalBurnt() external view returns (uint256) {
        return TreasuryLib.totalBurnt();
    }

    /// @notice The height whose proposal/reveal/commit phases contain `l1Block`, and that phase.
    /// @param l1Block an L1 block number
    /// @return height the L2 height (0 before genesis)
    /// @return phase Proposal, Reveal or Commit (NotStarted before genesis)
    function clockAt(uint256 l1Block) external view returns (uint256 height, Phase phase) {
        return ClockLib.clockAt(l1Block);
    }

    /// @notice `clockAt(block.number)`.
    /// @return height the L2 height now in its proposal, reveal or commit phase
    /// @return phase that phase
    function currentHeight() external view returns (uint256 height, Phase phase) {
        return ClockLib.clockAt(block.number);
    }

    /// @notice Phase boundaries of `height` (each phase is [start, end) in L1 blocks).
    /// @param height the L2 height (>= 1)
    /// @return t the timeline
    function timeline(uint256 height) external view returns (Timeline memory t) {
        return ClockLib.timeline(height);
    }

    /// @notice Phase of `height` at `l1Block`, including Proving / LateProving / Expired after the commit phase.
    /// @param height the L2 height
    /// @param l1Block an L1 block number
    /// @return the phase
    function phaseOf(uint256 height, uint256 l1Block) external view returns (Phase) {
        return ClockLib.phaseOf(height, l1Block);
    }

    /// @notice A height's record (status None after its commit phase = skipped), while the height ring holds it
    ///         (ChainLib.HEIGHT_RING = 64 heights, longer for pending and the last finalized height); then all zero:
    ///         the history is in the events (`ProverCommitted`, `HeightFinalized`, `ChainReorged`).
    /// @param height the L2 height
    /// @return h the record (its randomness from the randomness ring)
    function getHeight(uint256 height) external view returns (Height memory h) {
        h = ChainLib.viewOf(height); // zero once the height ring took its slot over (ChainLib.HEIGHT_RING)
        h.randomness = RandomnessLib.randomnessOf(height); // held in RandomnessLib's ring (0 once its word is reused)
    }

    /// @notice A proposal (its sequencing part; the design's part: `proverTermsOf`).
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @return p the proposal (empty if none, or if its ring slot was reused)
    function getProposal(uint256 height, address sequencer) external view returns (Proposal memory p) {
        Proposal storage r = ProposalLib.get(height, sequencer);
        if (!ProposalLib.live(r, height)) return p; // none, or its ring slot was reused (ProposalLib.RING)
        p = r;
        // An older record's (or the warmed slot's marker), until the reveal.
        if (p.status == ProposalStatus.Proposed || p.parent == ProposalLib.WARM_PARENT) (p.newRoot, p.parent) = (0, 0);
    }

    /// @notice Sidecar's record of a proposal: tip, share, prover, deposit and who funded it.
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @return t the terms (empty before the commit)
    function proverTermsOf(uint256 height, address sequencer) external view returns (ProverTerms memory t) {
        Proposal storage r = ProposalLib.get(height, sequencer);
        // Written at the commit: before it (or once the ring slot was reused) the slot is not this proposal's.
        if (!ProposalLib.live(r, height) || r.designTerms & SidecarLib.ESCROWED == 0) return t;
        return SidecarLib.termsOf(height, sequencer);
    }

    /// @notice The Fernet score of a proposal (as ranked at the commit).
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @return the score (0 if there is no proposal)
    function scoreOf(uint256 height, address sequencer) external view returns (uint256) {
        return ProposalLib.scoreOf(height, sequencer);
    }

    /// @notice The decided chain tip: the latest height that holds a winner and whose commit phase is over.
    /// @dev For off-chain callers: an eth_call runs on the latest mined block, so once the last block of a commit
    ///      phase is mined (block.number + 1 == commitEnd) its winner is final and it is the tip.
    /// @return the height (0 = genesis)
    function chainTip() external view returns (uint256) {
        uint256 last = ChainLib.last();
        if (last != 0 && block.number + 1 < ClockLib.timeline(last).commitEnd) return ChainLib.tipExcluding(last);
        return last;
    }

    /// @notice The last finalized height (0 = genesis).
    /// @return the height
    function lastFinalized() external view returns (uint256) {
        return ChainLib.lastFinalized();
    }

    /// @notice Heights after the last finalized one, in chain order (proven or not, including one in its
    ///         commit phase).
    /// @return heights the pending heights
    function pendingHeights() external view returns (uint64[] memory heights) {
        return ChainLib.pendingHeights();
    }

    /// @notice State root after `height` (the winner's revealed root; the genesis root for 0).
    /// @param height the L2 height
    /// @return the root (0 if the height has no winner)
    function rootOf(uint256 height) external view returns (uint256) {
        return ProofLib.rootOf(height);
    }

    /// @notice The L1 randomness of `height`, which its VRF proofs must sign; 0 while it is not recorded.
    /// @dev randomness = the top 224 bits of keccak256("fernet-rollup/randomness", height, seed, VRF output of
    ///      height - 2's winner), computed and stored when the seed is recorded (`RandomnessRecorded`).
    ///      The seed is block.prevrandao of the block in the seed window in which someone recorded it. Height - 2's
    ///      winner is fixed when its commit phase ends, before the seed window opens (the window is height - 1's
    ///      commit phase), whatever reorgs happen later: whoever picks that output cannot know the seed yet, and
    ///      whoever records the seed cannot change the output. Final from the recording block on.
    /// @param height the L2 height
    /// @return the randomness
    function randomnessOf(uint256 height) external view returns (uint256) {
        return RandomnessLib.randomnessOf(height);
    }

    /// @notice First L1 block of the seed window of `height` (`recordRandomness`).
    /// @param height the L2 height (>= 1)
    /// @return the block
    function seedWindowStart(uint256 height) external view returns (uint256) {
        return ClockLib.seedWindowStart(height);
    }

    /// @notice Stakes and VRF keys active from this L1 block on do not count for `height`: the seed window's start
    ///         less `keyActivationDelay`.
    /// @param height the L2 height (>= 1)
    /// @return the block
    function activationCutoff(uint256 height) external view returns (uint256) {
        return ClockLib.activationCutoff(height);
    }

    /// @notice What the aggregator needs to accept a post for `height`: its status and deadlines.
    /// @param height the L2 height
    /// @return status the height's status (Pending = decided and awaiting a proof, if `decided`)
    /// @return decided whether its commit phase has ended
    /// @return provingDeadline the first block at which a proof is late
    /// @return lateDeadline the first block from which the height may be reorged
    function proofWindow(uint256 height)
        external
        view
        returns (HeightStatus status, bool decided, uint256 provingDeadline, uint256 lateDeadline)
    {
        Timeline memory t = ClockLib.timeline(height);
        return (ChainLib.statusOf(height), block.number >= t.commitEnd, t.provingDeadline, t.lateDeadline);
    }

    /// @notice Cooperative: the paid set of (height, unit) (three entries; a zero payee is a free slot). Cleared when
    ///         the height's sets are settled.
    function unitEntries(uint256 height, uint256 unit) external view returns (ICooperative.Entry[3] memory) {
        return CooperativeLib.getStorage().paid[height][unit];
    }

    /// @notice Cooperative: a height's unit bookkeeping (proven units, finalized, settled, network reward held).
    function unitsOf(uint256 height) external view returns (ICooperative.HeightUnits memory) {
        return CooperativeLib.getStorage().heights[height];
    }

    /// @notice Cooperative: what a proposal committed (intermediate roots' hash and the bond it still holds).
    function blockBondOf(uint256 height, address sequencer) external view returns (ICooperative.BlockBond memory) {
        return CooperativeLib.getStorage().bonds[height][sequencer];
    }
}
