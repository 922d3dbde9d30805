// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ReorgLib: how a missed proof's slashed proverDeposit is shared
/// @notice The caller who triggers the reorg gets a bounty (its gas); the rest goes in equal parts to the
///         sequencers of the lost descendant blocks (seed 004: "proportionately distributed to the sequencers
///         affected"). With no descendants, or as rounding dust, it goes to the reward pool.
library ReorgLib {
    uint256 internal constant BPS = 10_000;

    /// @param deposit the slashed deposit
    /// @param bountyBps the trigger's bounty in basis points
    /// @param lostDescendants number of lost descendant blocks
    /// @return bounty for the caller
    /// @return perSequencer for each lost descendant's sequencer
    /// @return toPool remainder to the reward pool
    function shares(uint256 deposit, uint256 bountyBps, uint256 lostDescendants)
        internal
        pure
        returns (uint256 bounty, uint256 perSequencer, uint256 toPool)
    {
        bounty = (deposit * bountyBps) / BPS;
        uint256 rest = deposit - bounty;
        if (lostDescendants == 0) return (bounty, 0, rest);
        perSequencer = rest / lostDescendants;
        toPool = rest - perSequencer * lostDescendants;
    }
}
