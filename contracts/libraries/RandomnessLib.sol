// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {Errors} from "../errors/Errors.sol";
import {ClockLib} from "./ClockLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {ProposalLib} from "./ProposalLib.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title RandomnessLib: each height's randomness (the VRF input) and who may draw on it
/// @notice randomness(h) = keccak256("fernet-rollup/randomness", h, seed(h), VRF output of h - 2's winner). The seed
///         is block.prevrandao, recorded in the seed window (the `commitBlocks` blocks before h's proposal phase);
///         only stakes and VRF keys active before the activation cutoff (window start - keyActivationDelay) count.
/// @dev Seeds live in a ring of SEED_RING words (ERC-7201 slot: keccak256(abi.encode(uint256(keccak256(
///      "fernet-rollup.storage.Randomness")) - 1)) & ~0xff): word `h % SEED_RING` holds the top 224 bits of the
///      seed and, in its low 32 bits, the height it belongs to. Recording a seed then overwrites a word (5k gas)
///      instead of writing a fresh one (22.1k). A seed is needed from its recording through its height's commit
///      phase, and by a challenge of a claim at that height (`knownRandomnessOf`); 32 heights cover both with room.
///      Residual bias: docs/security.md, finding 5.
library RandomnessLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Randomness
    struct Storage {
        uint256[32] seeds; // SEED_RING
    }

    bytes32 internal constant STORAGE_SLOT = 0xc36d537fedd967892181c60ed2c25d3929c13811c9da91ac497f1552f5330500;

    /// @notice Heights whose seeds the ring keeps.
    uint256 internal constant SEED_RING = 32;
    uint256 private constant TAG_MASK = 0xffffffff;

    /// @dev Writes every seed word once (at deployment) with the tag 2^32 - 1 and no seed: `seedOf` reads it as
    ///      "not recorded" for every height, as it reads a zero word, and recording a seed then overwrites a word
    ///      (5k) from the first height on instead of writing a fresh one (22.1k).
    function init() internal {
        Storage storage $ = getStorage();
        for (uint256 i = 0; i < SEED_RING; ++i) {
            $.seeds[i] = TAG_MASK;
        }
    }

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Records `h`'s seed from this block's prevrandao, once: its top 224 bits (the low 32 bits of the word
    ///      are the height). A seed of 0 means "not recorded": a prevrandao below 2^32 (never seen after the merge)
    ///      is recorded as 2^32, a fixed map that gives the recorder no choice.
    function recordSeed(uint256 h) internal {
        if (seedRecorded(h)) return;
        uint256 seed = block.prevrandao & ~TAG_MASK;
        if (seed == 0) seed = TAG_MASK + 1;
        getStorage().seeds[h % SEED_RING] = seed | SafeCast.toUint32(h);
        emit IRollup.RandomnessRecorded(h, seed);
    }

    /// @dev `h`'s seed (0 if not recorded, or if its ring word has since been reused).
    function seedOf(uint256 h) internal view returns (uint256) {
        uint256 w = getStorage().seeds[h % SEED_RING];
        return (w & TAG_MASK) == h ? w & ~TAG_MASK : 0;
    }

    /// @dev Whether `h`'s seed is recorded.
    function seedRecorded(uint256 h) internal view returns (bool) {
        return seedOf(h) != 0;
    }

    /// @dev `recordRandomness`: anyone, in the seed window; a second call is a no-op.
    function recordInWindow(uint256 h) internal {
        uint256 start = ClockLib.timeline(h).proposalStart;
        uint256 windowStart = ClockLib.seedWindowStart(h);
        if (h == 0 || block.number < windowStart || block.number >= start) {
            revert Errors.Rollup__RandomnessWindowClosed(h, windowStart, start);
        }
        recordSeed(h);
    }

    /// @dev The randomness `h`'s VRF proofs must sign; 0 while its seed is not recorded. Height - 2's winner is
    ///      fixed before h's seed window opens, so neither side can choose the other (see Rollup.randomnessOf).
    function randomnessOf(uint256 h) internal view returns (uint256) {
        uint256 seed = seedOf(h);
        if (seed == 0) return 0;
        // From the seed's recording through h's commit phase (propose, the leading commit) height - 2's winner
        // record is in its proposal ring slot (reused RING heights later at the earliest): its output is read
        // without the proposal's tag check (winnerOf checks the height ring's).
        return _mix(h, seed, _prevWinnerOutput(h));
    }

    function _prevWinnerOutput(uint256 h) private view returns (uint256) {
        (uint256 back, address prev) = _prevWinner(h);
        return prev == address(0) ? 0 : ProposalLib.get(back, prev).vrfOutput;
    }

    /// @dev Height h - 2 (0 below height 2) and its winner, whose VRF output h's randomness mixes in.
    function _prevWinner(uint256 h) private view returns (uint256 back, address prev) {
        back = h < 2 ? 0 : h - 2;
        prev = ChainLib.winnerOf(back);
    }

    function _mix(uint256 h, uint256 seed, uint256 prevOutput) private pure returns (uint256) {
        return uint256(keccak256(abi.encode("fernet-rollup/randomness", h, seed, prevOutput)));
    }

    /// @dev `randomnessOf` and whether every input of it is still held: the seed in its ring word, and height - 2's
    ///      winner in the height ring and its record in its proposal ring slot. Always true from the seed's recording through `h`'s commit
    ///      phase; a judge of an older claim (`ProposalLib.voidFalseClaim`) must not take a forgotten input for 0.
    function knownRandomnessOf(uint256 h) internal view returns (bool known, uint256 r) {
        uint256 seed = seedOf(h);
        if (seed == 0) return (false, 0);
        (uint256 back, address prev) = _prevWinner(h);
        if (ChainLib.forgotten(back)) return (false, 0); // its winner is no longer known: not "no winner"
        uint256 prevOutput;
        if (prev != address(0)) {
            IRollup.Proposal storage b = ProposalLib.get(back, prev);
            if (b.height != back) return (false, 0);
            prevOutput = b.vrfOutput;
        }
        return (true, _mix(h, seed, prevOutput));
    }

    /// @dev The sequencer's stake and VRF key must have been active before `h`'s activation cutoff.
    function requireEligible(IStaking staking, uint256 h, address sequencer) internal view {
        uint256 since = staking.activeSince(sequencer, IStaking.Role.Sequencer);
        if (since == type(uint256).max) revert Errors.Rollup__NotActiveSequencer(sequencer);
        uint256 cutoff = ClockLib.activationCutoff(h);
        if (since >= cutoff) revert Errors.Rollup__StakeTooRecent(sequencer, since, cutoff);
    }

    /// @dev Cooperative: a unit proof's payee must have been an active prover (stake and VRF key) before `h`'s
    ///      activation cutoff, so that no prover can register a key once it knows the randomness it is scored on.
    function requireEligibleProver(IStaking staking, uint256 h, address prover) internal view {
        uint256 since = staking.activeSince(prover, IStaking.Role.Prover);
        if (since >= ClockLib.activationCutoff(h)) revert Errors.Rollup__NotEligibleProver(prover);
    }
}
