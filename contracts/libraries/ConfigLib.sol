// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RollupConfig, ProvingDesign} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";

/// @title ConfigLib: the Rollup's parameters, fixed at deployment, in their own storage slice
/// @dev ERC-7201 namespaced storage, so that every library reads the same parameters without the facade passing
///      them. Slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Config")) - 1)) & ~0xff
///      (checked in test/solidity/StorageLayout.t.sol).
library ConfigLib {
    /// @notice The parameters `propose` and every commit read, packed into one storage word so that each of those
    ///         transactions reads one cold config word instead of two (2.1k gas each, issue 13). A copy of the
    ///         RollupConfig fields of the same names (narrower types, checked at `init`); the proving windows stay in
    ///         RollupConfig only (`ClockLib` reads them past the commit phase). proverDeposit is kept as
    ///         depositMantissa x 10^depositExponent (exact, see `init`): 56 + 8 bits instead of 88.
    struct Hot {
        uint40 genesisBlock;
        uint16 proposalBlocks;
        uint16 revealBlocks;
        uint16 commitBlocks;
        uint16 slots;
        uint16 minFeeSplitBps;
        uint16 maxFeeSplitBps;
        uint16 maxProverRewardShareBps;
        bool feeSplitScore;
        ProvingDesign provingDesign;
        uint8 maxPendingHeights;
        uint16 keyActivationDelay;
        uint56 depositMantissa;
        uint8 depositExponent;
    }

    /// @custom:storage-location erc7201:fernet-rollup.storage.Config
    struct Storage {
        RollupConfig config;
        Hot hot;
    }

    bytes32 internal constant STORAGE_SLOT = 0xf13e10ab630938ffd3468fbfa2503858944b5704ea26bc4c79e5be099516ab00;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev The parameters (what `hot` holds is read from there instead: one word for the hot paths).
    function get() internal view returns (RollupConfig storage) {
        return getStorage().config;
    }

    /// @dev The parameters `propose` and the commits read, in one word.
    function hot() internal view returns (Hot storage) {
        return getStorage().hot;
    }

    /// @dev proverDeposit, from the hot word.
    function proverDeposit() internal view returns (uint256) {
        Hot storage h = getStorage().hot;
        return uint256(h.depositMantissa) * 10 ** h.depositExponent;
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
        getStorage().hot = _hot(c);
    }

    /// @dev The hot word of `c`: each field must fit its narrower type (phases, T and keyActivationDelay below 2^16,
    ///      genesisBlock below 2^40), and proverDeposit must be m x 10^e with m < 2^56 (any deposit of at most 16
    ///      significant digits).
    function _hot(RollupConfig memory c) private pure returns (Hot memory h) {
        if (c.proposalBlocks > type(uint16).max || c.revealBlocks > type(uint16).max || c.commitBlocks > type(uint16).max) {
            revert Errors.Rollup__InvalidConfig("phase length");
        }
        if (c.slots > type(uint16).max) revert Errors.Rollup__InvalidConfig("slots");
        if (c.keyActivationDelay > type(uint16).max) revert Errors.Rollup__InvalidConfig("keyActivationDelay");
        if (c.genesisBlock > type(uint40).max) revert Errors.Rollup__InvalidConfig("genesisBlock");
        uint256 mantissa = c.proverDeposit;
        uint256 exponent = 0;
        while (mantissa > type(uint56).max && mantissa % 10 == 0) {
            mantissa /= 10;
            ++exponent;
        }
        if (mantissa > type(uint56).max) revert Errors.Rollup__InvalidConfig("proverDeposit");
        h = Hot({
            genesisBlock: uint40(c.genesisBlock),
            proposalBlocks: uint16(c.proposalBlocks),
            revealBlocks: uint16(c.revealBlocks),
            commitBlocks: uint16(c.commitBlocks),
            slots: uint16(c.slots),
            minFeeSplitBps: c.minFeeSplitBps,
            maxFeeSplitBps: c.maxFeeSplitBps,
            maxProverRewardShareBps: c.maxProverRewardShareBps,
            feeSplitScore: c.feeSplitScore,
            provingDesign: c.provingDesign,
            maxPendingHeights: uint8(c.maxPendingHeights),
            keyActivationDelay: uint16(c.keyActivationDelay),
            depositMantissa: uint56(mantissa),
            depositExponent: uint8(exponent)
        });
    }
}
