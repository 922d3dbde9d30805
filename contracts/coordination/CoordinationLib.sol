// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProvingDesign} from "../interfaces/IRollup.sol";
import {ConfigLib} from "../libraries/ConfigLib.sol";
import {SidecarLib} from "./SidecarLib.sol";

/// @title CoordinationLib: the prover-coordination seam
/// @notice The part of a height that decides who proves, what is escrowed, how the height's value is paid and what
///         a miss costs is the proving design's (`RollupConfig.provingDesign`, fixed at deployment). The Rollup and
///         the core libraries call only these hooks; each routes to the design's library. A design adds its library
///         and one branch per hook here (docs/architecture.md, "The seam", lists what a design must provide);
///         Sidecar (SidecarLib) is the first.
library CoordinationLib {
    function design() internal view returns (ProvingDesign) {
        return ConfigLib.get().provingDesign;
    }

    /// @dev At `propose`: the design's terms for the proposal's prover(s) (Sidecar: the share checked and the tip
    ///      offered; nothing is escrowed before the commit).
    function openTerms(uint256 proverTip, uint16 shareBps) internal view returns (uint256 offered, uint128 designTerms) {
        // One design today: every other value is refused by the ABI decoder at deployment.
        return SidecarLib.openTerms(proverTip, shareBps);
    }

    /// @dev At the commit of a revealed proposal (Sidecar: the named prover, its deposit and the tip escrowed).
    function commit(
        IERC20 token,
        bytes32 domainSeparator,
        uint256 height,
        address sequencer,
        address prover,
        bytes calldata proverSignature
    ) internal returns (address depositor, uint256 deposit, uint256 tip) {
        return SidecarLib.commit(token, domainSeparator, height, sequencer, prover, proverSignature);
    }

    /// @dev At finalization: pay the height's value and settle its escrow.
    function settleFinalized(
        uint256 height,
        address winner,
        address submitter,
        bool late,
        uint256 totalFees,
        uint256 feeSplitBps,
        uint128 designTerms
    ) internal returns (address proverPaid, uint256 proverReward, uint256 sequencerReward, uint256 submissionReward) {
        return SidecarLib.settleFinalized(height, winner, submitter, late, totalFees, feeSplitBps, designTerms);
    }

    /// @dev At a reorg of a missed height and its descendants: who pays for the miss.
    function settleReorg(
        uint256 missedHeight,
        address missedSeq,
        uint256[] memory lostHeights,
        address[] memory lostWinners,
        address caller
    ) internal returns (uint256 slashed, uint256 bounty) {
        return SidecarLib.settleReorg(missedHeight, missedSeq, lostHeights, lostWinners, caller);
    }

    /// @dev A proposal that holds no live height (lost, void, reorged): refund what it escrowed.
    function refund(uint256 height, address sequencer) internal {
        SidecarLib.refund(height, sequencer);
    }
}
