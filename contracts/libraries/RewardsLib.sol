// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title RewardsLib: how a finalized height's value is split (docs/lifecycle.md, "Rewards")
/// @notice pot = blockReward + totalFees (capped by the reward pool). The prover's share of the pot is
///         max(FEE_SPLIT, proverRewardShare): FEE_SPLIT is what the sequencer promised to forward to proving
///         (it bought a higher score with it), proverRewardShare what it offered its prover; the sequencer keeps
///         the rest. The prover also takes the escrowed proverTip.
library RewardsLib {
    uint256 internal constant BPS = 10_000;

    /// @notice The split of one height.
    struct Split {
        uint256 submission;
        uint256 prover;
        uint256 sequencer;
        uint256 depositBack;
        uint256 depositToRescuer;
        uint256 depositSlashed;
        uint256 poolUsed;
    }

    /// @notice Computes the split.
    /// @param pool tokens available in the reward pool
    /// @param submissionReward configured reward of the first valid submitter
    /// @param blockReward configured block reward
    /// @param totalFees the block's fees (1 L2 fee unit = 1 token base unit)
    /// @param feeSplitBps FEE_SPLIT
    /// @param proverRewardShareBps proverRewardShare
    /// @param proverTip escrowed tip
    /// @param deposit escrowed proverDeposit
    /// @param late whether the proof landed after the proving deadline
    /// @param lateProverShareBps share of the deposit paid to a late prover (the rest is slashed to the pool)
    function split(
        uint256 pool,
        uint256 submissionReward,
        uint256 blockReward,
        uint256 totalFees,
        uint256 feeSplitBps,
        uint256 proverRewardShareBps,
        uint256 proverTip,
        uint256 deposit,
        bool late,
        uint256 lateProverShareBps
    ) internal pure returns (Split memory s) {
        s.submission = Math.min(submissionReward, pool);
        uint256 pot = Math.min(blockReward + totalFees, pool - s.submission);
        s.poolUsed = s.submission + pot;
        uint256 shareBps = Math.min(Math.max(feeSplitBps, proverRewardShareBps), BPS);
        uint256 proverPot = (pot * shareBps) / BPS;
        s.prover = proverTip + proverPot;
        s.sequencer = pot - proverPot;
        if (late) {
            s.depositToRescuer = (deposit * lateProverShareBps) / BPS;
            s.depositSlashed = deposit - s.depositToRescuer;
        } else {
            s.depositBack = deposit;
        }
    }
}
