// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Errors} from "../errors/Errors.sol";

/// @title PublicInputsLib: the block proof's public inputs, rebuilt from revealed pubdata (docs/architecture.md)
/// @notice inputs = [oldRoot, newRoot, totalFees, payee, domain, word_0, ..., word_{T-1}] (5 + T), where word_i is
///         slot i's 20 pubdata bytes (from u32 | to u32 | amount u64 | fee u32) read big-endian, totalFees the sum
///         of the fees, payee the uint160 of the address the proof pays (a copied or re-randomized proof pays its
///         author or nobody), and domain = chainId * 2^160 + uint160(rollup), the L2 domain every transfer signs.
/// @dev TypeScript twin: src/l2/publicInputs.ts. Rebuilding the words is a shift per slot, cheaper than any hash.
library PublicInputsLib {
    /// @notice Bytes of pubdata per slot.
    uint256 internal constant SLOT_BYTES = 20;
    /// @notice Public inputs before the words: oldRoot, newRoot, totalFees, payee, domain.
    uint256 internal constant HEADER_INPUTS = 5;

    /// @notice Builds the public inputs of a block proof.
    /// @param oldRoot state root before the block (the parent's root)
    /// @param newRoot state root after the block
    /// @param payee uint160 of the address the proof pays (the caller passes uint256(uint160(addr)))
    /// @param domain chainId * 2^160 + uint160(rollup address), the L2 domain of the block's signatures
    /// @param pubdata the block's pubdata, exactly 20 * slots bytes
    /// @param slots T, the number of slots of the circuit
    /// @return inputs the 5 + T public inputs
    function compute(uint256 oldRoot, uint256 newRoot, uint256 payee, uint256 domain, bytes calldata pubdata, uint256 slots)
        internal
        pure
        returns (uint256[] memory inputs)
    {
        inputs = new uint256[](HEADER_INPUTS + slots);
        computeInto(inputs, 0, oldRoot, newRoot, payee, domain, pubdata, slots);
    }

    /// @notice `compute`, written into `out` from index `at` on (5 + T entries): a batch's rows go into one array
    ///         without an array per row and a copy (issue 13), a unit's inputs into an array one longer.
    /// @param out the array to write; must hold at + 5 + slots entries
    /// @param at the first index written
    function computeInto(
        uint256[] memory out,
        uint256 at,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 payee,
        uint256 domain,
        bytes calldata pubdata,
        uint256 slots
    ) internal pure {
        _requireLength(pubdata, slots);
        out[at] = oldRoot;
        out[at + 1] = newRoot;
        out[at + 3] = payee;
        out[at + 4] = domain;
        uint256 fees;
        for (uint256 i = 0; i < slots; ++i) {
            uint256 word = _word(pubdata, i);
            out[at + HEADER_INPUTS + i] = word;
            fees += word & 0xffffffff;
        }
        out[at + 2] = fees;
    }

    /// @notice Sum of the fees of a block's pubdata (the `totalFees` public input).
    /// @param pubdata the block's pubdata, exactly 20 * slots bytes
    /// @param slots T
    /// @return fees sum of the u32 fee fields
    function totalFees(bytes calldata pubdata, uint256 slots) internal pure returns (uint256 fees) {
        _requireLength(pubdata, slots);
        for (uint256 i = 0; i < slots; ++i) {
            fees += _word(pubdata, i) & 0xffffffff;
        }
    }

    /// @dev pubdata must hold exactly T slots.
    function _requireLength(bytes calldata pubdata, uint256 slots) private pure {
        if (pubdata.length != SLOT_BYTES * slots) revert Errors.Rollup__BadPubdataLength(pubdata.length, SLOT_BYTES * slots);
    }

    /// @dev Slot i's word: the 32-byte load starting at the slot, its top 20 bytes (trailing bytes are discarded;
    ///      calldata reads past the end are zero).
    function _word(bytes calldata pubdata, uint256 i) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := shr(96, calldataload(add(pubdata.offset, mul(i, 20))))
        }
    }

    /// @notice Number of non-empty slots (a no-op slot is all zero) of a block's pubdata: the revealed signatures
    ///         hold 64 bytes for each.
    /// @param pubdata the block's pubdata (20 bytes per slot)
    /// @return n the count
    function nonEmptySlots(bytes calldata pubdata) internal pure returns (uint256 n) {
        uint256 slots = pubdata.length / SLOT_BYTES;
        for (uint256 i = 0; i < slots; ++i) {
            if (_word(pubdata, i) != 0) ++n;
        }
    }
}
