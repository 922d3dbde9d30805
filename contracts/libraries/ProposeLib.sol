// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Errors} from "../errors/Errors.sol";

/// @title ProposeLib: proposal checks, the block commitment, and the Fernet score
library ProposeLib {
    /// @notice Basis points in one (FEE_SPLIT = 1 is 10_000).
    uint256 internal constant BPS = 10_000;

    /// @notice Checks the proposal's parameters against the configured bounds (the prover's terms are the proving
    ///         design's to check).
    /// @param feeSplitBps FEE_SPLIT in basis points
    /// @param minFeeSplitBps lower bound
    /// @param maxFeeSplitBps upper bound
    /// @param blockCommitment the block commitment
    function checkParams(uint256 feeSplitBps, uint256 minFeeSplitBps, uint256 maxFeeSplitBps, bytes32 blockCommitment)
        internal
        pure
    {
        if (feeSplitBps < minFeeSplitBps || feeSplitBps > maxFeeSplitBps) {
            revert Errors.Rollup__FeeSplitOutOfRange(feeSplitBps, minFeeSplitBps, maxFeeSplitBps);
        }
        if (blockCommitment == bytes32(0)) revert Errors.Rollup__EmptyCommitment();
    }

    /// @notice The commitment a proposal posts: it binds the proposer, the height, the parent, the new root,
    ///         the pubdata and a salt (the salt hides the block from copycats until the reveal).
    /// @param proposer the sequencer
    /// @param height the L2 height
    /// @param parent the parent height (the chain tip the block builds on)
    /// @param newRoot the state root after the block
    /// @param pubdataHash keccak256 of the pubdata
    /// @param salt a secret random value
    /// @return keccak256(abi.encode(proposer, height, parent, newRoot, pubdataHash, salt))
    function commitment(
        address proposer,
        uint256 height,
        uint256 parent,
        uint256 newRoot,
        bytes32 pubdataHash,
        bytes32 salt
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(proposer, height, parent, newRoot, pubdataHash, salt));
    }

    /// @notice The Fernet score. With the fee-split boost: (output >> 32) * (1 + FEE_SPLIT) in basis points;
    ///         otherwise (output >> 32) * 1. The shift keeps the product below 2^256 for FEE_SPLIT <= 65535 bps.
    /// @param vrfOutput the VRF output
    /// @param feeSplitBps FEE_SPLIT in basis points
    /// @param boost whether FEE_SPLIT boosts the score
    /// @return the score (higher is better)
    function score(uint256 vrfOutput, uint256 feeSplitBps, bool boost) internal pure returns (uint256) {
        return (vrfOutput >> 32) * (boost ? BPS + feeSplitBps : BPS);
    }

    /// @notice Explicit ranking: higher score, then higher VRF output, then lower sequencer address.
    /// @return true iff candidate (a) ranks strictly above incumbent (b)
    function outranks(uint256 scoreA, uint256 outputA, address seqA, uint256 scoreB, uint256 outputB, address seqB)
        internal
        pure
        returns (bool)
    {
        if (seqB == address(0)) return true;
        if (scoreA != scoreB) return scoreA > scoreB;
        if (outputA != outputB) return outputA > outputB;
        return seqA < seqB;
    }
}
