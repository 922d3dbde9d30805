// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "./ConfigLib.sol";
import {ClockLib} from "./ClockLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {RandomnessLib} from "./RandomnessLib.sol";
import {ProposeLib} from "./ProposeLib.sol";
import {RevealLib} from "./RevealLib.sol";
import {PublicInputsLib} from "./PublicInputsLib.sol";
import {VrfLib} from "./VrfLib.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ProposalLib: Fernet sequencer selection: proposals, reveals, the ranking, and false VRF claims
/// @notice A staked sequencer proposes a commitment with its VRF output (proposal phase), reveals the block behind
///         it (reveal phase), and enters the ranking (commit phase, through the proving design's commit step): the
///         highest score then holds the height. Only a proposal that would lead has its VRF proof verified; any
///         other false claim can be shown (`challengeVrfClaim`) and costs its maker `vrfClaimSlash`.
/// @dev Records live in a ring: `proposals[height % RING][sequencer]`, tagged with their height. Writing a slot
///      that held an older record costs 5k gas (2.9k + the cold access) instead of 22.1k for a fresh one, and a
///      proposal writes four (three at `propose`, the new root at `reveal`): about 68k less per proposal once the
///      ring has turned. An old record is overwritten only once it holds nothing (`reusable`): a committed record
///      waits for its settlement (finalization, reorg, `release` or a successful challenge), so no escrow is ever
///      lost to the ring; a sequencer whose record RING heights back still waits sits that height out
///      (`Rollup__ProposalSlotBusy`). A false VRF claim can be challenged until its slot is reused (RING heights).
///      ERC-7201 slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Proposals")) - 1)) & ~0xff.
///      The flows are external (this library is linked, not copied into the Rollup's code) and run in the Rollup's
///      context; the Rollup emits the events.
library ProposalLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Proposals
    struct Storage {
        mapping(uint256 => mapping(address => IRollup.Proposal)) proposals;
    }

    bytes32 internal constant STORAGE_SLOT = 0x356a4a963167b27d5dddc91a5cd047cd82f41642a602fd5d4ba8d41f9413c700;

    /// @notice Heights per sequencer that the ring keeps. At least 3 (a seed reads the winner's output two heights
    ///         back). A slot is busy only while it holds a committed record that is not settled: a height its
    ///         sequencer won that is still pending, or escrow it has not released. The devnet's pending chain is
    ///         about 17-19 heights long with proofs in batches of 16 at T = 8, so 32 leaves room (16 did not: each
    ///         height, the winner of 16 heights back, still pending, sat out); a longer pending chain only makes its
    ///         winners sit out some heights (`Rollup__ProposalSlotBusy`), never loses anything. The ring's size
    ///         costs nothing per height (a reused word costs the same in any ring), only the one-off warming.
    uint256 internal constant RING = 32;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice The ring slot of (height, sequencer). It may hold an older height's record: callers that do not
    ///         know the record to be live (a winner of an undecided or unsettled height is) use `live` or check
    ///         `height` themselves.
    function get(uint256 height, address sequencer) internal view returns (IRollup.Proposal storage) {
        return getStorage().proposals[height % RING][sequencer];
    }

    /// @notice Whether the slot of (height, sequencer) holds that height's record (else: no proposal).
    function live(IRollup.Proposal storage p, uint256 height) internal view returns (bool) {
        return p.height == height && p.status != IRollup.ProposalStatus.None;
    }

    /// @notice Whether a slot's old record may be overwritten: it holds nothing any rule still needs. Settled
    ///         (finalized, reorged, released, challenged) or never committed (nothing escrowed) once its height
    ///         is decided. A committed record that is not settled holds escrow or a live height: it stays.
    ///         The last finalized height's winner is kept too: its root is the parent root of the next block's
    ///         proof (`ProofLib.rootOf`) for as long as nothing newer is final (after a reorg, say).
    function reusable(IRollup.Proposal storage p) internal view returns (bool) {
        IRollup.ProposalStatus s = p.status;
        if (s == IRollup.ProposalStatus.None) return true;
        if (s == IRollup.ProposalStatus.Settled) return p.height != ChainLib.lastFinalized();
        if (s == IRollup.ProposalStatus.Committed) return false;
        return ClockLib.decided(p.height);
    }

    /// @notice Stores a proposal (proposal phase): eligible sequencer, recorded randomness equal to the one the VRF
    ///         proof signed, one proposal per sequencer and height, FEE_SPLIT within bounds.
    /// @return output the claimed VRF output (checked later, if the proposal would lead)
    function propose(
        IStaking staking,
        uint256 height,
        address sequencer,
        uint256[4] calldata vrfProof,
        bytes32 commitment,
        uint16 feeSplitBps,
        uint256 randomness
    ) internal returns (uint256 output) {
        ClockLib.requirePhase(height, IRollup.Phase.Proposal);
        RandomnessLib.requireEligible(staking, height, sequencer);
        uint256 actual = RandomnessLib.randomnessOf(height);
        if (actual == 0) revert Errors.Rollup__RandomnessNotRecorded(height);
        if (actual != randomness) revert Errors.Rollup__RandomnessMismatch(height, randomness, actual);
        IRollup.Proposal storage p = get(height, sequencer);
        if (p.height == height) {
            if (p.status != IRollup.ProposalStatus.None) revert Errors.Rollup__ProposalExists(height, sequencer);
        } else if (!reusable(p)) {
            revert Errors.Rollup__ProposalSlotBusy(height, sequencer, p.height);
        }
        ConfigLib.Hot storage c = ConfigLib.hot();
        ProposeLib.checkParams(feeSplitBps, c.minFeeSplitBps, c.maxFeeSplitBps, commitment);
        output = VrfLib.output(vrfProof);
        p.commitmentOrPubdataHash = commitment;
        p.vrfOutput = output;
        // parent and newRoot keep the old record's values until the reveal writes them (overwriting a word costs
        // less than clearing it and writing it again); they mean nothing before the record is Revealed.
        p.feeSplitBps = feeSplitBps;
        p.status = IRollup.ProposalStatus.Proposed;
        p.height = SafeCast.toUint32(height);
    }

    /// @notice Opens the sender's commitment (reveal phase): the block builds on the chain tip, pubdata is 20 * T
    ///         bytes, and `signatures` holds 64 bytes per non-empty slot (in the calldata only, never stored).
    /// @return pubdataHash keccak256(pubdata), logged by the Rollup
    function reveal(
        uint256 height,
        address sequencer,
        uint256 parent,
        uint256 newRoot,
        bytes calldata pubdata,
        bytes32 salt,
        uint256 signaturesLength
    ) internal returns (bytes32 pubdataHash) {
        ClockLib.requirePhase(height, IRollup.Phase.Reveal);
        return _open(height, sequencer, parent, ChainLib.last(), newRoot, pubdata, salt, signaturesLength);
    }

    /// @notice The reveal of `revealAndCommitProver` (commit phase; the caller checks the phase and enters the ranking
    ///         in the same transaction): the same checks as `reveal`, against the tip other than `height` itself
    ///         (another proposal may already hold it, as at the ranking).
    function revealInCommit(uint256 height, address sequencer, IRollup.BlockReveal calldata b)
        internal
        returns (bytes32 pubdataHash)
    {
        return _open(height, sequencer, b.parent, ChainLib.tipExcluding(height), b.newRoot, b.pubdata, b.salt, b.signatures.length);
    }

    function _open(
        uint256 height,
        address sequencer,
        uint256 parent,
        uint256 tip,
        uint256 newRoot,
        bytes calldata pubdata,
        bytes32 salt,
        uint256 signaturesLength
    ) private returns (bytes32 pubdataHash) {
        IRollup.Proposal storage p = get(height, sequencer);
        if (!live(p, height)) revert Errors.Rollup__NoProposal(height, sequencer);
        if (p.status != IRollup.ProposalStatus.Proposed) revert Errors.Rollup__AlreadyRevealed(height, sequencer);
        pubdataHash = RevealLib.check(
            p.commitmentOrPubdataHash, sequencer, height, parent, tip, newRoot, pubdata, ConfigLib.hot().slots, salt
        );
        p.newRoot = newRoot;
        // The commitment is consumed: its slot now holds the pubdata hash (no fresh slot).
        p.commitmentOrPubdataHash = pubdataHash;
        p.parent = uint64(parent);
        p.status = IRollup.ProposalStatus.Revealed;
        uint256 expectedSigs = 64 * PublicInputsLib.nonEmptySlots(pubdata);
        if (signaturesLength != expectedSigs) revert Errors.Rollup__BadSignaturesLength(signaturesLength, expectedSigs);
    }

    /// @notice Enters the sender's revealed proposal in the ranking (commit phase; called by the proving design's
    ///         commit step): it must build on the current tip of a live height. If it now ranks first, its VRF
    ///         proof is verified (its DLEQ part, `VrfLib.verifyDleq`) under the key active before the randomness was
    ///         known, and it holds the height.
    ///         The commit phase of `height` is the seed window of `height + 1`: the first entry records that seed.
    /// @return leads whether the proposal now holds the height
    /// @return score its Fernet score
    function enterRanking(IStaking staking, uint256 height, address sequencer, uint256[4] calldata vrfProof)
        external
        returns (bool leads, uint256 score)
    {
        IRollup.Proposal storage p = get(height, sequencer);
        if (p.height != height) revert Errors.Rollup__NotRevealed(height, sequencer);
        if (p.status == IRollup.ProposalStatus.Committed) revert Errors.Rollup__AlreadyCommitted(height, sequencer);
        if (p.status != IRollup.ProposalStatus.Revealed) revert Errors.Rollup__NotRevealed(height, sequencer);
        (ChainLib.Record storage h, bool held) = ChainLib.recordOf(height);
        if (held && h.status == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(height);
        uint256 tip = ChainLib.tipExcluding(height);
        if (p.parent != tip) revert Errors.Rollup__ParentNotTip(p.parent, tip);

        uint256 output = p.vrfOutput;
        bool boost = ConfigLib.hot().feeSplitScore;
        score = ProposeLib.score(output, p.feeSplitBps, boost);
        address best = held ? h.winner : address(0);
        leads = best == address(0);
        if (!leads) {
            IRollup.Proposal storage b = get(height, best);
            uint256 bestScore = ProposeLib.score(b.vrfOutput, b.feeSplitBps, boost);
            leads = ProposeLib.outranks(score, output, sequencer, bestScore, b.vrfOutput, best);
        }
        if (leads) {
            // The key checked is the one active before the randomness was known (a rotation since voids the lead).
            RandomnessLib.requireEligible(staking, height, sequencer);
            // A height that cannot take a winner fails before the VRF check is paid for.
            ChainLib.requireSlotFree(height);
            if (
                VrfLib.output(vrfProof) != output
                    || !VrfLib.verifyDleq(
                        staking.vrfG1KeyOf(sequencer), RandomnessLib.randomnessOf(height), height, vrfProof
                    )
            ) revert Errors.Rollup__InvalidVrfProof(height, sequencer);
            ChainLib.setWinner(height, sequencer, tip);
        }
        RandomnessLib.recordSeed(height + 1);
        p.status = IRollup.ProposalStatus.Committed;
    }

    /// @notice Judges a claimed VRF output (`Rollup.challengeVrfClaim`): reverts unless the claim is false under the
    ///         key the sequencer had in force at the height's activation cutoff. Then the proposal is void (output
    ///         zeroed, settled); the caller refunds its escrow and slashes the stake.
    function voidFalseClaim(
        IStaking staking,
        uint256 height,
        address sequencer,
        uint256[4] calldata vrfProof,
        uint256[4] calldata pk,
        uint256 minGas
    ) external {
        IRollup.Proposal storage p = get(height, sequencer);
        if (
            !live(p, height) || p.status == IRollup.ProposalStatus.Settled
                || VrfLib.output(vrfProof) != p.vrfOutput
        ) revert Errors.Rollup__VrfClaimNotChallengeable(height, sequencer);
        // Judged only while the randomness it signed is still known (in its ring word): a forgotten value must never
        // make an honest claim look false.
        uint256 randomness = RandomnessLib.randomnessOf(height);
        if (randomness == 0) revert Errors.Rollup__VrfClaimNotChallengeable(height, sequencer);
        // VrfLib reports a failed precompile call as "invalid": with too little gas a valid proof would look false.
        if (gasleft() < minGas) revert Errors.Rollup__ChallengeGasTooLow(gasleft(), minGas);
        if (VrfLib.verify(pk, randomness, height, vrfProof)) {
            revert Errors.Rollup__VrfClaimValid(height, sequencer);
        }
        // The winner was verified at commit. The key judged is the one in force at the cutoff: the one `propose`
        // accepted, even if the sequencer has rotated it since (Staking keeps one previous key).
        if (ChainLib.winnerOf(height) == sequencer) revert Errors.Rollup__VrfClaimNotChallengeable(height, sequencer);
        bytes32 keyHash = staking.keyHashAt(sequencer, ClockLib.activationCutoff(height));
        if (keyHash == bytes32(0) || keccak256(abi.encode(pk)) != keyHash) {
            revert Errors.Rollup__VrfClaimNotChallengeable(height, sequencer);
        }
        p.vrfOutput = 0;
        p.status = IRollup.ProposalStatus.Settled;
    }

    /// @notice Marks a proposal that holds no live height as settled (`Rollup.release`): a loser, an unrevealed or
    ///         uncommitted proposal, or any proposal of a reorged height, once the height is decided.
    function settleReleasable(uint256 height, address sequencer) internal {
        IRollup.Proposal storage p = get(height, sequencer);
        // A record the height ring took over belonged to a finished height (pending and last finalized records are
        // never taken over), whose winner's proposal was settled at finality or reorg: read as no winner.
        (ChainLib.Record storage h, bool held) = ChainLib.recordOf(height);
        bool reorged = held && h.status == IRollup.HeightStatus.Reorged;
        bool decided = reorged || ClockLib.decided(height);
        bool holdsHeight = held && h.winner == sequencer && !reorged;
        if (!live(p, height) || p.status == IRollup.ProposalStatus.Settled || !decided || holdsHeight) {
            revert Errors.Rollup__NotReleasable(height, sequencer);
        }
        p.status = IRollup.ProposalStatus.Settled;
    }

    /// @notice Marker of a warmed record's last word (parent = 2^64 - 1, status None, height 0): a record that was
    ///         never written reads as none (`live`: status None) warmed or not.
    uint64 internal constant WARM_PARENT = type(uint64).max;

    /// @notice Writes each of `sequencer`'s RING record slots once (`Rollup.warmProposalSlots`), so that its first
    ///         RING proposals overwrite words (5k each) instead of writing fresh ones (22.1k): paid once, at
    ///         registration, instead of by the first heights. Only a slot that was never written is touched, and it
    ///         then still reads as no proposal (status None): warming changes no rule and cannot touch a record.
    /// @return warmed the slots written (0 once they all were)
    function warmSlots(address sequencer) external returns (uint256 warmed) {
        Storage storage $ = getStorage();
        for (uint256 i = 0; i < RING; ++i) {
            IRollup.Proposal storage p = $.proposals[i][sequencer];
            if (
                p.commitmentOrPubdataHash != bytes32(0) || p.vrfOutput != 0 || p.newRoot != 0 || p.parent != 0
                    || p.status != IRollup.ProposalStatus.None || p.height != 0
            ) continue;
            p.commitmentOrPubdataHash = bytes32(uint256(1));
            p.vrfOutput = 1;
            p.newRoot = 1;
            p.parent = WARM_PARENT;
            ++warmed;
        }
    }

    /// @notice The Fernet score of a proposal (0 if none).
    function scoreOf(uint256 height, address sequencer) internal view returns (uint256) {
        IRollup.Proposal storage p = get(height, sequencer);
        if (!live(p, height)) return 0;
        return ProposeLib.score(p.vrfOutput, p.feeSplitBps, ConfigLib.hot().feeSplitScore);
    }
}
