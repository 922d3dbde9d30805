// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup, RollupConfig} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "./ConfigLib.sol";

/// @title ClockLib: heights, phases and deadlines in L1 blocks
/// @notice Height h (h >= 1) has a proposal, a reveal and a commit phase, back to back; height h+1's proposal phase
///         starts when h's commit phase ends. h must be proven before commitEnd(h) + provingWindow; then for
///         lateWindow blocks anyone may prove it on late terms; after that it may be reorged.
/// @dev Pure arithmetic over the phase lengths (ConfigLib's hot word; the proving windows from RollupConfig); no
///      state of its own.
library ClockLib {
    /// @dev Phase boundaries of `height` (each phase is [start, end)).
    function timeline(uint256 height) internal view returns (IRollup.Timeline memory t) {
        (t.proposalStart, t.revealStart, t.commitStart, t.commitEnd) = _phases(height);
        RollupConfig storage c = ConfigLib.get();
        t.provingDeadline = t.commitEnd + c.provingWindow;
        t.lateDeadline = t.provingDeadline + c.lateWindow;
    }

    /// @dev Where `height`'s proposal phase starts.
    function proposalStart(uint256 height) internal view returns (uint256 start) {
        (start,,,) = _phases(height);
    }

    /// @dev Where `height`'s commit phase ends.
    function commitEnd(uint256 height) internal view returns (uint256 end) {
        (,,, end) = _phases(height);
    }

    /// @dev The proposal, reveal and commit phases of `height` from the hot config word alone (the proving windows,
    ///      in a cold word, are read only past the commit phase).
    function _phases(uint256 height)
        private
        view
        returns (uint256 proposal, uint256 reveal, uint256 commit, uint256 end)
    {
        ConfigLib.Hot storage c = ConfigLib.hot();
        uint256 period = uint256(c.proposalBlocks) + c.revealBlocks + c.commitBlocks;
        proposal = uint256(c.genesisBlock) + (height == 0 ? 0 : height - 1) * period;
        reveal = proposal + c.proposalBlocks;
        commit = reveal + c.revealBlocks;
        end = commit + c.commitBlocks;
    }

    /// @dev The height whose proposal/reveal/commit phases contain `l1Block`, and that phase.
    function clockAt(uint256 l1Block) internal view returns (uint256 height, IRollup.Phase phase) {
        ConfigLib.Hot storage c = ConfigLib.hot();
        uint256 g = c.genesisBlock;
        if (l1Block < g) return (0, IRollup.Phase.NotStarted);
        uint256 period = uint256(c.proposalBlocks) + c.revealBlocks + c.commitBlocks;
        height = (l1Block - g) / period + 1;
        uint256 offset = (l1Block - g) % period;
        if (offset < c.proposalBlocks) phase = IRollup.Phase.Proposal;
        else if (offset < uint256(c.proposalBlocks) + c.revealBlocks) phase = IRollup.Phase.Reveal;
        else phase = IRollup.Phase.Commit;
    }

    /// @dev Phase of `height` at `l1Block`, including Proving / LateProving / Expired after the commit phase.
    function phaseOf(uint256 height, uint256 l1Block) internal view returns (IRollup.Phase) {
        (uint256 proposal, uint256 reveal, uint256 commit, uint256 end) = _phases(height);
        if (height == 0 || l1Block < proposal) return IRollup.Phase.NotStarted;
        if (l1Block < reveal) return IRollup.Phase.Proposal;
        if (l1Block < commit) return IRollup.Phase.Reveal;
        if (l1Block < end) return IRollup.Phase.Commit;
        RollupConfig storage c = ConfigLib.get();
        uint256 provingDeadline = end + c.provingWindow;
        if (l1Block < provingDeadline) return IRollup.Phase.Proving;
        if (l1Block < provingDeadline + c.lateWindow) return IRollup.Phase.LateProving;
        return IRollup.Phase.Expired;
    }

    function requirePhase(uint256 height, IRollup.Phase expected) internal view {
        IRollup.Phase actual = phaseOf(height, block.number);
        if (actual != expected) revert Errors.Rollup__WrongPhase(height, expected, actual);
    }

    /// @dev Whether `height`'s commit phase is over (its winner, if any, is final).
    function decided(uint256 height) internal view returns (bool) {
        return block.number >= commitEnd(height);
    }

    /// @dev The seed window of `height` is its `commitBlocks` blocks before the proposal phase (for height >= 2, the
    ///      commit phase of height - 1). Before it, nobody can know the randomness.
    function seedWindowStart(uint256 height) internal view returns (uint256) {
        uint256 start = proposalStart(height);
        uint256 w = ConfigLib.hot().commitBlocks;
        return start > w ? start - w : 0;
    }

    /// @dev `keyActivationDelay` blocks before the seed window: see RollupConfig.
    function activationCutoff(uint256 height) internal view returns (uint256) {
        uint256 ws = seedWindowStart(height);
        uint256 d = ConfigLib.hot().keyActivationDelay;
        return ws > d ? ws - d : 0;
    }
}
