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
/// @notice randomness(h) = the top 224 bits of keccak256("fernet-rollup/randomness", h, seed(h), VRF output of h - 2's
///         winner) (2^32 if those are 0). The seed is block.prevrandao, recorded in the seed window (the
///         `commitBlocks` blocks before h's proposal phase); only stakes and VRF keys active before the activation
///         cutoff (window start - keyActivationDelay) count.
/// @dev The randomness is computed once, when its seed is recorded, and stored: `propose` and the leading commit then
///      read one word instead of three (the seed, h - 2's height record and its winner's proposal). Height - 2's
///      winner is fixed by then (its commit phase ended before h's seed window opened), so the stored value is the
///      one a later read would have computed, and it stays fixed whatever happens to h - 2 afterwards.
///      Randomness lives in a ring of SEED_RING words (ERC-7201 slot: keccak256(abi.encode(uint256(keccak256(
///      "fernet-rollup.storage.Randomness")) - 1)) & ~0xff): word `h % SEED_RING` holds the randomness (its low 32
///      bits are 0) and, in its low 32 bits, the height it belongs to. Recording then overwrites a word (5k gas)
///      instead of writing a fresh one (22.1k). A height's randomness is needed from its recording through its commit
///      phase, and by a challenge of a claim at that height (`randomnessOf`, 0 once forgotten); 32 heights cover both with room.
///      Residual bias: docs/security.md, finding 5.
library RandomnessLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Randomness
    struct Storage {
        uint256[32] words; // SEED_RING: randomness | uint32(height)
    }

    bytes32 internal constant STORAGE_SLOT = 0xc36d537fedd967892181c60ed2c25d3929c13811c9da91ac497f1552f5330500;

    /// @notice Heights whose randomness the ring keeps.
    uint256 internal constant SEED_RING = 32;
    uint256 private constant TAG_MASK = 0xffffffff;

    /// @dev Writes every ring word once (at deployment) with the tag 2^32 - 1 and no randomness: `randomnessOf` reads
    ///      it as "not recorded" for every height, as it reads a zero word, and recording then overwrites a word (5k)
    ///      from the first height on instead of writing a fresh one (22.1k).
    function init() internal {
        Storage storage $ = getStorage();
        for (uint256 i = 0; i < SEED_RING; ++i) {
            $.words[i] = TAG_MASK;
        }
    }

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Records `h`'s randomness, once, from this block's prevrandao (the seed: its top 224 bits; a prevrandao
    ///      below 2^32, never seen after the merge, is taken as 2^32, a fixed map that gives the recorder no choice)
    ///      and height h - 2's winner's VRF output, which is final by now (see the library's notes).
    function recordSeed(uint256 h) internal {
        if (seedRecorded(h)) return;
        uint256 seed = block.prevrandao & ~TAG_MASK;
        if (seed == 0) seed = TAG_MASK + 1;
        uint256 randomness = mix(h, seed, _prevWinnerOutput(h));
        getStorage().words[h % SEED_RING] = randomness | SafeCast.toUint32(h);
        emit IRollup.RandomnessRecorded(h, randomness);
    }

    /// @dev The randomness of `h` from its inputs: the top 224 bits of the keccak (the low 32 bits of the stored word
    ///      are the height), 2^32 if they are all 0, so that a recorded randomness is never 0 ("not recorded").
    function mix(uint256 h, uint256 seed, uint256 prevOutput) internal pure returns (uint256 r) {
        r = uint256(keccak256(abi.encode("fernet-rollup/randomness", h, seed, prevOutput))) & ~TAG_MASK;
        if (r == 0) r = TAG_MASK + 1;
    }

    /// @dev Whether `h`'s randomness is recorded (and still in its ring word).
    function seedRecorded(uint256 h) internal view returns (bool) {
        return randomnessOf(h) != 0;
    }

    /// @dev `recordRandomness`: anyone, in the seed window; a second call is a no-op.
    function recordInWindow(uint256 h) internal {
        uint256 start = ClockLib.proposalStart(h);
        uint256 windowStart = ClockLib.seedWindowStart(h);
        if (h == 0 || block.number < windowStart || block.number >= start) {
            revert Errors.Rollup__RandomnessWindowClosed(h, windowStart, start);
        }
        recordSeed(h);
    }

    /// @dev The randomness `h`'s VRF proofs must sign; 0 while it is not recorded or once its ring word was reused
    ///      (held for SEED_RING heights from its recording): a judge of an older claim (`ProposalLib.voidFalseClaim`,
    ///      Cooperative's unit scores) must refuse to judge on 0, never take it for a value.
    function randomnessOf(uint256 h) internal view returns (uint256) {
        uint256 w = getStorage().words[h % SEED_RING];
        return (w & TAG_MASK) == h ? w & ~TAG_MASK : 0;
    }

    /// @dev The VRF output of height h - 2's winner (0 below height 2 or if it had none), read at the recording. Its
    ///      record is in its proposal ring slot then (a winner's record is reused RING heights later at the earliest).
    function _prevWinnerOutput(uint256 h) private view returns (uint256) {
        uint256 back = h < 2 ? 0 : h - 2;
        address prev = ChainLib.winnerOf(back);
        return prev == address(0) ? 0 : ProposalLib.get(back, prev).vrfOutput;
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
