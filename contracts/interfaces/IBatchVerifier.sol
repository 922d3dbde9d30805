// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBatchVerifier: one circuit's Groth16 key behind a batched and a single check (docs/batch-verification.md)
/// @notice Implemented by the generated `contracts/verifiers/BatchVerifier_T{T}_D{D}.sol` (src/zk/exportBatch.ts).
///         Content errors (bad point, input >= r, wrong proof) give false; shape errors and too little gas revert
///         (Groth16BatchLib), so `false` always means "some proof is invalid", never "the caller starved the call".
interface IBatchVerifier {
    /// @notice Number of public inputs per proof.
    /// @return the count (5 + T for the block circuit)
    function publicInputCount() external view returns (uint256);

    /// @notice Checks every proof with one pairing-precompile call (random linear combination, Fiat-Shamir
    ///         coefficients from all proof and input words).
    /// @param proofs n proofs, each [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]
    /// @param flatInputs n * publicInputCount() words, row-major (proof i's at [i*m, (i+1)*m))
    /// @return true iff every proof verifies (up to 2^-128)
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata flatInputs) external view returns (bool);

    /// @notice Checks one proof exactly (the Groth16 equation).
    /// @param proof the proof words
    /// @param inputs publicInputCount() words
    /// @return true iff the proof verifies
    function verifySingle(uint256[8] calldata proof, uint256[] calldata inputs) external view returns (bool);
}
