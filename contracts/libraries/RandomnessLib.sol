// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {Errors} from "../errors/Errors.sol";
import {ClockLib} from "./ClockLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {ProposalLib} from "./ProposalLib.sol";

/// @title RandomnessLib: each height's randomness (the VRF input) and who may draw on it
/// @notice randomness(h) = keccak256("fernet-rollup/randomness", h, seed(h), VRF output of h - 2's winner). The seed
///         is block.prevrandao, recorded in the seed window (the `commitBlocks` blocks before h's proposal phase);
///         only stakes and VRF keys active before the activation cutoff (window start - keyActivationDelay) count.
/// @dev The seed lives in the height's record (ChainLib), in its own word (0 = not recorded). Residual bias:
///      docs/security.md, finding 5.
library RandomnessLib {
    /// @dev Records `h`'s seed from this block's prevrandao, once. A seed of 0 means "not recorded": a prevrandao of
    ///      0 (never seen after the merge) is recorded as 1, a fixed map that gives the recorder no choice.
    function recordSeed(uint256 h) internal {
        IRollup.Height storage ht = ChainLib.height(h);
        if (ht.seed != 0) return;
        uint256 seed = block.prevrandao == 0 ? 1 : block.prevrandao;
        ht.seed = seed;
        emit IRollup.RandomnessRecorded(h, seed);
    }

    /// @dev Whether `h`'s seed is recorded.
    function seedRecorded(uint256 h) internal view returns (bool) {
        return ChainLib.height(h).seed != 0;
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
        uint256 seed = ChainLib.height(h).seed;
        if (seed == 0) return 0;
        uint256 back = h < 2 ? 0 : h - 2;
        address prev = ChainLib.height(back).winner;
        uint256 prevOutput = prev == address(0) ? 0 : ProposalLib.get(back, prev).vrfOutput;
        return uint256(keccak256(abi.encode("fernet-rollup/randomness", h, seed, prevOutput)));
    }

    /// @dev The sequencer's stake and VRF key must have been active before `h`'s activation cutoff.
    function requireEligible(IStaking staking, uint256 h, address sequencer) internal view {
        uint256 since = staking.activeSince(sequencer, IStaking.Role.Sequencer);
        if (since == type(uint256).max) revert Errors.Rollup__NotActiveSequencer(sequencer);
        uint256 cutoff = ClockLib.activationCutoff(h);
        if (since >= cutoff) revert Errors.Rollup__StakeTooRecent(sequencer, since, cutoff);
    }
}
