// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RollupConfig, ProvingDesign} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";

/// @title ConfigLib: the Rollup's parameters, fixed at deployment, in their own storage slice
/// @dev ERC-7201 namespaced storage, so that every library reads the same parameters without the facade passing
///      them. Slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Config")) - 1)) & ~0xff
///      (checked in test/solidity/StorageLayout.t.sol).
library ConfigLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Config
    struct Storage {
        RollupConfig config;
    }

    bytes32 internal constant STORAGE_SLOT = 0xf13e10ab630938ffd3468fbfa2503858944b5704ea26bc4c79e5be099516ab00;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev The parameters.
    function get() internal view returns (RollupConfig storage) {
        return getStorage().config;
    }

    /// @dev Checks and stores the parameters; a zero `genesisBlock` becomes deployment + commitBlocks, so that
    ///      height 1's seed window opens at deployment and its randomness can be recorded.
    function init(RollupConfig memory c) internal {
        if (c.proposalBlocks == 0 || c.revealBlocks == 0 || c.commitBlocks == 0) {
            revert Errors.Rollup__InvalidConfig("phase length");
        }
        if (c.slots == 0) revert Errors.Rollup__InvalidConfig("slots");
        if (c.minFeeSplitBps > c.maxFeeSplitBps) revert Errors.Rollup__InvalidConfig("feeSplit bounds");
        if (c.maxProverRewardShareBps > 10_000) revert Errors.Rollup__InvalidConfig("maxProverRewardShareBps");
        if (c.lateProverShareBps > 10_000 || c.reorgBountyBps > 10_000) revert Errors.Rollup__InvalidConfig("bps");
        if (c.maxPendingHeights == 0 || c.maxPendingHeights > 64) revert Errors.Rollup__InvalidConfig("maxPendingHeights");
        // Sidecar keeps a deposit in 88 bits (with the prover in one word): refuse what no commit could hold.
        if (c.proverDeposit > type(uint88).max) revert Errors.Rollup__InvalidConfig("proverDeposit");
        // K units of T/K slots; Sidecar proves the whole block in one proof.
        if (c.units == 0 || c.units > 32 || c.slots % c.units != 0) revert Errors.Rollup__InvalidConfig("units");
        if (c.provingDesign == ProvingDesign.Sidecar && c.units != 1) revert Errors.Rollup__InvalidConfig("units");
        // Cooperative scores unit proofs until the close (at most the late deadline) with the height's randomness,
        // whose inputs live in rings (seeds 32 heights, proposals 32 per sequencer): the windows must end well
        // within them, else late paid proofs would revert StatementForgotten.
        if (
            c.provingDesign == ProvingDesign.Cooperative
                && uint256(c.provingWindow) + c.lateWindow > 12 * (uint256(c.proposalBlocks) + c.revealBlocks + c.commitBlocks)
        ) revert Errors.Rollup__InvalidConfig("proving windows");
        if (c.genesisBlock == 0) c.genesisBlock = uint64(block.number + c.commitBlocks);
        if (c.genesisBlock < block.number) revert Errors.Rollup__InvalidConfig("genesisBlock");
        getStorage().config = c;
    }
}
