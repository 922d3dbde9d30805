// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";
import {ClockLib} from "./ClockLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {ProposalLib} from "./ProposalLib.sol";
import {CoordinationLib} from "../coordination/CoordinationLib.sol";

/// @title FinalityLib: proven heights become final in chain order; missed ones are reorged with their descendants
/// @notice A proven height whose parent is final is finalized (and paid) in the same call; only a height that must
///         wait for an earlier one keeps its submitter and fees in storage (`Height.submitter`/`totalFees`),
///         cleared again when it is finalized: the `ProofSubmitted` and `HeightFinalized` events carry them.
/// @dev Linked (external functions run in the Rollup's context). What a finalization pays and what a miss costs
///      is the proving design's (CoordinationLib). `acceptProven` is internal so that `submitProof` (ProofLib) runs
///      the whole settlement without a call into another library.
library FinalityLib {
    /// @notice Marks each of `heights` proven (each must be pending and decided) by `posters[i]`, as of the block
    ///         its proof was posted, finalizing every height whose parent is final on the way (`Rollup.markProvenBatch`).
    function markProvenBatch(
        uint256[] calldata heights,
        address[] calldata posters,
        uint256[] calldata postedAt,
        uint256[] calldata fees
    ) external {
        ChainLib.Storage storage $ = ChainLib.getStorage();
        uint256 start = $.finalizedIndex;
        uint256 idx = start;
        for (uint256 i = 0; i < heights.length; ++i) {
            _requirePending(heights[i]);
            uint256 next = _prove($, idx, heights[i], posters[i], fees[i], postedAt[i]);
            // Heights proven earlier that waited for this one follow it before the batch goes on.
            if (next != idx) idx = _finalizeWaiting($, next);
        }
        if (idx != start) $.finalizedIndex = uint128(idx);
    }

    /// @dev A batch-verified height must be pending (decided, not proven, finalized or reorged).
    function _requirePending(uint256 height) private view {
        IRollup.HeightStatus st = ChainLib.statusOf(height);
        if (st != IRollup.HeightStatus.Pending) {
            if (st == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(height);
            if (st == IRollup.HeightStatus.None) revert Errors.Rollup__HeightNotDecided(height);
            revert Errors.Rollup__AlreadyProven(height);
        }
    }

    /// @dev Marks `height` (pending and decided: the caller checked) proven by `submitter` as of L1 block `atBlock`
    ///      and finalizes what became ready (`Rollup.submitProof`).
    function acceptProven(uint256 height, address submitter, uint256 fees, uint256 atBlock) internal {
        ChainLib.Storage storage $ = ChainLib.getStorage();
        uint256 idx = $.finalizedIndex;
        uint256 next = _prove($, idx, height, submitter, fees, atBlock);
        // A height that waits for its parent finalizes nothing: the first pending height is still unproven.
        if (next != idx) $.finalizedIndex = uint128(_finalizeWaiting($, next));
    }

    /// @dev Marks `height` proven (late iff `atBlock >= provingDeadline`). If it is the first pending height (its
    ///      parent is final) it is finalized at once and nothing more is stored; otherwise it waits as Proven with
    ///      its submitter and fees. Returns the finalized index after it.
    function _prove(
        ChainLib.Storage storage $,
        uint256 idx,
        uint256 height,
        address submitter,
        uint256 fees,
        uint256 atBlock
    ) private returns (uint256) {
        bool late = atBlock >= ClockLib.timeline(height).provingDeadline;
        emit IRollup.ProofSubmitted(height, submitter, late);
        if (ChainLib.entry($, idx + 1) != height) {
            ChainLib.markProven(height, submitter, fees, late);
            return idx;
        }
        _finalize(height, ChainLib.heldRecord(height), submitter, late, fees);
        return idx + 1;
    }

    /// @dev Finalizes, in chain order after `idx`, every height that was proven earlier and waited for its parent
    ///      (its stored submitter and fees are cleared); returns the new finalized index.
    function _finalizeWaiting(ChainLib.Storage storage $, uint256 idx) private returns (uint256) {
        uint256 len = $.chainLength;
        while (idx + 1 < len) {
            uint256 height = ChainLib.entry($, idx + 1);
            ChainLib.Record storage h = ChainLib.heldRecord(height); // a chain entry after the finalized one
            if (h.status != IRollup.HeightStatus.Proven) break;
            (address submitter, uint256 fees) = (h.submitter, h.totalFees);
            (h.submitter, h.totalFees) = (address(0), 0);
            _finalize(height, h, submitter, h.late, fees);
            ++idx;
        }
        return idx;
    }

    /// @dev Finalizes `height`: its record and its winner's proposal are settled, and the design pays its value.
    function _finalize(uint256 height, ChainLib.Record storage h, address submitter, bool late, uint256 fees) private {
        address winner = h.winner;
        // status and late share the record's first word: one write.
        (h.status, h.late) = (IRollup.HeightStatus.Finalized, late);
        IRollup.Proposal storage w = ProposalLib.get(height, winner);
        w.status = IRollup.ProposalStatus.Settled;
        (address proverPaid, uint256 proverReward, uint256 sequencerReward, uint256 submissionReward) =
            CoordinationLib.settleFinalized(height, winner, submitter, late, fees, w.feeSplitBps, w.designTerms);
        emit IRollup.HeightFinalized(
            height, winner, proverPaid, submitter, sequencerReward, proverReward, submissionReward
        );
    }

    /// @notice Reorgs `height`, the first pending height, once its late window has passed (and `blockedUntil`, the
    ///         end of a posted proof's verify window): it and every pending block built on it are lost; proposing
    ///         resumes on the last finalized state. The design settles the miss.
    /// @return lost the number of lost descendants
    /// @return slashed the missed height's slashed amount
    /// @return bounty the caller's share
    function reorg(uint256 height, uint256 blockedUntil, address caller)
        external
        returns (uint256 lost, uint256 slashed, uint256 bounty)
    {
        ChainLib.Storage storage $ = ChainLib.getStorage();
        uint256 first = ChainLib.firstPending();
        if (first == 0 || height != first) revert Errors.Rollup__NotFirstPending(height, first);
        uint256 availableAt = ClockLib.timeline(height).lateDeadline;
        if (block.number < availableAt) revert Errors.Rollup__ReorgNotAllowed(height, availableAt);
        // A proof posted before the late deadline gets its verify window: the height may still turn out proven.
        if (block.number < blockedUntil) revert Errors.Rollup__ReorgNotAllowed(height, blockedUntil);

        lost = $.chainLength - $.finalizedIndex - 2;
        ChainLib.Record storage m = ChainLib.heldRecord(height); // the first pending height
        address missedSeq = m.winner;
        ProposalLib.get(height, missedSeq).status = IRollup.ProposalStatus.Settled;
        m.status = IRollup.HeightStatus.Reorged; // unproven (it is the first pending): word 1 is zero
        (uint256[] memory lostHeights, address[] memory lostWinners) = _popDescendants($, lost);
        ChainLib.pop($);
        (slashed, bounty) = CoordinationLib.settleReorg(height, missedSeq, lostHeights, lostWinners, caller);
    }

    /// @dev Pops the `n` descendants off the chain (last first), marking them and their proposals reorged/settled.
    function _popDescendants(ChainLib.Storage storage $, uint256 n)
        private
        returns (uint256[] memory heights, address[] memory winners)
    {
        heights = new uint256[](n);
        winners = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 d = ChainLib.entry($, $.chainLength - 1);
            ChainLib.Record storage dh = ChainLib.heldRecord(d); // a pending descendant
            // A proven descendant kept its submitter and fees (word 1): cleared, so that the slot's next height
            // starts from a zero word 1 (ChainLib.setWinner writes word 0 only).
            if (dh.status == IRollup.HeightStatus.Proven) (dh.submitter, dh.totalFees) = (address(0), 0);
            dh.status = IRollup.HeightStatus.Reorged;
            ProposalLib.get(d, dh.winner).status = IRollup.ProposalStatus.Settled;
            heights[i] = d;
            winners[i] = dh.winner;
            ChainLib.pop($);
        }
    }
}
