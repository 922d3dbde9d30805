// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IBlockVerifier} from "./interfaces/IBlockVerifier.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IProofAggregator} from "./interfaces/IProofAggregator.sol";
import {RollupConfig} from "./interfaces/IRollup.sol";
import {Errors} from "./errors/Errors.sol";
import {PullPayments} from "./base/PullPayments.sol";
import {RollupViews} from "./base/RollupViews.sol";
import {ConfigLib} from "./libraries/ConfigLib.sol";
import {ClockLib} from "./libraries/ClockLib.sol";
import {ChainLib} from "./libraries/ChainLib.sol";
import {RandomnessLib} from "./libraries/RandomnessLib.sol";
import {ProposalLib} from "./libraries/ProposalLib.sol";
import {ProofLib} from "./libraries/ProofLib.sol";
import {FinalityLib} from "./libraries/FinalityLib.sol";
import {TreasuryLib} from "./libraries/TreasuryLib.sol";
import {LedgerLib} from "./libraries/LedgerLib.sol";
import {SidecarLib} from "./coordination/SidecarLib.sol";
import {CoordinationLib} from "./coordination/CoordinationLib.sol";
import {CooperativeLib} from "./coordination/CooperativeLib.sol";
import {ProvingDesign} from "./interfaces/IRollup.sol";

/// @title Rollup: Fernet sequencer selection with a VRF, a prover-coordination design, proofs, rewards, reorgs
/// @notice The facade: entry points, access checks and events. Each concern is a library that owns its slice of
///         storage (docs/architecture.md): ClockLib (phases), RandomnessLib (the VRF input), ProposalLib (proposals,
///         reveals, ranking, false VRF claims), ChainLib (heights, chain), ProofLib (statements, proofs),
///         FinalityLib (finalization, reorgs), TreasuryLib and LedgerLib (value), and behind the seam
///         (CoordinationLib) the proving design chosen at deployment: Sidecar (SidecarLib) today.
/// @dev All value is in the staking token. Payments are pulled (`claim`); `totalEscrowed + totalClaimable +
///      rewardPool` always equals the contract's token balance.
contract Rollup is RollupViews, Errors, PullPayments, EIP712 {

    IStaking public immutable staking;
    IERC20 public immutable token;
    IBlockVerifier public immutable verifier;
    /// @notice The L2 domain: chainid * 2^160 + address(this). Users sign it in every transfer and every block proof
    ///         has it as a public input, so neither transfers nor proofs replay across deployments or chains.
    uint256 public immutable l2Domain;
    /// @notice Where burnt tokens go: FEE_SPLIT shares accrue in `claimable[BURN_ADDRESS]`, `flushBurnt` sends them.
    address public constant BURN_ADDRESS = TreasuryLib.BURN_ADDRESS;
    /// @notice Gas `challengeVrfClaim` needs left before it judges a claim (a VRF check costs about 120k; the
    ///         margin covers hash-to-curve retries, so no precompile call inside can be starved).
    uint256 public constant VRF_CHALLENGE_GAS = 400_000;
    /// @notice The ProofAggregator (posted proofs, batched verification) the Rollup trusts to mark heights proven;
    ///         zero until `setAggregator`.
    address public aggregator;
    /// @dev The only account allowed to call `setAggregator` (once): the deployer.
    address private immutable _deployer;

    /// @param config_ all parameters (see RollupConfig)
    /// @param staking_ the Staking contract (its token is the protocol token)
    /// @param verifier_ the block verifier for circuits with `config.slots` slots
    constructor(RollupConfig memory config_, IStaking staking_, IBlockVerifier verifier_)
        EIP712("fernet-rollup", "1")
    {
        if (address(staking_) == address(0) || address(verifier_) == address(0)) revert Rollup__ZeroAddress();
        ConfigLib.init(config_);
        ChainLib.init();
        RandomnessLib.init();
        staking = staking_;
        token = staking_.token();
        verifier = verifier_;
        _deployer = msg.sender;
        l2Domain = (block.chainid << 160) | uint160(address(this));
    }

    // ------------------------------------------------------------------------------------------------ phases

    /// @notice Proposes a block for `height` (proposal phase). Staked sequencers only, once per height, and only
    ///         if the sequencer's stake and VRF key were active before the height's randomness could be known.
    /// @dev The VRF proof is not checked here (only a proposal that would lead needs it, at the commit); it stays in
    ///      this transaction's calldata so that anyone can show a false claim (`challengeVrfClaim`). The proverTip is only offered here:
    ///      it is escrowed at the commit, so a proposal that never commits holds nothing and needs no release.
    /// @param height the L2 height
    /// @param vrfProof [Gamma.x, Gamma.y, c, s] over (randomness(height), height): Gamma is the BLS signature whose
    ///        hash is the output, (c, s) its DLEQ proof (checked at the commit if it leads), see VrfLib
    /// @param commitment ProposeLib.commitment(sender, height, parent, newRoot, keccak256(pubdata), salt)
    /// @param feeSplitBps FEE_SPLIT in basis points, within the configured bounds
    /// @param proverTip tip offered to the prover (escrowed at the commit, from the sender's balance here first)
    /// @param proverRewardShareBps share of the pot offered to the prover, in basis points
    /// @param randomness the randomness `vrfProof` signed (`randomnessOf(height)`): a proposal replayed after an L1
    ///        reorg changed it is refused (`RandomnessMismatch`) instead of becoming a slashable false claim
    function propose(
        uint256 height,
        uint256[4] calldata vrfProof,
        bytes32 commitment,
        uint16 feeSplitBps,
        uint256 proverTip,
        uint16 proverRewardShareBps,
        uint256 randomness
    ) external nonReentrant {
        uint256 output = ProposalLib.propose(staking, height, msg.sender, vrfProof, commitment, feeSplitBps, randomness);
        (uint256 offered, uint128 terms) = CoordinationLib.openTerms(proverTip, proverRewardShareBps);
        ProposalLib.get(height, msg.sender).designTerms = terms;
        emit Proposed(height, msg.sender, output, feeSplitBps, offered, proverRewardShareBps);
        if (_viaContract()) emit ProposedData(height, msg.sender, commitment, vrfProof);
    }

    /// @notice Reveals the block behind the sender's commitment (reveal phase).
    /// @param height the L2 height
    /// @param parent the height the block builds on; must be the current chain tip
    /// @param newRoot the state root after the block
    /// @param pubdata the block's pubdata (20 * T bytes)
    /// @param salt the commitment's salt
    /// @param signatures the transfers' EdDSA signatures, 64 bytes per non-empty slot in slot order (packed R8, S):
    ///        in the calldata, not stored, logged or checked on chain, so that any prover can prove the block from L1
    ///        data alone (src/l2/signatures.ts). Only its length is checked.
    function reveal(
        uint256 height,
        uint256 parent,
        uint256 newRoot,
        bytes calldata pubdata,
        bytes32 salt,
        bytes calldata signatures
    ) external {
        bytes32 pubdataHash = ProposalLib.reveal(height, msg.sender, parent, newRoot, pubdata, salt, signatures.length);
        emit Revealed(height, msg.sender, parent, newRoot, pubdataHash);
        if (_viaContract()) emit RevealedData(height, msg.sender, pubdata, signatures);
    }

    /// @notice Sidecar's commit (commit phase): names the prover of the sender's revealed block, escrows the
    ///         offered proverTip and posts the proverDeposit (each from the payer's balance here first, the rest
    ///         pulled with transferFrom). When the phase ends, the highest-ranking committed proposal holds the height.
    /// @dev The VRF proof is checked only if this proposal would lead, under the key that was active before the
    ///      randomness was known. The first commit records the seed of `height + 1`.
    /// @param height the L2 height
    /// @param prover the prover's address (receives the prover's rewards)
    /// @param proverSignature empty: the deposit is pulled from the sender; otherwise the prover's EIP-712
    ///        ProverCommitment(height, sender, prover, deposit) signature, and the deposit is pulled from the prover
    /// @param vrfProof the VRF proof given to `propose` (must hash to the stored output)
    function commitProver(
        uint256 height,
        address prover,
        bytes calldata proverSignature,
        uint256[4] calldata vrfProof
    ) external nonReentrant {
        ClockLib.requirePhase(height, Phase.Commit);
        _commitProver(height, prover, proverSignature, vrfProof);
    }

    /// @notice Sidecar's reveal and commit in one transaction (commit phase): opens the sender's commitment exactly as
    ///         `reveal` does (logged in `Revealed` as well) and commits `prover` exactly as `commitProver` does. One
    ///         transaction instead of two for a proposal that reveals only to commit (issue 13). The reveal phase
    ///         stays for proposals that reveal without committing yet; a proposal revealed there commits with
    ///         `commitProver`. A prover consenting (`proverSignature`) to a block not yet revealed checks it against
    ///         the proposal's commitment off chain first: the block is bound by the commitment it opens.
    /// @param height the L2 height
    /// @param b the block: `reveal`'s parent (the tip other than `height`), newRoot, salt, pubdata and signatures
    /// @param prover as for `commitProver`
    /// @param proverSignature as for `commitProver`
    /// @param vrfProof as for `commitProver`
    function revealAndCommitProver(
        uint256 height,
        BlockReveal calldata b,
        address prover,
        bytes calldata proverSignature,
        uint256[4] calldata vrfProof
    ) external nonReentrant {
        ClockLib.requirePhase(height, Phase.Commit);
        CoordinationLib.requireDesign(ProvingDesign.Sidecar); // before the reveal: a Cooperative block opens with revealAndCommitUnits
        _revealInCommit(height, b);
        _commitProver(height, prover, proverSignature, vrfProof);
    }

    /// @dev The reveal of a merged reveal-and-commit (the caller checked the phase and the design): opens the
    ///      sender's commitment and logs it as `reveal` does.
    function _revealInCommit(uint256 height, BlockReveal calldata b) private {
        bytes32 pubdataHash = ProposalLib.revealInCommit(height, msg.sender, b);
        emit Revealed(height, msg.sender, b.parent, b.newRoot, pubdataHash);
        if (_viaContract()) emit RevealedData(height, msg.sender, b.pubdata, b.signatures);
    }

    /// @dev Whether a contract made this call (msg.sender is not the transaction's sender): then the call is not the
    ///      transaction's own calldata, and the data readers need is logged (`ProposedData`, `RevealedData`). Not an
    ///      authorization check: tx.origin decides only what is logged.
    function _viaContract() private view returns (bool) {
        // solhint-disable-next-line avoid-tx-origin
        return msg.sender != tx.origin;
    }

    function _commitProver(uint256 height, address prover, bytes calldata proverSignature, uint256[4] calldata vrfProof)
        private
    {
        if (prover == address(0)) revert Rollup__ZeroAddress();
        (bool leads, uint256 score) = ProposalLib.enterRanking(staking, height, msg.sender, vrfProof);
        (address depositor, uint256 deposit, uint256 tip) =
            CoordinationLib.commit(token, _domainSeparatorV4(), height, msg.sender, prover, proverSignature);
        emit ProverCommitted(height, msg.sender, prover, depositor, deposit, tip, score, leads);
    }

    /// @notice Writes the sender's proposal ring slots (and the design's words beside them) once, so that its
    ///         proposals never pay for a fresh storage word (22.1k instead of 5k a word, four or five words a proposal,
    ///         for its first RING proposals). Paid once, at registration (about 3.6M gas with Sidecar: 32 proposal slots and their terms); optional:
    ///         a sequencer that never calls it pays the same words over its first proposals instead. Idempotent: only
    ///         never-written slots are touched, and they still read as empty.
    function warmProposalSlots() external {
        uint256 warmed = ProposalLib.warmSlots(msg.sender);
        CoordinationLib.warmSlots(msg.sender);
        emit ProposalSlotsWarmed(msg.sender, warmed);
    }

    /// @notice Cooperative's commit (commit phase): enters the sender's revealed block in the ranking with its K - 1
    ///         intermediate roots (the state roots between its units, which unit proofs start and end at) and
    ///         escrows the sequencer's bond (`proverDeposit`, from its balance here first). The winning sequencer is
    ///         the prover of last resort: the bond is burnt in part if a unit has no proof by the proving deadline,
    ///         and slashed if the height is reorged.
    /// @param height the L2 height
    /// @param intermediateRoots the roots after units 0 .. K - 2 (empty for K = 1)
    /// @param vrfProof the VRF proof given to `propose` (must hash to the stored output)
    function commitUnits(uint256 height, uint256[] calldata intermediateRoots, uint256[4] calldata vrfProof)
        external
        nonReentrant
    {
        CoordinationLib.requireDesign(ProvingDesign.Cooperative);
        ClockLib.requirePhase(height, Phase.Commit);
        _commitUnits(height, intermediateRoots, vrfProof);
    }

    /// @notice Cooperative's reveal and commit in one transaction (commit phase): opens the sender's commitment
    ///         exactly as `reveal` does (logged in `Revealed` as well) and commits the block's intermediate roots and
    ///         bond exactly as `commitUnits` does: one transaction instead of two, as Sidecar's
    ///         `revealAndCommitProver`. A proposal revealed in the reveal phase commits with `commitUnits`.
    /// @param height the L2 height
    /// @param b the block: `reveal`'s parent (the tip other than `height`), newRoot, salt, pubdata and signatures
    /// @param intermediateRoots as for `commitUnits`
    /// @param vrfProof as for `commitUnits`
    function revealAndCommitUnits(
        uint256 height,
        BlockReveal calldata b,
        uint256[] calldata intermediateRoots,
        uint256[4] calldata vrfProof
    ) external nonReentrant {
        ClockLib.requirePhase(height, Phase.Commit);
        CoordinationLib.requireDesign(ProvingDesign.Cooperative); // before the reveal: a Sidecar block opens with revealAndCommitProver
        _revealInCommit(height, b);
        _commitUnits(height, intermediateRoots, vrfProof);
    }

    function _commitUnits(uint256 height, uint256[] calldata intermediateRoots, uint256[4] calldata vrfProof) private {
        (bool leads, uint256 score) = ProposalLib.enterRanking(staking, height, msg.sender, vrfProof);
        uint256 bond = CooperativeLib.commit(token, height, msg.sender, intermediateRoots);
        emit UnitsCommitted(height, msg.sender, intermediateRoots, bond, score, leads);
    }

    /// @notice Cooperative: submits a unit proof. Before the proving deadline it takes one of the unit's three paid
    ///         slots if its score (the payee's VRF x (1 + FEE_BURN)) is among the three highest so far; after it, only
    ///         a unit with no proof takes one (late, unpaid but for part of the bond). The height is proven at the first
    ///         proof of its last unit (and finalized if its parent is).
    /// @dev payee and feeBurnBps are public inputs of the unit proof: a copied or re-randomized proof pays its author
    ///      at its author's FEE_BURN.
    /// @param u the unit proof (height, unit, proof, payee, feeBurnBps, the payee's VRF proof)
    /// @param pubdata the winner's revealed pubdata (checked against its hash)
    /// @param intermediateRoots the winner's committed intermediate roots (checked against their hash)
    function submitUnitProof(
        CooperativeLib.UnitProof calldata u,
        bytes calldata pubdata,
        uint256[] calldata intermediateRoots
    ) external nonReentrant {
        CoordinationLib.requireDesign(ProvingDesign.Cooperative);
        CooperativeLib.submitUnit(staking, verifier, l2Domain, u, pubdata, intermediateRoots);
    }

    /// @notice Cooperative: pays a finalized height's paid unit proofs once its close has passed (the proving
    ///         deadline, later after a soft close). Anyone; one height per call (at most 3 K payments).
    /// @param height the L2 height
    function settleUnits(uint256 height) external nonReentrant {
        CooperativeLib.settleUnits(height);
    }

    /// @notice Submits the proof of a decided height. The payee bound in the first valid proof wins the submission
    ///         reward (and, if late, the prover's reward and part of the deposit).
    /// @dev The payee is a public input, so a copied, front-run or re-randomized proof pays its author. After the
    ///      proving deadline the proof is late; a late proof is refused while a proof posted on time to the
    ///      aggregator still stands (`EarlierPostPending`). Accepted until the height is reorged.
    /// @param height the L2 height
    /// @param proof Groth16 proof as uint256[8] (docs/architecture.md)
    /// @param pubdata the winner's revealed pubdata
    /// @param payee the account paid for the proof (public input 3 of the proof)
    function submitProof(uint256 height, uint256[8] calldata proof, bytes calldata pubdata, address payee)
        external
        nonReentrant
    {
        CoordinationLib.requireDesign(ProvingDesign.Sidecar);
        ProofLib.acceptProof(verifier, l2Domain, height, proof, pubdata, payee);
    }

    /// @notice Records the randomness seed of `height` (block.prevrandao of this block) if not yet recorded.
    ///         Anyone, in the seed window: the `commitBlocks` L1 blocks before the height's proposal phase (the
    ///         commit phase of height - 1, whose first `commitProver` records it anyway). A second call is a no-op.
    /// @dev The first recorder chooses among at most `commitBlocks` prevrandao values: at most log2(commitBlocks)
    ///      bits of bias (docs/security.md, finding 5). A height whose window passes unrecorded cannot be proposed.
    /// @param height the L2 height
    function recordRandomness(uint256 height) external {
        RandomnessLib.recordInWindow(height);
    }

    /// @notice Shows that a proposal's claimed VRF output has no valid proof: the proposal is void (its escrow is
    ///         refunded, it can no longer reveal or commit) and `vrfClaimSlash` of the sequencer's stake (capped at
    ///         the stake) is slashed, half to the caller and half burnt. Anyone, until the proposal is settled.
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @param vrfProof the proof given to `propose` (in its calldata: `RollupClient.proposedClaim`)
    /// @param pk the sequencer's VRF public key at the cutoff (from `VrfKeyRegistered`)
    function challengeVrfClaim(uint256 height, address sequencer, uint256[4] calldata vrfProof, uint256[4] calldata pk)
        external
        nonReentrant
    {
        ProposalLib.voidFalseClaim(staking, height, sequencer, vrfProof, pk, VRF_CHALLENGE_GAS);
        CoordinationLib.refund(height, sequencer);
        uint256 stake = staking.stakeOf(sequencer);
        uint256 slash = ConfigLib.get().vrfClaimSlash;
        uint256 amount = slash < stake ? slash : stake;
        uint256 toChallenger = amount / 2;
        if (toChallenger != 0) staking.slash(sequencer, toChallenger, msg.sender);
        if (amount - toChallenger != 0) {
            staking.slash(sequencer, amount - toChallenger, BURN_ADDRESS);
            TreasuryLib.getStorage().burntSent += amount - toChallenger;
        }
        emit VrfClaimChallenged(height, sequencer, msg.sender, amount);
    }

    /// @notice Sends the burnt tokens accrued in `claimable[BURN_ADDRESS]` to BURN_ADDRESS. Anyone.
    function flushBurnt() external nonReentrant {
        emit BurntFlushed(TreasuryLib.flushBurnt(token));
    }

    /// @notice Sets the ProofAggregator, once; only the deployer. From then on the aggregator may mark heights
    ///         proven after its batched check (`markProvenBatch`), and its open posts hold off `triggerReorg`.
    /// @param aggregator_ the ProofAggregator (its `rollup()` must be this contract)
    function setAggregator(address aggregator_) external {
        if (msg.sender != _deployer) revert Rollup__Unauthorized(msg.sender);
        if (aggregator != address(0)) revert Rollup__AggregatorAlreadySet();
        // The aggregator batches whole-block proofs: Cooperative's units are accepted one by one.
        CoordinationLib.requireDesign(ProvingDesign.Sidecar);
        if (aggregator_ == address(0)) revert Rollup__ZeroAddress();
        address itsRollup = IProofAggregator(aggregator_).rollup();
        if (itsRollup != address(this)) revert Rollup__AggregatorMismatch(itsRollup);
        aggregator = aggregator_;
        emit AggregatorSet(aggregator_);
    }

    /// @notice Marks heights proven after the aggregator verified their posted proofs in one batch, finalizes the
    ///         ready prefix, and credits `account` up to `reward` from the reward pool. Only the aggregator.
    /// @dev "Late" is decided by the block each proof was POSTED in, not this block. The reward is paid after
    ///      finalization so that block rewards come first from the pool.
    /// @param heights the verified heights (strictly increasing)
    /// @param posters the payee bound in each verified proof (the submitter: submission reward, rescuer if late)
    /// @param postedAt the L1 block each proof was posted in
    /// @param fees each height's totalFees (public input 2)
    /// @param account who sent the batch (receives the aggregation reward)
    /// @param reward the aggregation reward asked for (capped by the pool)
    function markProvenBatch(
        uint256[] calldata heights,
        address[] calldata posters,
        uint256[] calldata postedAt,
        uint256[] calldata fees,
        address account,
        uint256 reward
    ) external nonReentrant {
        if (msg.sender != aggregator) revert Rollup__Unauthorized(msg.sender);
        FinalityLib.markProvenBatch(heights, posters, postedAt, fees);
        emit AggregationRewarded(account, heights.length, TreasuryLib.payFromPool(account, reward));
    }

    /// @notice Reorgs a missed height and every pending block built on it; proposing resumes on the last
    ///         finalized state. Anyone, once the late window of `height` has passed without a proof (and the verify
    ///         window of a proof posted to the aggregator in time). The proving design settles the miss (Sidecar:
    ///         the deposit is slashed, a bounty to the caller, the rest to the lost descendants' sequencers).
    /// @param height the first pending height (its parent is finalized)
    function triggerReorg(uint256 height) external nonReentrant {
        uint256 blockedUntil = aggregator == address(0) ? 0 : IProofAggregator(aggregator).reorgBlockedUntil(height);
        (uint256 lost, uint256 slashed, uint256 bounty) = FinalityLib.reorg(height, blockedUntil, msg.sender);
        emit ChainReorged(height, ChainLib.last(), lost, slashed, bounty);
    }

    /// @notice Refunds the escrow of a proposal that does not hold a live height: a loser, an unrevealed or
    ///         uncommitted proposal, or any proposal of a reorged height. Anyone; the tokens go to `claimable`.
    /// @param height the L2 height (its commit phase must have ended, or it must be reorged)
    /// @param sequencer the proposer
    function release(uint256 height, address sequencer) external {
        ProposalLib.settleReleasable(height, sequencer);
        CoordinationLib.refund(height, sequencer);
    }

    /// @notice Adds tokens to the reward pool (balance delta).
    /// @param amount tokens to pull from the sender
    function fundRewards(uint256 amount) external nonReentrant {
        if (amount == 0) revert Rollup__ZeroAmount();
        uint256 received = LedgerLib.pull(token, msg.sender, amount);
        TreasuryLib.Storage storage t = TreasuryLib.getStorage();
        t.rewardPool = SafeCast.toUint128(t.rewardPool + received);
        emit RewardsFunded(msg.sender, received);
    }

    // ------------------------------------------------------------------------------------------------ views
    // (the rest of the read API: RollupViews)

    /// @notice The public inputs a proof of `height` paying `payee` must have, for the winner's revealed `pubdata`.
    /// @dev Reverts like `submitProof` does before verification (undecided, proven, reorged, pubdata mismatch).
    /// @param height the L2 height
    /// @param pubdata the winner's revealed pubdata
    /// @param payee the payee bound in the proof
    /// @return inputs [oldRoot, newRoot, totalFees, payee, l2Domain, word_0..word_{T-1}]
    function publicInputsOf(uint256 height, bytes calldata pubdata, address payee)
        external
        view
        returns (uint256[] memory inputs)
    {
        return ProofLib.publicInputsOf(height, pubdata, payee, l2Domain);
    }

    /// @notice `publicInputsOf` for several heights in one call, row-major (`5 + T` inputs per height): what a
    ///         ProofAggregator batch needs, without a call per height (about 4k gas a height less in a batch of 16).
    /// @dev Reverts as `publicInputsOf` does for the first height that fails, and `BatchLengthMismatch` unless
    ///      there is one pubdata and one payee per height.
    /// @param heights the L2 heights
    /// @param pubdatas each height's revealed pubdata
    /// @param payees the payee bound in each proof
    /// @return flat the heights' inputs, one row after the other
    function publicInputsOfBatch(uint256[] calldata heights, bytes[] calldata pubdatas, address[] calldata payees)
        external
        view
        returns (uint256[] memory flat)
    {
        return ProofLib.publicInputsOfBatch(heights, pubdatas, payees, l2Domain);
    }

    /// @notice The public inputs of `height`'s winning block whatever its status (pending, proven, finalized or
    ///         reorged): what a posted proof of it claims. The aggregator shows a posted proof invalid with it.
    /// @dev Reverts `HeightNotDecided` if the height never had a winner (or its commit phase is not over),
    ///      `PubdataMismatch` if `pubdata` is not what the winner revealed.
    /// @param height the L2 height
    /// @param pubdata the winner's revealed pubdata
    /// @param payee the payee bound in the proof
    /// @return inputs [oldRoot, newRoot, totalFees, payee, l2Domain, word_0..word_{T-1}]
    function statementOf(uint256 height, bytes calldata pubdata, address payee)
        external
        view
        returns (uint256[] memory inputs)
    {
        return ProofLib.statementOf(height, pubdata, payee, l2Domain);
    }

    /// @notice The EIP-712 digest a prover signs to fund a deposit for `sequencer` at `height` (Sidecar).
    /// @param height the L2 height
    /// @param sequencer the sequencer
    /// @param prover the prover
    /// @return the digest
    function proverCommitmentDigest(uint256 height, address sequencer, address prover)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(SidecarLib.structHash(height, sequencer, prover, ConfigLib.proverDeposit()));
    }

    function _ledgerToken() internal view override returns (IERC20) {
        return token;
    }
}
