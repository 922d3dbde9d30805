// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";

/// @title MockBlockVerifier: accepts a "proof" iff proof[0] == uint256(keccak256(abi.encode(publicInputs)))
/// @notice Unit tests only. Lets tests build valid and invalid proofs without a circuit; the rest of the proof
///         is ignored. Integration tests use the generated Groth16 verifier.
contract MockBlockVerifier is IBlockVerifier {
    /// @inheritdoc IBlockVerifier
    function verifyBlockProof(uint256[8] calldata proof, uint256[] calldata publicInputs)
        external
        pure
        returns (bool)
    {
        return proof[0] == uint256(keccak256(abi.encode(publicInputs)));
    }
}
