// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VrfLib} from "../libraries/VrfLib.sol";

/// @title VrfHarness: exposes VrfLib as external functions for tests (messages bind this contract's address)
contract VrfHarness {
    /// @notice See VrfLib.verify.
    function verify(uint256[4] memory pk, uint256 randomness, uint256 height, uint256[4] memory proof)
        external
        view
        returns (bool)
    {
        return VrfLib.verify(pk, randomness, height, proof);
    }

    /// @notice See VrfLib.output.
    function output(uint256[4] memory proof) external pure returns (uint256) {
        return VrfLib.output(proof);
    }

    /// @notice See VrfLib.verifyPossession.
    function verifyPossession(uint256[4] memory pk, address owner, uint256[2] memory pop) external view returns (bool) {
        return VrfLib.verifyPossession(pk, owner, pop);
    }

    /// @notice See VrfLib.verifyDleq.
    function verifyDleq(uint256[2] memory pkG1, uint256 randomness, uint256 height, uint256[4] memory proof)
        external
        view
        returns (bool)
    {
        return VrfLib.verifyDleq(pkG1, randomness, height, proof);
    }

    /// @notice See VrfLib.verifyKeyPair.
    function verifyKeyPair(uint256[4] memory pk, uint256[2] memory pkG1) external view returns (bool) {
        return VrfLib.verifyKeyPair(pk, pkG1);
    }

    /// @notice Gas used by VrfLib.verifyDleq, measured inside the call.
    function verifyDleqGas(uint256[2] memory pkG1, uint256 randomness, uint256 height, uint256[4] memory proof)
        external
        view
        returns (bool ok, uint256 gasUsed)
    {
        uint256 g = gasleft();
        ok = VrfLib.verifyDleq(pkG1, randomness, height, proof);
        gasUsed = g - gasleft();
    }

    /// @notice See VrfLib.hashToG1.
    function hashToG1(bytes memory message) external view returns (uint256 x, uint256 y) {
        return VrfLib.hashToG1(message);
    }

    /// @notice See VrfLib.vrfMessage (as seen from this contract).
    function vrfMessage(uint256 randomness, uint256 height) external view returns (bytes memory) {
        return VrfLib.vrfMessage(randomness, height);
    }

    /// @notice See VrfLib.popMessage (as seen from this contract).
    function popMessage(address owner) external view returns (bytes memory) {
        return VrfLib.popMessage(owner);
    }

    /// @notice Gas used by VrfLib.verify, measured inside the call (excludes calldata and ABI decoding).
    function verifyGas(uint256[4] memory pk, uint256 randomness, uint256 height, uint256[4] memory proof)
        external
        view
        returns (bool ok, uint256 gasUsed)
    {
        uint256 g = gasleft();
        ok = VrfLib.verify(pk, randomness, height, proof);
        gasUsed = g - gasleft();
    }

    /// @notice Gas used by VrfLib.verifyPossession, measured inside the call.
    function verifyPossessionGas(uint256[4] memory pk, address owner, uint256[2] memory pop)
        external
        view
        returns (bool ok, uint256 gasUsed)
    {
        uint256 g = gasleft();
        ok = VrfLib.verifyPossession(pk, owner, pop);
        gasUsed = g - gasleft();
    }
}
