// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PublicInputsLib} from "../libraries/PublicInputsLib.sol";

/// @title PublicInputsHarness: exposes PublicInputsLib to tests (unit tests only)
contract PublicInputsHarness {
    /// @notice PublicInputsLib.compute.
    /// @param oldRoot root before
    /// @param newRoot root after
    /// @param payee uint160 of the payee
    /// @param domain chainId * 2^160 + uint160(rollup)
    /// @param pubdata 20 * slots bytes
    /// @param slots T
    /// @return the public inputs
    function compute(uint256 oldRoot, uint256 newRoot, uint256 payee, uint256 domain, bytes calldata pubdata, uint256 slots)
        external
        pure
        returns (uint256[] memory)
    {
        return PublicInputsLib.compute(oldRoot, newRoot, payee, domain, pubdata, slots);
    }

    /// @notice PublicInputsLib.totalFees.
    /// @param pubdata 20 * slots bytes
    /// @param slots T
    /// @return the fee sum
    function totalFees(bytes calldata pubdata, uint256 slots) external pure returns (uint256) {
        return PublicInputsLib.totalFees(pubdata, slots);
    }
}
