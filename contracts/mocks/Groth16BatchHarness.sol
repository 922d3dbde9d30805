// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Groth16BatchLib} from "../libraries/Groth16BatchLib.sol";

/// @title Groth16BatchHarness
/// @notice Test harness exposing Groth16BatchLib for any verification key given at deployment (gas is measured
///         with a generated constant-key library instead: test/batch/gas.ts).
/// @dev The key is kept as the code of a data contract (read with EXTCODECOPY, about 3k gas) rather than in
///      storage (about 30 cold SLOADs, 60k gas), so that calls stay close to a constant-key contract's cost.
contract Groth16BatchHarness {
    /// @notice The key's data contract does not hold a well-formed key.
    error BadKeyWords(uint256 length);

    address private immutable keyData;
    uint256 private immutable keyWords;

    /// @notice Stores the key.
    /// @param vkWords alpha(2), beta(4), gamma(4), delta(4), then IC flat (2 * (nPub + 1) words).
    constructor(uint256[] memory vkWords) {
        if (vkWords.length < 16 || vkWords.length % 2 != 0) revert BadKeyWords(vkWords.length);
        bytes memory data = abi.encodePacked(vkWords);
        // Init code: PUSH4 len DUP1 PUSH1 14 PUSH1 0 CODECOPY PUSH1 0 RETURN, followed by the data.
        bytes memory init = abi.encodePacked(hex"63", uint32(data.length), hex"80600e6000396000f3", data);
        address a;
        assembly {
            a := create(0, add(init, 0x20), mload(init))
        }
        if (a == address(0)) revert BadKeyWords(vkWords.length);
        keyData = a;
        keyWords = vkWords.length;
    }

    /// @notice The stored verification key.
    /// @return key The key as Groth16BatchLib takes it.
    function vk() public view returns (Groth16BatchLib.VerifyingKey memory key) {
        uint256 icLen = keyWords - 14;
        uint256[] memory ic = new uint256[](icLen);
        address a = keyData;
        assembly ("memory-safe") {
            // Struct members are pointers to their (static) arrays, filled straight from the data contract.
            extcodecopy(a, mload(key), 0, 0x40)
            extcodecopy(a, mload(add(key, 0x20)), 0x40, 0x80)
            extcodecopy(a, mload(add(key, 0x40)), 0xc0, 0x80)
            extcodecopy(a, mload(add(key, 0x60)), 0x140, 0x80)
            extcodecopy(a, add(ic, 0x20), 0x1c0, shl(5, icLen))
        }
        key.ic = ic;
    }

    /// @notice Key id (Groth16BatchLib.vkId).
    /// @return The id.
    function vkId() public view returns (bytes32) {
        return Groth16BatchLib.vkId(vk());
    }

    /// @notice Batch verification.
    /// @param proofs The proofs (uint256[8] layout).
    /// @param publicInputs All inputs, row-major.
    /// @return True iff all proofs are valid.
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata publicInputs) external view returns (bool) {
        return Groth16BatchLib.verifyBatch(vk(), proofs, publicInputs);
    }

    /// @notice Single verification.
    /// @param proof The proof.
    /// @param publicInputs Its inputs.
    /// @return True iff valid.
    function verifySingle(uint256[8] calldata proof, uint256[] calldata publicInputs) external view returns (bool) {
        return Groth16BatchLib.verifySingle(vk(), proof, publicInputs);
    }

    /// @notice The Fiat-Shamir seed and coefficients of a batch (for the TypeScript twin's differential test).
    /// @param proofs The proofs.
    /// @param publicInputs All inputs, row-major.
    /// @return seed The seed.
    /// @return coeffs r_0 .. r_{n-1}.
    function coefficients(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        view
        returns (bytes32 seed, uint256[] memory coeffs)
    {
        seed = Groth16BatchLib.batchSeed(vkId(), proofs, publicInputs);
        coeffs = new uint256[](proofs.length);
        for (uint256 i = 0; i < proofs.length; i++) coeffs[i] = Groth16BatchLib.batchCoefficient(seed, i);
    }
}
