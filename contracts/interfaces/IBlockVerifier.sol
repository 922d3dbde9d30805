// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBlockVerifier: the seam between the Rollup and a block-proof verifier (docs/architecture.md)
interface IBlockVerifier {
    /// @notice Checks a Groth16 block proof.
    /// @param proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]
    /// @param publicInputs [oldRoot, newRoot, totalFees, payee, domain, word_0, ..., word_{T-1}]
    /// @return true iff the proof verifies
    function verifyBlockProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view returns (bool);
}
