// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRollup, RollupConfig} from "../interfaces/IRollup.sol";
import {ISidecar} from "./ISidecar.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "../libraries/ConfigLib.sol";
import {LedgerLib} from "../libraries/LedgerLib.sol";
import {TreasuryLib} from "../libraries/TreasuryLib.sol";
import {RewardsLib} from "../libraries/RewardsLib.sol";
import {ReorgLib} from "../libraries/ReorgLib.sol";
import {ProposalLib} from "../libraries/ProposalLib.sol";

/// @title SidecarLib: the Sidecar prover-coordination design (seed 004), behind the seam (CoordinationLib)
/// @notice Who proves: the prover the winning sequencer named at its commit. What is escrowed: the sequencer's
///         proverTip (at `propose`) and the proverDeposit (at the commit, from the sequencer or, with its EIP-712
///         consent, the prover). Paid: at finalization, the FEE_SPLIT share of the pot is burnt, proverRewardShare
///         of the rest and the tip go to the prover, the remainder to the sequencer, the deposit back; a late proof's
///         payee takes the prover's reward and lateProverShare of the deposit. A miss: the deposit is slashed, a
///         bounty to whoever reorgs, the rest to the sequencers of the lost descendants (not the culprit's).
/// @dev Linked (external functions run in the Rollup's context via DELEGATECALL). ERC-7201 slot:
///      keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Sidecar")) - 1)) & ~0xff.
library SidecarLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Sidecar
    struct Storage {
        mapping(uint256 => mapping(address => ISidecar.ProverTerms)) terms;
    }

    bytes32 internal constant STORAGE_SLOT = 0x5be2e4eab38df175d13faaa613e7796c0b8c13006d621252453de27fa88dd300;

    /// @notice EIP-712 type of a prover's consent to fund the deposit of `sequencer`'s proposal at `height`.
    bytes32 internal constant PROVER_COMMITMENT_TYPEHASH =
        keccak256("ProverCommitment(uint256 height,address sequencer,address prover,uint256 deposit)");

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice The terms slot of (height, sequencer): a ring like the proposals' (ProposalLib.RING), written whole
    ///         at the commit. It means something only while the proposal's design word has the ESCROWED bit (set at
    ///         that commit); before it, the slot may hold an older height's terms.
    function termsOf(uint256 height, address sequencer) internal view returns (ISidecar.ProverTerms storage) {
        return getStorage().terms[height % ProposalLib.RING][sequencer];
    }

    /// @notice Writes `sequencer`'s RING terms slots once (with its proposal slots, `ProposalLib.warmSlots`): a warmed
    ///         word (prover = address(1), no deposit) means nothing, as a zero one does, until a commit sets the
    ///         ESCROWED bit and writes it whole; the commit then overwrites a word (5k) instead of a fresh one (22.1k).
    ///         Only never-written words are touched.
    function warmTerms(address sequencer) external {
        Storage storage $ = getStorage();
        for (uint256 i = 0; i < ProposalLib.RING; ++i) {
            ISidecar.ProverTerms storage t = $.terms[i][sequencer];
            if (t.prover == address(0) && t.deposit == 0 && !t.proverFunded) t.prover = address(1);
        }
    }

    /// @notice The EIP-712 struct hash of a ProverCommitment.
    function structHash(uint256 height, address sequencer, address prover, uint256 deposit)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(PROVER_COMMITMENT_TYPEHASH, height, sequencer, prover, deposit));
    }

    /// @notice At `propose`: checks the prover's share and records the offered tip. Nothing is escrowed here: the
    ///         tip is escrowed at the commit, so a proposal that never commits (a loser need not reveal or commit)
    ///         holds nothing and needs no release. Internal: it runs inside `propose`.
    /// @return offered the tip offered
    /// @return terms the proposal's design word (`packTerms`: the tip and the share, not yet escrowed)
    function openTerms(uint256 proverTip, uint16 shareBps) internal view returns (uint256 offered, uint128 terms) {
        uint256 maxShare = ConfigLib.hot().maxProverRewardShareBps;
        if (shareBps > maxShare) revert Errors.Rollup__ProverRewardShareOutOfRange(shareBps, maxShare);
        return (proverTip, packTerms(proverTip, shareBps, false));
    }

    /// @dev Bit of the design word set once the tip is escrowed (at the commit).
    uint128 internal constant ESCROWED = uint128(1) << 112;

    /// @notice A proposal's design word: escrowed (bit 112) | proverTip (uint96) << 16 | proverRewardShareBps.
    function packTerms(uint256 proverTip, uint16 shareBps, bool escrowed) internal pure returns (uint128) {
        return (escrowed ? ESCROWED : 0) | (uint128(SafeCast.toUint96(proverTip)) << 16) | shareBps;
    }

    /// @notice The tip a proposal offered (escrowed from its commit on).
    function tipOf(uint128 designTerms) internal pure returns (uint256) {
        return uint96(designTerms >> 16);
    }

    /// @notice The tip a proposal holds in escrow: 0 before its commit.
    function escrowedTipOf(uint128 designTerms) internal pure returns (uint256) {
        return designTerms & ESCROWED == 0 ? 0 : uint96(designTerms >> 16);
    }

    /// @notice The share of the pot a proposal offered its prover, in basis points.
    function shareOf(uint128 designTerms) internal pure returns (uint256) {
        return uint16(designTerms);
    }

    function _designTerms(uint256 height, address sequencer) private view returns (uint128) {
        return ProposalLib.get(height, sequencer).designTerms;
    }

    /// @notice At the commit: names the prover, escrows the offered tip (from the sequencer) and the deposit (from
    ///         the sequencer, or from the prover if `proverSignature` is its EIP-712 ProverCommitment under
    ///         `domainSeparator`). Each is drawn from the payer's balance here first, the rest pulled
    ///         (LedgerLib.collect).
    /// @return depositor who paid the deposit
    /// @return received the deposit that arrived (at least proverDeposit)
    /// @return tip the tip escrowed (what arrived of the offered tip)
    function commit(
        IERC20 token,
        bytes32 domainSeparator,
        uint256 height,
        address sequencer,
        address prover,
        bytes calldata proverSignature
    ) external returns (address depositor, uint256 received, uint256 tip) {
        uint256 required = ConfigLib.proverDeposit();
        bool proverFunded = proverSignature.length != 0;
        depositor = sequencer;
        if (proverFunded) {
            bytes32 digest =
                MessageHashUtils.toTypedDataHash(domainSeparator, structHash(height, sequencer, prover, required));
            if (!SignatureChecker.isValidSignatureNow(prover, digest, proverSignature)) {
                revert Errors.Rollup__InvalidProverSignature(prover);
            }
            depositor = prover;
        }
        received = LedgerLib.collect(token, depositor, required);
        if (received < required) revert Errors.Rollup__InsufficientReceived(received, required);
        IRollup.Proposal storage p = ProposalLib.get(height, sequencer);
        uint128 terms = p.designTerms;
        tip = LedgerLib.collect(token, sequencer, tipOf(terms));
        // The proposal's word was just written by the ranking (same slot): rewriting it costs 100 gas.
        p.designTerms = packTerms(tip, uint16(shareOf(terms)), true);
        TreasuryLib.addEscrow(received + tip);
        ISidecar.ProverTerms storage t = termsOf(height, sequencer);
        t.prover = prover;
        t.deposit = SafeCast.toUint88(received);
        t.proverFunded = proverFunded;
    }

    /// @notice At finalization of `height`: pays the height's value from the pool and settles its escrow
    ///         (RewardsLib.split). A late proof's payee did the prover's work: it takes the prover's reward.
    ///         Internal: it runs inside the finalizing call's library (no call into this one).
    /// @return proverPaid who got the prover's reward
    /// @return proverReward the prover's reward (tip included)
    /// @return sequencerReward the sequencer's reward
    /// @return submissionReward the submitter's reward
    function settleFinalized(
        uint256 height,
        address winner,
        address submitter,
        bool late,
        uint256 totalFees,
        uint256 feeSplitBps,
        uint128 designTerms
    ) internal returns (address proverPaid, uint256 proverReward, uint256 sequencerReward, uint256 submissionReward) {
        ISidecar.ProverTerms memory t = termsOf(height, winner); // one word, read once
        RewardsLib.Split memory s = _drawSplit(t.deposit, late, totalFees, feeSplitBps, designTerms);
        proverPaid = late ? submitter : t.prover;
        // One write per account (the submitter is often the prover, the sequencer often its own depositor).
        LedgerLib.creditEach(
            [TreasuryLib.BURN_ADDRESS, submitter, proverPaid, winner, t.proverFunded ? t.prover : winner],
            [s.burnt, s.submission + s.depositToRescuer, s.prover, s.sequencer, s.depositBack]
        );
        if (late) emit ISidecar.LateProofSettled(height, submitter, s.depositToRescuer, s.depositSlashed);
        return (proverPaid, s.prover, s.sequencer, s.submission);
    }

    /// @dev Computes the split from the pool and releases the escrow: the pool pays what is used and takes back a
    ///      slashed deposit share; FEE_SPLIT's share is burnt (credited to BURN_ADDRESS by the caller).
    function _drawSplit(uint256 deposit, bool late, uint256 totalFees, uint256 feeSplitBps, uint128 designTerms)
        private
        returns (RewardsLib.Split memory s)
    {
        TreasuryLib.Storage storage $ = TreasuryLib.getStorage();
        s = RewardsLib.split(
            $.rewardPool,
            ConfigLib.get().submissionReward,
            ConfigLib.get().blockReward,
            totalFees,
            feeSplitBps,
            shareOf(designTerms),
            escrowedTipOf(designTerms),
            deposit,
            late,
            late ? ConfigLib.get().lateProverShareBps : 0 // an on-time split never uses it: no read of its config word
        );
        $.rewardPool = SafeCast.toUint128($.rewardPool - s.poolUsed + s.depositSlashed);
        TreasuryLib.releaseEscrow(escrowedTipOf(designTerms) + deposit);
    }

    /// @notice At a reorg: `missedHeight`'s deposit is slashed (a bounty to `caller`, the rest in equal parts to the
    ///         sequencers of the lost descendants other than the missed block's sequencer and depositor, dust or
    ///         all of it if nobody is eligible to the pool); its tip goes back to its sequencer; the descendants'
    ///         tips and deposits are refunded (not their fault).
    /// @param lostHeights the descendants, from the last to the first
    /// @param lostWinners their winners
    /// @return slashed the missed height's deposit
    /// @return bounty the caller's share
    function settleReorg(
        uint256 missedHeight,
        address missedSeq,
        uint256[] calldata lostHeights,
        address[] calldata lostWinners,
        address caller
    ) external returns (uint256 slashed, uint256 bounty) {
        ISidecar.ProverTerms storage w = termsOf(missedHeight, missedSeq);
        address depositor = w.proverFunded ? w.prover : missedSeq;
        slashed = w.deposit;
        uint256 perSequencer;
        (bounty, perSequencer) = _slashMissed(
            slashed, escrowedTipOf(_designTerms(missedHeight, missedSeq)), missedSeq, depositor, lostWinners, caller
        );
        emit IRollup.HeightReorgedOut(missedHeight, missedSeq, 0);
        for (uint256 i = 0; i < lostHeights.length; ++i) {
            address seq = lostWinners[i];
            _refund(lostHeights[i], seq);
            uint256 share = (seq != missedSeq && seq != depositor) ? perSequencer : 0;
            LedgerLib.credit(seq, share);
            emit IRollup.HeightReorgedOut(lostHeights[i], seq, share);
        }
    }

    /// @dev Slashes the missed proposal's deposit (bounty to `caller`, the rest shared by the eligible lost
    ///      sequencers, dust to the pool) and refunds its tip to its sequencer.
    function _slashMissed(
        uint256 slashed,
        uint256 tipRefund,
        address missedSeq,
        address depositor,
        address[] calldata lostWinners,
        address caller
    ) private returns (uint256 bounty, uint256 perSequencer) {
        // Whoever caused the miss (its sequencer, or the depositor) gets no share for its own lost blocks:
        // otherwise a sequencer winning the descendants would get its own slashed deposit back.
        uint256 eligible = 0;
        for (uint256 i = 0; i < lostWinners.length; ++i) {
            if (lostWinners[i] != missedSeq && lostWinners[i] != depositor) ++eligible;
        }
        uint256 toPool;
        (bounty, perSequencer, toPool) = ReorgLib.shares(slashed, ConfigLib.get().reorgBountyBps, eligible);
        TreasuryLib.Storage storage $ = TreasuryLib.getStorage();
        TreasuryLib.releaseEscrow(slashed + tipRefund);
        $.rewardPool = SafeCast.toUint128($.rewardPool + toPool);
        LedgerLib.credit(caller, bounty);
        LedgerLib.credit(missedSeq, tipRefund);
    }

    /// @notice Refunds a proposal's tip (to the sequencer) and deposit (to its depositor) into `claimable`.
    function refund(uint256 height, address sequencer) external {
        _refund(height, sequencer);
    }

    function _refund(uint256 height, address sequencer) private {
        ISidecar.ProverTerms storage t = termsOf(height, sequencer);
        uint128 designTerms = _designTerms(height, sequencer);
        // Nothing was escrowed before the commit; the terms slot may then hold an older height's (settled) terms.
        if (designTerms & ESCROWED == 0) {
            emit ISidecar.EscrowReleased(height, sequencer, 0, 0);
            return;
        }
        uint256 tipRefund = escrowedTipOf(designTerms);
        uint256 depositRefund = t.deposit;
        TreasuryLib.releaseEscrow(tipRefund + depositRefund);
        LedgerLib.credit(sequencer, tipRefund);
        LedgerLib.credit(t.proverFunded ? t.prover : sequencer, depositRefund);
        emit ISidecar.EscrowReleased(height, sequencer, tipRefund, depositRefund);
    }
}
