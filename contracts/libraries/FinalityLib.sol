// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";
import {ClockLib} from "./ClockLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {ProposalLib} from "./ProposalLib.sol";
import {CoordinationLib} from "../coordination/CoordinationLib.sol";

/// @title FinalityLib: proven heights become final in chain order; missed ones are reorged with their descendants
/// @dev Linked (external functions run in the Rollup's context). What a finalization pays and what a miss costs
///      is the proving design's (CoordinationLib).
library FinalityLib {
    /// @notice Marks each of `heights` proven (each must be pending and decided) by `posters[i]`, as of the block
    ///         its proof was posted, then finalizes the ready prefix (`Rollup.markProvenBatch`).
    function markProvenBatch(
        uint256[] calldata heights,
        address[] calldata posters,
        uint256[] calldata postedAt,
        uint256[] calldata fees
    ) external {
        for (uint256 i = 0; i < heights.length; ++i) {
            uint256 height = heights[i];
            IRollup.HeightStatus st = ChainLib.height(height).status;
            if (st != IRollup.HeightStatus.Pending) {
                if (st == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(height);
                if (st == IRollup.HeightStatus.None) revert Errors.Rollup__HeightNotDecided(height);
                revert Errors.Rollup__AlreadyProven(height);
            }
            ChainLib.markProven(height, posters[i], fees[i], postedAt[i]);
        }
        finalizeReady();
    }

    /// @notice Finalizes, in chain order, every proven height whose parent is final, and pays its value.
    function finalizeReady() public {
        ChainLib.Storage storage $ = ChainLib.getStorage();
        uint256 idx = $.finalizedIndex;
        while (idx + 1 < $.chain.length && $.heights[$.chain[idx + 1]].status == IRollup.HeightStatus.Proven) {
            ++idx;
            _finalize($.chain[idx]);
        }
        $.finalizedIndex = idx;
    }

    function _finalize(uint256 height) private {
        IRollup.Height storage h = ChainLib.height(height);
        IRollup.Proposal storage w = ProposalLib.get(height, h.winner);
        h.status = IRollup.HeightStatus.Finalized;
        w.status = IRollup.ProposalStatus.Settled;
        (address proverPaid, uint256 proverReward, uint256 sequencerReward, uint256 submissionReward) =
            CoordinationLib.settleFinalized(
            height, h.winner, h.submitter, h.late, h.totalFees, w.feeSplitBps, w.designTerms
        );
        emit IRollup.HeightFinalized(
            height, h.winner, proverPaid, h.submitter, sequencerReward, proverReward, submissionReward
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

        lost = $.chain.length - $.finalizedIndex - 2;
        address missedSeq = $.heights[height].winner;
        ProposalLib.get(height, missedSeq).status = IRollup.ProposalStatus.Settled;
        $.heights[height].status = IRollup.HeightStatus.Reorged;
        (uint256[] memory lostHeights, address[] memory lostWinners) = _popDescendants($, lost);
        $.chain.pop();
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
            uint256 d = $.chain[$.chain.length - 1];
            IRollup.Height storage dh = $.heights[d];
            dh.status = IRollup.HeightStatus.Reorged;
            ProposalLib.get(d, dh.winner).status = IRollup.ProposalStatus.Settled;
            heights[i] = d;
            winners[i] = dh.winner;
            $.chain.pop();
        }
    }
}
