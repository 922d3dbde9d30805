// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatchVerifier} from "../interfaces/IBatchVerifier.sol";

/// @title MockBatchVerifier: accepts a proof iff proof[0] == uint256(keccak256(abi.encode(publicInputs)))
/// @notice Unit tests only (the batched counterpart of MockBlockVerifier: a proof valid for one is valid for the
///         other). Lets tests drive the ProofAggregator with valid and invalid proofs without a circuit; the rest of
///         each proof is ignored. Shape errors revert like Groth16BatchLib's; content errors return false.
///         Integration tests use the generated BatchVerifier_T{T}_D{D}.
contract MockBatchVerifier is IBatchVerifier {
    /// @dev Public inputs per proof.
    uint256 private immutable _m;

    /// @param publicInputCount_ public inputs per proof (5 + T for the Rollup's block circuit)
    constructor(uint256 publicInputCount_) {
        _m = publicInputCount_;
    }

    /// @inheritdoc IBatchVerifier
    function publicInputCount() external view returns (uint256) {
        return _m;
    }

    /// @inheritdoc IBatchVerifier
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata flatInputs) external view returns (bool) {
        uint256 m = _m;
        require(proofs.length != 0 && flatInputs.length == proofs.length * m, "MockBatchVerifier: shape");
        uint256[] memory row = new uint256[](m);
        for (uint256 i = 0; i < proofs.length; ++i) {
            for (uint256 k = 0; k < m; ++k) {
                row[k] = flatInputs[i * m + k];
            }
            if (proofs[i][0] != uint256(keccak256(abi.encode(row)))) return false;
        }
        return true;
    }

    /// @inheritdoc IBatchVerifier
    function verifySingle(uint256[8] calldata proof, uint256[] calldata inputs) external view returns (bool) {
        require(inputs.length == _m, "MockBatchVerifier: shape");
        return proof[0] == uint256(keccak256(abi.encode(inputs)));
    }
}
