// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofAggregator: what the Rollup asks the ProofAggregator (contracts/ProofAggregator.sol)
interface IProofAggregator {
    /// @notice The first L1 block at which no proof posted for `height` can still be verified (0 if none was
    ///         posted). The Rollup's `triggerReorg` waits for it: a proof posted in time gets its verify window.
    /// @param height the L2 height
    /// @return the block (max over the height's posts of postedAt + verifyWindow)
    function reorgBlockedUntil(uint256 height) external view returns (uint256);

    /// @notice Posts for `height` that were made before its proving deadline and still stand (neither verified,
    ///         shown invalid nor reclaimed). While any stands, no late proof of the height is accepted.
    /// @param height the L2 height
    /// @return the count
    function onTimePosts(uint256 height) external view returns (uint256);

    /// @notice The Rollup this aggregator proves (checked by `Rollup.setAggregator`).
    /// @return the Rollup's address
    function rollup() external view returns (address);
}
