// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title RewardsLib: how a finalized height's value is split (docs/lifecycle.md, "Rewards")
/// @notice pot = blockReward + totalFees (capped by the reward pool). FEE_SPLIT of the pot is burnt: it is what
///         the sequencer gave up to buy a higher score, and in Sidecar the sequencer names its prover, so a share
///         paid to "the prover" could be paid to itself and the boost would be free (docs/security.md, finding 6).
///         Of the rest, proverRewardShare goes to the named prover (with the escrowed proverTip), and the
///         sequencer keeps what remains.
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
        uint256 burnt;
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
        s.burnt = (pot * Math.min(feeSplitBps, BPS)) / BPS;
        uint256 rest = pot - s.burnt;
        uint256 proverPot = (rest * Math.min(proverRewardShareBps, BPS)) / BPS;
        s.prover = proverTip + proverPot;
        s.sequencer = rest - proverPot;
        if (late) {
            s.depositToRescuer = (deposit * lateProverShareBps) / BPS;
            s.depositSlashed = deposit - s.depositToRescuer;
        } else {
            s.depositBack = deposit;
        }
    }
}
