// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProvingDesign} from "../interfaces/IRollup.sol";
import {ConfigLib} from "../libraries/ConfigLib.sol";
import {SidecarLib} from "./SidecarLib.sol";
import {CooperativeLib} from "./CooperativeLib.sol";
import {Errors} from "../errors/Errors.sol";

/// @title CoordinationLib: the prover-coordination seam
/// @notice The part of a height that decides who proves, what is escrowed, how the height's value is paid and what
///         a miss costs is the proving design's (`RollupConfig.provingDesign`, fixed at deployment). The Rollup and
///         the core libraries call only these hooks; each routes to the design's library. A design adds its library
///         and one branch per hook here (docs/architecture.md, "The seam", lists what a design must provide):
///         Sidecar (SidecarLib) and Cooperative (CooperativeLib). A design's own entry points (Sidecar's
///         `commitProver`, Cooperative's `commitUnits` and `submitUnitProof`) check the design with `require`.
library CoordinationLib {
    function design() internal view returns (ProvingDesign) {
        return ConfigLib.hot().provingDesign;
    }

    /// @dev Reverts unless the Rollup runs `expected` (a design's own entry point called on another design).
    function requireDesign(ProvingDesign expected) internal view {
        ProvingDesign deployed = design();
        if (deployed != expected) revert Errors.Rollup__WrongDesign(uint8(deployed));
    }

    /// @dev At `propose`: the design's terms for the proposal's prover(s) (Sidecar: the share checked and the tip
    ///      offered; nothing is escrowed before the commit).
    function openTerms(uint256 proverTip, uint16 shareBps) internal view returns (uint256 offered, uint128 designTerms) {
        if (design() == ProvingDesign.Cooperative) return CooperativeLib.openTerms(proverTip, shareBps);
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
        requireDesign(ProvingDesign.Sidecar);
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
        if (design() == ProvingDesign.Cooperative) {
            return CooperativeLib.settleFinalized(height, winner, submitter, late, totalFees, feeSplitBps);
        }
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
        if (design() == ProvingDesign.Cooperative) {
            return CooperativeLib.settleReorg(missedHeight, missedSeq, lostHeights, lostWinners, caller);
        }
        return SidecarLib.settleReorg(missedHeight, missedSeq, lostHeights, lostWinners, caller);
    }

    /// @dev At `warmProposalSlots`: the design's per-proposal words written once (Sidecar: the terms ring; Cooperative
    ///      keeps its per-height words in its own records and warms nothing here).
    function warmSlots(address sequencer) internal {
        if (design() == ProvingDesign.Sidecar) SidecarLib.warmTerms(sequencer);
    }

    /// @dev A proposal that holds no live height (lost, void, reorged): refund what it escrowed.
    function refund(uint256 height, address sequencer) internal {
        if (design() == ProvingDesign.Cooperative) return CooperativeLib.refund(height, sequencer);
        SidecarLib.refund(height, sequencer);
    }
}
