// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";

/// @title ProofLib: asks the block verifier, treating a reverting verifier as a rejection
library ProofLib {
    /// @notice Checks one block proof.
    /// @dev A verifier that reverts (e.g. on malformed proof points) counts as a rejection, so a bad proof always
    ///      surfaces as the Rollup's `InvalidProof`, never as an opaque revert.
    /// @param verifier the block verifier
    /// @param proof the Groth16 proof as uint256[8]
    /// @param inputs the public inputs (PublicInputsLib)
    /// @return ok whether the proof verifies
    function verify(IBlockVerifier verifier, uint256[8] calldata proof, uint256[] memory inputs)
        internal
        view
        returns (bool ok)
    {
        try verifier.verifyBlockProof(proof, inputs) returns (bool result) {
            ok = result;
        } catch {
            ok = false;
        }
    }
}
