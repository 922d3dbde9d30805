// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IRollup, RollupConfig} from "../interfaces/IRollup.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";
import {ICooperative} from "./ICooperative.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "../libraries/ConfigLib.sol";
import {ClockLib} from "../libraries/ClockLib.sol";
import {ChainLib} from "../libraries/ChainLib.sol";
import {LedgerLib} from "../libraries/LedgerLib.sol";
import {TreasuryLib} from "../libraries/TreasuryLib.sol";
import {ReorgLib} from "../libraries/ReorgLib.sol";
import {ProposalLib} from "../libraries/ProposalLib.sol";
import {ProposeLib} from "../libraries/ProposeLib.sol";
import {RandomnessLib} from "../libraries/RandomnessLib.sol";
import {VrfLib} from "../libraries/VrfLib.sol";
import {PublicInputsLib} from "../libraries/PublicInputsLib.sol";
import {ProofLib} from "../libraries/ProofLib.sol";
import {FinalityLib} from "../libraries/FinalityLib.sol";

/// @title CooperativeLib: the cooperative proving network (seed 002, adapted to Groth16), behind the seam
/// @notice Who proves: per (height, unit), any staked prover; the three highest scores (VRF over the height's
///         randomness mixed with the winner's VRF output, times 1 + FEE_BURN) among valid proofs posted before the
///         proving deadline are paid. What is escrowed: the winning sequencer's bond (`proverDeposit`), posted at its
///         commit with the block's K - 1 intermediate roots. Paid: at finalization the sequencer keeps
///         (1 - FEE_SPLIT) of the pot (block reward + fees); FEE_SPLIT of it is the prover network's reward, escrowed
///         until the deadline and then paid per proof: reward x (1 - FEE_BURN) / (K x 3), the FEE_BURN part, the shares
///         of missing proofs and the rounding dust burnt. A miss: a unit without a proof at the deadline may still be
///         proven late (anyone, no paid slot: lateProverShare of the bond to the payee completing the height, the
///         rest burnt); a height still unproven after the late window is reorged and the bond slashed like Sidecar's
///         deposit (a bounty to whoever reorgs, the rest to the sequencers of the lost descendants).
/// @dev Linked (external functions run in the Rollup's context via DELEGATECALL); `openTerms` and `settleFinalized`
///      are internal (they run inside `propose` and the finalizing library). ERC-7201 slot:
///      keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Cooperative")) - 1)) & ~0xff.
library CooperativeLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Cooperative
    struct Storage {
        mapping(uint256 height => mapping(address sequencer => ICooperative.BlockBond)) bonds;
        mapping(uint256 height => ICooperative.HeightUnits) heights;
        mapping(uint256 height => mapping(uint256 unit => ICooperative.Entry[3])) paid;
        /// @dev The payee of a unit's rescue (its first proof, posted after the proving deadline).
        mapping(uint256 height => mapping(uint256 unit => address)) rescuers;
    }

    bytes32 internal constant STORAGE_SLOT = 0xff19c539a00be973f97ad1c0a7ee28eeac423f177affc739c5aed6bcd5fbd500;

    /// @notice PROOFS_PER_NODE of seed 002: paid proofs per unit.
    uint256 internal constant PROOFS_PER_UNIT = 3;
    uint256 internal constant BPS = 10_000;
    /// @notice Domain of a unit's VRF input, so that a prover's unit output never equals a sequencer's output.
    bytes32 internal constant UNIT_VRF_DOMAIN = "fernet-rollup/prover-unit";

    /// @notice A unit proof as `submitUnitProof` takes it.
    struct UnitProof {
        uint256 height;
        uint256 unit;
        /// @dev Groth16 proof of the unit circuit (uint256[8], docs/architecture.md).
        uint256[8] proof;
        /// @dev Public input: who is paid (and whose VRF key scores the proof).
        address payee;
        /// @dev Public input: FEE_BURN in basis points (0..10_000).
        uint16 feeBurnBps;
        /// @dev The payee's VRF proof over `unitVrfInput` (ignored for a late rescue).
        uint256[4] vrfProof;
    }

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    // ------------------------------------------------------------------------------------------------ commit

    /// @notice At `propose`: Cooperative offers no tip and no prover share (the prover network's reward is
    ///         FEE_SPLIT of the pot); a proposal that offers either is refused rather than silently ignored.
    function openTerms(uint256 proverTip, uint16 shareBps) internal pure returns (uint256, uint128) {
        if (proverTip != 0 || shareBps != 0) revert Errors.Rollup__TermsNotInDesign();
        return (0, 0);
    }

    /// @notice At the commit (`Rollup.commitUnits`): stores the hash of the block's K - 1 intermediate roots and
    ///         escrows the sequencer's bond (`proverDeposit`, from its balance here first, the rest pulled).
    /// @return bond the bond escrowed
    function commit(IERC20 token, uint256 height, address sequencer, uint256[] calldata intermediateRoots)
        external
        returns (uint256 bond)
    {
        RollupConfig storage c = ConfigLib.get();
        uint256 expected = uint256(c.units) - 1;
        if (intermediateRoots.length != expected) {
            revert Errors.Rollup__BadUnitRoots(intermediateRoots.length, expected);
        }
        uint256 required = ConfigLib.proverDeposit();
        bond = LedgerLib.collect(token, sequencer, required);
        if (bond < required) revert Errors.Rollup__InsufficientReceived(bond, required);
        TreasuryLib.addEscrow(bond);
        getStorage().bonds[height][sequencer] =
            ICooperative.BlockBond(keccak256(abi.encodePacked(intermediateRoots)), SafeCast.toUint96(bond));
    }

    // ------------------------------------------------------------------------------------------------ proofs

    /// @notice The VRF input of (height, unit): the height's randomness mixed with its winner's VRF output, so
    ///         that the sequencer cannot steer which provers are elected (seed 002), and the unit index.
    function unitVrfInput(uint256 randomness, uint256 winnerOutput, uint256 unit) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(UNIT_VRF_DOMAIN, randomness, winnerOutput, unit)));
    }

    /// @notice Accepts a valid unit proof (`Rollup.submitUnitProof`). Before the proving deadline: the payee must be
    ///         a prover active since before the height's cutoff, its VRF proof valid, and its score must take one
    ///         of the unit's three paid slots (free, or strictly above the lowest, which it displaces). After the
    ///         deadline: only a unit with no proof yet takes one (a rescue, any payee, no paid slot). The height is
    ///         proven at the first proof of its last unit.
    function submitUnit(
        IStaking staking,
        IBlockVerifier verifier,
        uint256 domain,
        UnitProof calldata u,
        bytes calldata pubdata,
        uint256[] calldata intermediateRoots
    ) external {
        (ChainLib.Record storage h, uint256 units) = _requireProvable(u);
        uint256[2] memory rootsInOut;
        (rootsInOut[0], rootsInOut[1]) = _unitRoots(h, u, pubdata, intermediateRoots, units);
        uint256[] memory inputs = _statement(u, rootsInOut, domain, _unitPubdata(pubdata, u.unit, units));
        if (_accept(staking, verifier, h, u, inputs)) {
            _markUnitProven(u, units, PublicInputsLib.totalFees(pubdata, ConfigLib.hot().slots));
        }
    }

    /// @dev Checks the unit proof's plain fields and that its height is decided and not reorged; returns its
    ///      record and K.
    function _requireProvable(UnitProof calldata u) private view returns (ChainLib.Record storage h, uint256 units) {
        units = ConfigLib.get().units;
        if (u.unit >= units) revert Errors.Rollup__BadUnit(u.unit, units);
        if (u.payee == address(0)) revert Errors.Rollup__ZeroAddress();
        if (u.feeBurnBps > BPS) revert Errors.Rollup__FeeBurnOutOfRange(u.feeBurnBps);
        bool held;
        (h, held) = ChainLib.recordOf(u.height);
        if (!held || h.winner == address(0) || !ClockLib.decided(u.height)) {
            revert Errors.Rollup__HeightNotDecided(u.height);
        }
        if (h.status == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(u.height);
    }

    /// @dev Verifies and records the proof (on time: a paid slot; late: a rescue of an unproven unit); returns
    ///      whether it is the unit's first proof.
    function _accept(
        IStaking staking,
        IBlockVerifier verifier,
        ChainLib.Record storage h,
        UnitProof calldata u,
        uint256[] memory inputs
    ) private returns (bool first) {
        Storage storage $ = getStorage();
        ICooperative.HeightUnits storage hu = $.heights[u.height];
        first = hu.provenUnits & (uint256(1) << u.unit) == 0;
        IRollup.Timeline memory t = ClockLib.timeline(u.height);
        if (first && block.number >= t.provingDeadline) {
            // A rescue: the unit had no proof by the deadline (the height still awaits its proof).
            if (h.status != IRollup.HeightStatus.Pending) revert Errors.Rollup__UnitClosed(u.height, u.unit);
            if (!ProofLib.verify(verifier, u.proof, inputs)) revert Errors.Rollup__InvalidProof(u.height);
            hu.rescuedUnits |= uint32(1 << u.unit);
            $.rescuers[u.height][u.unit] = u.payee;
            emit ICooperative.UnitProofAccepted(u.height, u.unit, u.payee, u.feeBurnBps, 0, address(0), true);
            return first;
        }
        uint256 close = hu.closeAt != 0 ? hu.closeAt : t.provingDeadline;
        // A rescued unit takes no paid slot, even while a soft close keeps the height's slots open: otherwise its
        // rescuer could withhold until the deadline, rescue, and then take a slot as well.
        if (block.number >= close || hu.rescuedUnits & (uint256(1) << u.unit) != 0) {
            revert Errors.Rollup__UnitClosed(u.height, u.unit);
        }
        RandomnessLib.requireEligibleProver(staking, u.height, u.payee);
        uint256 score = _score(staking, h.winner, u);
        ICooperative.Entry[3] storage set = $.paid[u.height][u.unit];
        (uint256 slot, address displaced) = _place(set, u, score);
        // The placement is decided before the (expensive) proof check: a proof that would not be paid is refused
        // before its verification is paid for.
        if (!ProofLib.verify(verifier, u.proof, inputs)) revert Errors.Rollup__InvalidProof(u.height);
        set[slot] = ICooperative.Entry(u.payee, u.feeBurnBps, score);
        emit ICooperative.UnitProofAccepted(u.height, u.unit, u.payee, u.feeBurnBps, score, displaced, false);
        if (displaced != address(0)) _softClose(hu, close, t.lateDeadline);
    }

    /// @dev Deadline sniping (docs/cooperative.md): scores are public once posted, so a prover could wait for the
    ///      last block and post the smallest FEE_BURN that displaces the third. A displacement within
    ///      `unitSoftCloseBlocks` of the close moves the close that far past it (at most to the late deadline):
    ///      whoever was displaced can answer with a better score, so waiting buys nothing.
    function _softClose(ICooperative.HeightUnits storage hu, uint256 close, uint256 lateDeadline) private {
        uint256 guard = ConfigLib.get().unitSoftCloseBlocks;
        if (guard == 0 || block.number + guard <= close) return;
        uint256 extended = Math.min(block.number + guard, lateDeadline);
        if (extended > close) hu.closeAt = SafeCast.toUint40(extended);
    }

    /// @dev The L1 block from which `height`'s paid slots no longer change.
    function closeOf(ICooperative.HeightUnits storage hu, uint256 height) internal view returns (uint256) {
        uint256 closeAt = hu.closeAt;
        return closeAt != 0 ? closeAt : ClockLib.timeline(height).provingDeadline;
    }

    /// @dev Marks the unit proven; at the last unit the height is proven by this proof's payee (and finalized if
    ///      its parent is final).
    function _markUnitProven(UnitProof calldata u, uint256 units, uint256 totalFees) private {
        ICooperative.HeightUnits storage hu = getStorage().heights[u.height];
        uint256 proven = hu.provenUnits | (uint256(1) << u.unit);
        hu.provenUnits = uint32(proven); // K <= 32 (ConfigLib)
        if (proven == (uint256(1) << units) - 1) FinalityLib.acceptProven(u.height, u.payee, totalFees, block.number);
    }

    /// @dev The unit's public inputs [rootIn, rootOut, unitFees, payee, domain, words[T/K], feeBurnBps], from the
    ///      unit's roots in and out (`_unitRoots`: the winner's revealed block, pubdata checked against its hash, and committed
    ///      intermediate roots) and its slots of the pubdata, `words`.
    function _statement(UnitProof calldata u, uint256[2] memory rootsInOut, uint256 domain, bytes calldata words)
        private
        pure
        returns (uint256[] memory inputs)
    {
        uint256 n = PublicInputsLib.HEADER_INPUTS + words.length / PublicInputsLib.SLOT_BYTES;
        inputs = new uint256[](n + 1);
        PublicInputsLib.computeInto(
            inputs, 0, rootsInOut[0], rootsInOut[1], uint256(uint160(u.payee)), domain, words, n - PublicInputsLib.HEADER_INPUTS
        );
        inputs[n] = u.feeBurnBps;
    }

    /// @dev The unit's slots of the pubdata (T / K slots of 20 bytes).
    function _unitPubdata(bytes calldata pubdata, uint256 unit, uint256 units) private view returns (bytes calldata) {
        uint256 length = (ConfigLib.hot().slots / units) * PublicInputsLib.SLOT_BYTES;
        return pubdata[unit * length:(unit + 1) * length];
    }

    /// @dev The unit's root in and root out: the parent's root or the committed root before it, the committed root
    ///      after it or the winner's new root. Checks pubdata and the roots against the winner's stored hashes.
    function _unitRoots(
        ChainLib.Record storage h,
        UnitProof calldata u,
        bytes calldata pubdata,
        uint256[] calldata roots,
        uint256 units
    ) private view returns (uint256 rootIn, uint256 rootOut) {
        address winner = h.winner;
        IRollup.Proposal storage w = ProposalLib.get(u.height, winner);
        if (w.height != u.height) revert Errors.Rollup__StatementForgotten(u.height);
        if (keccak256(pubdata) != w.commitmentOrPubdataHash) revert Errors.Rollup__PubdataMismatch(u.height);
        // The stored hash is of exactly K - 1 roots: a matching array has that length.
        if (keccak256(abi.encodePacked(roots)) != getStorage().bonds[u.height][winner].unitRootsHash) {
            revert Errors.Rollup__UnitRootsMismatch(u.height);
        }
        if (u.unit == 0) {
            bool known;
            (known, rootIn) = ProofLib.knownRootOf(h.parent);
            if (!known) revert Errors.Rollup__StatementForgotten(u.height);
        } else {
            rootIn = roots[u.unit - 1];
        }
        rootOut = u.unit == units - 1 ? w.newRoot : roots[u.unit];
    }

    /// @dev The payee's score for (height, unit): its VRF output (checked against its registered key's G1 twin,
    ///      `VrfLib.verifyDleq`) times 1 + FEE_BURN, as a sequencer's score is its output times 1 + FEE_SPLIT.
    function _score(IStaking staking, address winner, UnitProof calldata u) private view returns (uint256) {
        uint256 randomness = RandomnessLib.randomnessOf(u.height); // 0: forgotten (its ring word reused)
        if (randomness == 0) revert Errors.Rollup__StatementForgotten(u.height);
        uint256 input = unitVrfInput(randomness, ProposalLib.get(u.height, winner).vrfOutput, u.unit);
        if (!VrfLib.verifyDleq(staking.vrfG1KeyOf(u.payee), input, u.height, u.vrfProof)) {
            revert Errors.Rollup__InvalidVrfProof(u.height, u.payee);
        }
        return ProposeLib.score(VrfLib.output(u.vrfProof), u.feeBurnBps, true);
    }

    /// @dev Where a score goes in a unit's paid set: a free slot, else the lowest-ranked entry's (ranking: higher
    ///      score first; equal scores rank by slot index, lower first), which it must strictly outscore. One slot per
    ///      payee and unit.
    function _place(ICooperative.Entry[3] storage set, UnitProof calldata u, uint256 score)
        private
        view
        returns (uint256 slot, address displaced)
    {
        uint256 free = PROOFS_PER_UNIT;
        uint256 lowest = PROOFS_PER_UNIT;
        uint256 lowestScore = type(uint256).max;
        for (uint256 i = 0; i < PROOFS_PER_UNIT; ++i) {
            address payee = set[i].payee;
            if (payee == address(0)) {
                if (free == PROOFS_PER_UNIT) free = i;
                continue;
            }
            if (payee == u.payee) revert Errors.Rollup__AlreadyInUnit(u.height, u.unit, u.payee);
            uint256 s = set[i].score;
            if (s <= lowestScore) (lowestScore, lowest) = (s, i);
        }
        if (free != PROOFS_PER_UNIT) return (free, address(0));
        if (score <= lowestScore) revert Errors.Rollup__UnitScoreTooLow(u.height, u.unit, score, lowestScore);
        return (lowest, set[lowest].payee);
    }

    // ------------------------------------------------------------------------------------------------ settlement

    /// @notice At finalization of `height` (internal: it runs inside the finalizing library). The pot (block reward
    ///         + fees, capped by the pool) leaves the pool: (1 - FEE_SPLIT) of it to the sequencer, FEE_SPLIT escrowed
    ///         as the prover network's reward until the close (paid then by `settleUnits`, one height per call). The
    ///         bond goes back to the sequencer, or, if the height was proven late, lateProverShare of it is shared by
    ///         the rescuers of the late units (each capped at half an on-time proof's pay) and the rest is burnt.
    /// @return proverPaid zero (the network is paid per proof at settlement)
    /// @return networkReward the prover network's reward
    /// @return sequencerReward the sequencer's share
    /// @return submissionReward zero (Cooperative pays no separate submission reward)
    function settleFinalized(
        uint256 height,
        address winner,
        address, /* submitter: the rescuers are paid per unit, not the completing proof's payee */
        bool late,
        uint256 totalFees,
        uint256 feeSplitBps
    ) internal returns (address proverPaid, uint256 networkReward, uint256 sequencerReward, uint256 submissionReward) {
        RollupConfig storage c = ConfigLib.get();
        TreasuryLib.Storage storage treasury = TreasuryLib.getStorage();
        uint256 pool = treasury.rewardPool;
        uint256 pot = Math.min(c.blockReward + totalFees, pool);
        networkReward = (pot * Math.min(feeSplitBps, BPS)) / BPS;
        sequencerReward = pot - networkReward;
        uint256 bond = _settleBond(height, winner, late, sequencerReward, _rescueCap(networkReward, c.units));
        treasury.rewardPool = SafeCast.toUint128(pool - pot);
        // The bond leaves the escrow and the network reward enters it (held until the units are settled).
        TreasuryLib.addEscrow(networkReward);
        TreasuryLib.releaseEscrow(bond);
        _holdNetworkReward(height, networkReward);
        return (address(0), networkReward, sequencerReward, 0);
    }

    /// @dev Escrows the network reward of a finalized height until `settleUnits`. Never settled here, even after
    ///      the close: one finalization may finalize up to maxPendingHeights waiting heights, and paying 3 K proofs
    ///      for each in the same call could exceed the block gas limit and stall finality. `settleUnits` pays one
    ///      height per call (at most 96 credits).
    function _holdNetworkReward(uint256 height, uint256 networkReward) private {
        ICooperative.HeightUnits storage hu = getStorage().heights[height];
        (hu.finalized, hu.networkReward) = (true, SafeCast.toUint128(networkReward));
    }

    /// @dev The most a rescue is paid: half what an on-time proof of a unit is paid at FEE_BURN 0 (the network
    ///      reward / (3 K)). A prover must never gain by withholding a unit until the deadline and rescuing it: it
    ///      would have been paid twice this on time (docs/cooperative.md, "Who pays for a miss").
    function _rescueCap(uint256 networkReward, uint256 units) private pure returns (uint256) {
        return networkReward / (units * PROOFS_PER_UNIT) / 2;
    }

    /// @dev Releases the winner's bond with its sequencer reward: back to it, or if the height was proven late (a
    ///      unit had no proof by the deadline) lateProverShare of it is shared by the rescued units' rescuers, each
    ///      capped at `rescueCap`, and the rest is burnt. Returns the bond (leaving escrow). The roots' hash stays:
    ///      unit proofs may take paid slots until the close.
    function _settleBond(uint256 height, address winner, bool late, uint256 sequencerReward, uint256 rescueCap)
        private
        returns (uint256 bond)
    {
        ICooperative.BlockBond storage b = getStorage().bonds[height][winner];
        bond = b.bond;
        b.bond = 0;
        if (!late) {
            LedgerLib.credit(winner, sequencerReward + bond);
            emit ICooperative.BondSettled(height, winner, bond, address(0), 0, 0);
            return bond;
        }
        uint256 share = (bond * ConfigLib.get().lateProverShareBps) / BPS;
        (uint256 toRescuers, address single) = _payRescuers(height, share, rescueCap);
        LedgerLib.credit(winner, sequencerReward);
        LedgerLib.credit(TreasuryLib.BURN_ADDRESS, bond - toRescuers);
        emit ICooperative.BondSettled(height, winner, 0, single, toRescuers, bond - toRescuers);
    }

    /// @dev Pays each rescued unit's rescuer min(share / rescued units, cap); returns the total and the rescuer when
    ///      a single unit was rescued (zero otherwise). A late height has at least one rescued unit: its completing
    ///      proof came after the deadline, when only rescues are accepted for unproven units.
    function _payRescuers(uint256 height, uint256 share, uint256 cap) private returns (uint256 total, address single) {
        Storage storage $ = getStorage();
        uint256 rescued = $.heights[height].rescuedUnits;
        uint256 count = 0;
        for (uint256 r = rescued; r != 0; r &= r - 1) ++count;
        if (count == 0) return (0, address(0));
        uint256 each = Math.min(share / count, cap);
        for (uint256 unit = 0; rescued >> unit != 0; ++unit) {
            if ((rescued >> unit) & 1 == 0) continue;
            address rescuer = $.rescuers[height][unit];
            LedgerLib.credit(rescuer, each);
            emit ICooperative.UnitRescuePaid(height, unit, rescuer, each);
            if (count == 1) single = rescuer;
            total += each;
        }
    }

    /// @notice Pays a finalized height's paid sets once its close has passed (the proving deadline, later after a soft
    ///         close): `Rollup.settleUnits`, anyone, one height per call.
    function settleUnits(uint256 height) external {
        Storage storage $ = getStorage();
        ICooperative.HeightUnits storage hu = $.heights[height];
        if (!hu.finalized || hu.settled || block.number < closeOf(hu, height)) {
            revert Errors.Rollup__UnitsNotSettleable(height);
        }
        _settleUnits($, height, hu, ConfigLib.get().units);
    }

    /// @dev Pays each paid proof reward x (1 - FEE_BURN) / (K x 3) and burns the rest of the network reward
    ///      (FEE_BURN shares, the shares of missing proofs and the rounding dust of the division); clears the sets.
    function _settleUnits(Storage storage $, uint256 height, ICooperative.HeightUnits storage hu, uint256 units)
        private
    {
        uint256 networkReward = hu.networkReward;
        uint256 perProof = networkReward / (units * PROOFS_PER_UNIT);
        uint256 paidTotal = 0;
        uint256 proofs = 0;
        for (uint256 unit = 0; unit < units; ++unit) {
            ICooperative.Entry[3] storage set = $.paid[height][unit];
            for (uint256 i = 0; i < PROOFS_PER_UNIT; ++i) {
                address payee = set[i].payee;
                if (payee == address(0)) continue;
                uint256 amount = (perProof * (BPS - set[i].feeBurnBps)) / BPS;
                LedgerLib.credit(payee, amount);
                paidTotal += amount;
                ++proofs;
                emit ICooperative.UnitProofPaid(height, unit, payee, amount, perProof - amount);
            }
            delete $.paid[height][unit];
        }
        uint256 burnt = networkReward - paidTotal;
        LedgerLib.credit(TreasuryLib.BURN_ADDRESS, burnt);
        TreasuryLib.releaseEscrow(networkReward);
        (hu.settled, hu.networkReward) = (true, 0);
        emit ICooperative.UnitsSettled(height, networkReward, paidTotal, burnt, proofs);
    }

    /// @notice At a reorg: `missedHeight`'s bond is slashed (a bounty to `caller`, the rest in equal parts to the
    ///         sequencers of the lost descendants other than the missed block's, dust or all of it if nobody is
    ///         eligible to the pool); the descendants' bonds are refunded (not their fault).
    /// @param lostHeights the descendants, from the last to the first
    /// @param lostWinners their winners
    /// @return slashed the missed height's bond
    /// @return bounty the caller's share
    function settleReorg(
        uint256 missedHeight,
        address missedSeq,
        uint256[] calldata lostHeights,
        address[] calldata lostWinners,
        address caller
    ) external returns (uint256 slashed, uint256 bounty) {
        Storage storage $ = getStorage();
        slashed = $.bonds[missedHeight][missedSeq].bond;
        delete $.bonds[missedHeight][missedSeq];
        uint256 eligible = 0;
        for (uint256 i = 0; i < lostWinners.length; ++i) {
            if (lostWinners[i] != missedSeq) ++eligible;
        }
        uint256 perSequencer;
        uint256 toPool;
        (bounty, perSequencer, toPool) = ReorgLib.shares(slashed, ConfigLib.get().reorgBountyBps, eligible);
        TreasuryLib.Storage storage treasury = TreasuryLib.getStorage();
        TreasuryLib.releaseEscrow(slashed);
        treasury.rewardPool = SafeCast.toUint128(treasury.rewardPool + toPool);
        LedgerLib.credit(caller, bounty);
        emit IRollup.HeightReorgedOut(missedHeight, missedSeq, 0);
        for (uint256 i = 0; i < lostHeights.length; ++i) {
            address seq = lostWinners[i];
            _refund($, lostHeights[i], seq);
            uint256 share = seq != missedSeq ? perSequencer : 0;
            LedgerLib.credit(seq, share);
            emit IRollup.HeightReorgedOut(lostHeights[i], seq, share);
        }
    }

    /// @notice Refunds a committed proposal's bond into `claimable` (a loser, a void claim, a reorged descendant).
    function refund(uint256 height, address sequencer) external {
        _refund(getStorage(), height, sequencer);
    }

    function _refund(Storage storage $, uint256 height, address sequencer) private {
        uint256 bond = $.bonds[height][sequencer].bond;
        delete $.bonds[height][sequencer];
        if (bond != 0) {
            TreasuryLib.releaseEscrow(bond);
            LedgerLib.credit(sequencer, bond);
        }
        emit ICooperative.BondReleased(height, sequencer, bond);
    }
}
