// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Errors} from "../errors/Errors.sol";
import {ProposeLib} from "./ProposeLib.sol";

/// @title RevealLib: checks a reveal against its commitment and the chain tip
library RevealLib {
    /// @notice Checks that the revealed block builds on the tip and opens the commitment.
    /// @param expected the stored commitment
    /// @param proposer the sequencer revealing
    /// @param height the L2 height
    /// @param parent the parent the sequencer claims
    /// @param tip the current chain tip
    /// @param newRoot revealed new state root
    /// @param pubdata revealed pubdata
    /// @param slots T (pubdata must be 20 * T bytes)
    /// @param salt the salt
    /// @return pubdataHash keccak256(pubdata), to store
    function check(
        bytes32 expected,
        address proposer,
        uint256 height,
        uint256 parent,
        uint256 tip,
        uint256 newRoot,
        bytes calldata pubdata,
        uint256 slots,
        bytes32 salt
    ) internal pure returns (bytes32 pubdataHash) {
        if (pubdata.length != 20 * slots) revert Errors.Rollup__BadPubdataLength(pubdata.length, 20 * slots);
        if (parent != tip) revert Errors.Rollup__ParentNotTip(parent, tip);
        pubdataHash = keccak256(pubdata);
        bytes32 actual = ProposeLib.commitment(proposer, height, parent, newRoot, pubdataHash, salt);
        if (actual != expected) revert Errors.Rollup__CommitmentMismatch(expected, actual);
    }
}
