// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofAggregator: what the Rollup asks the ProofAggregator (contracts/ProofAggregator.sol)
interface IProofAggregator {
    /// @notice The first L1 block at which no proof posted for `height` can still be verified (0 if none was
    ///         posted). The Rollup's `triggerReorg` waits for it: a proof posted in time gets its verify window.
    /// @param height the L2 height
    /// @return the block (max over the height's posts of postedAt + verifyWindow)
    function reorgBlockedUntil(uint256 height) external view returns (uint256);
}
