// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ProverCommitLib: the EIP-712 message by which a prover agrees to fund a proverDeposit
/// @notice A sequencer may have its deposit pulled from the prover it names (the prover paying on its behalf,
///         seed 004) only with the prover's signature over (height, sequencer, prover, deposit): a standing token
///         approval alone is not consent to back someone's block.
library ProverCommitLib {
    /// @notice EIP-712 type hash of the prover's consent.
    bytes32 internal constant PROVER_COMMITMENT_TYPEHASH =
        keccak256("ProverCommitment(uint256 height,address sequencer,address prover,uint256 deposit)");

    /// @notice EIP-712 struct hash of a consent.
    /// @param height the L2 height
    /// @param sequencer the sequencer whose block is backed
    /// @param prover the prover paying the deposit
    /// @param deposit the deposit amount
    /// @return the struct hash
    function structHash(uint256 height, address sequencer, address prover, uint256 deposit)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(PROVER_COMMITMENT_TYPEHASH, height, sequencer, prover, deposit));
    }
}
