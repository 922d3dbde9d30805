// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";
import {PublicInputsLib} from "./PublicInputsLib.sol";

/// @title ProofLib: checks a block proof against public inputs rebuilt from L1 data
library ProofLib {
    /// @notice Rebuilds the public inputs and asks the verifier.
    /// @param verifier the block verifier
    /// @param proof the Groth16 proof as uint256[8]
    /// @param oldRoot the parent's state root
    /// @param newRoot the revealed new root
    /// @param pubdata the revealed pubdata
    /// @param slots T
    /// @return ok whether the proof verifies
    /// @return totalFees the block's total fees (public input 2)
    function check(
        IBlockVerifier verifier,
        uint256[8] calldata proof,
        uint256 oldRoot,
        uint256 newRoot,
        bytes memory pubdata,
        uint256 slots
    ) internal view returns (bool ok, uint256 totalFees) {
        uint256[] memory inputs = PublicInputsLib.compute(oldRoot, newRoot, pubdata, slots);
        totalFees = inputs[2];
        // A verifier that reverts (malformed proof points) counts as a rejection, not as an error of the caller.
        try verifier.verifyBlockProof(proof, inputs) returns (bool result) {
            ok = result;
        } catch {
            ok = false;
        }
    }
}
