// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IBlockVerifier} from "./interfaces/IBlockVerifier.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IProofAggregator} from "./interfaces/IProofAggregator.sol";
import {VrfLib} from "./libraries/VrfLib.sol";
import {ProposeLib} from "./libraries/ProposeLib.sol";
import {RevealLib} from "./libraries/RevealLib.sol";
import {ProverCommitLib} from "./libraries/ProverCommitLib.sol";
import {ProofLib} from "./libraries/ProofLib.sol";
import {PublicInputsLib} from "./libraries/PublicInputsLib.sol";
import {RewardsLib} from "./libraries/RewardsLib.sol";
import {ReorgLib} from "./libraries/ReorgLib.sol";
import "./errors/Errors.sol";

/// @notice Every parameter of the Rollup, fixed at deployment. Defaults: docs/lifecycle.md and `src/client`.
struct RollupConfig {
    /// @dev L1 block at which height 1's proposal phase starts; 0 = the deployment block.
    uint64 genesisBlock;
    /// @dev Phase lengths in L1 blocks (defaults 3 / 3 / 3). Height h+1's proposal starts when h's commit ends.
    uint32 proposalBlocks;
    uint32 revealBlocks;
    uint32 commitBlocks;
    /// @dev L1 blocks after the commit phase in which the committed prover must land a proof (default 20).
    uint32 provingWindow;
    /// @dev L1 blocks after the deadline in which anyone may still prove, on late terms (default 10).
    uint32 lateWindow;
    /// @dev T, slots per block; must match the verifier's circuit.
    uint32 slots;
    /// @dev FEE_SPLIT bounds in basis points (defaults 0 .. 10_000).
    uint16 minFeeSplitBps;
    uint16 maxFeeSplitBps;
    /// @dev Upper bound of proverRewardShare in basis points (default 10_000).
    uint16 maxProverRewardShareBps;
    /// @dev Share of the deposit paid to a late prover (default 5_000, Taiko's half); the rest is slashed.
    uint16 lateProverShareBps;
    /// @dev Share of a slashed deposit paid to whoever triggers the reorg (default 500 = 5%).
    uint16 reorgBountyBps;
    /// @dev true: score = VRF x (1 + FEE_SPLIT) (seed 002); false: plain VRF.
    bool feeSplitScore;
    /// @dev proverDeposit in the staking token (default 100e18).
    uint256 proverDeposit;
    /// @dev Block reward from the pool per finalized height (default 10e18).
    uint256 blockReward;
    /// @dev Reward of the first valid proof submitter (default 1e18).
    uint256 submissionReward;
    /// @dev State root of height 0 (the genesis file's root).
    uint256 genesisRoot;
    /// @dev Most unfinalized heights the chain may hold (default 32, at most 64): bounds the loops of
    ///      `triggerReorg` and finalization so that escrow can never be locked behind the block gas limit.
    uint32 maxPendingHeights;
    /// @dev L1 blocks before a height's seed window by which a stake and VRF key must be active (default 4; 64,
    ///      two beacon epochs, on mainnet): prevrandao of the window's first block is known to whoever builds the
    ///      blocks just before it, so an L1 proposer needs this many consecutive slots to grind keys.
    uint32 keyActivationDelay;
    /// @dev Stake slashed (to the challenger) from a sequencer whose claimed VRF output has no valid proof
    ///      (`challengeVrfClaim`; default 10e18, capped at the stake).
    uint256 vrfClaimSlash;
}

/// @title Rollup: Fernet sequencer selection with a VRF, Sidecar prover commitment, proofs, rewards, reorgs
/// @notice Clock, in L1 blocks: height h (h >= 1) has a proposal, a reveal and a commit phase, back to back;
///         height h+1's proposal phase starts when h's commit phase ends, so h+1 builds on h before h is proven.
///         h must be proven before commitEnd(h) + provingWindow; then for lateWindow blocks anyone may prove it
///         on late terms; after that anyone may reorg it and every pending block built on it.
/// @dev All value is in the staking token. Payments are pulled (`claim`); `totalEscrowed + totalClaimable +
///      rewardPool` always equals the contract's token balance.
contract Rollup is ReentrancyGuard, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice Phase of a height at an L1 block.
    enum Phase {
        NotStarted,
        Proposal,
        Reveal,
        Commit,
        Proving,
        LateProving,
        Expired
    }

    /// @notice Lifecycle of one proposal.
    enum ProposalStatus {
        None,
        Proposed,
        Revealed,
        Committed,
        /// @dev Escrow settled (refunded, paid out or slashed); nothing more to do.
        Settled
    }

    /// @notice Lifecycle of one height. None after the commit phase means the height was skipped (empty).
    enum HeightStatus {
        None,
        Pending,
        Proven,
        Finalized,
        Reorged
    }

    /// @notice One sequencer's proposal for one height. Packed so that `propose` writes 3 slots: only the VRF
    ///         output is kept (the score needs it); the proof itself is passed again to `commitProver`, which
    ///         checks it hashes to this output and, if the proposal would lead, verifies it.
    struct Proposal {
        bytes32 commitment;
        uint256 vrfOutput;
        uint256 newRoot;
        bytes32 pubdataHash;
        uint64 parent;
        uint16 feeSplitBps;
        uint16 proverRewardShareBps;
        ProposalStatus status;
        uint96 proverTip;
        address prover;
        address depositor;
        uint96 deposit;
    }

    /// @notice One height's outcome.
    struct Height {
        HeightStatus status;
        bool late;
        /// @dev Whether `seed` was recorded (`recordRandomness`, in the seed window before the proposal phase).
        bool seedSet;
        uint64 parent;
        address winner;
        // submitter and totalFees share one slot: a proven height then costs one fresh storage slot, not two
        // (about 22k gas per height). totalFees is a sum of T u32 fee fields, far below 2^96.
        /// @dev The payee bound in the first valid proof (a public input of the proof).
        address submitter;
        uint96 totalFees;
        /// @dev block.prevrandao of the block that recorded it; `randomnessOf` mixes in height - 2's winner output.
        uint256 seed;
    }

    /// @notice A height's phase boundaries (L1 blocks; each phase is [start, end)).
    struct Timeline {
        uint256 proposalStart;
        uint256 revealStart;
        uint256 commitStart;
        uint256 commitEnd;
        uint256 provingDeadline;
        uint256 lateDeadline;
    }

    IStaking public immutable staking;
    IERC20 public immutable token;
    IBlockVerifier public immutable verifier;
    RollupConfig private _config;
    uint256 private immutable _period;

    mapping(uint256 => mapping(address => Proposal)) private _proposals;
    mapping(uint256 => Height) private _heights;
    /// @dev The canonical chain: heights with a winner, in order; [0] is genesis (height 0).
    uint64[] private _chain;
    /// @dev Index in `_chain` of the last finalized height.
    uint256 private _finalizedIndex;

    /// @notice Tokens owed to each account (pull payments).
    mapping(address => uint256) public claimable;
    /// @notice Sum of `claimable`.
    uint256 public totalClaimable;
    /// @notice Tips and deposits held for live proposals.
    uint256 public totalEscrowed;
    /// @notice Tokens available for block and submission rewards.
    uint256 public rewardPool;
    /// @notice The ProofAggregator (posted proofs, batched verification) the Rollup trusts to mark heights proven;
    ///         zero until `setAggregator`.
    address public aggregator;
    /// @dev The only account allowed to call `setAggregator` (once): the deployer.
    address private immutable _deployer;
    /// @notice The L2 domain: chainid * 2^160 + address(this). Users sign it in every transfer and every block proof
    ///         has it as a public input, so neither transfers nor proofs replay across deployments or chains.
    uint256 public immutable l2Domain;
    /// @notice Where burnt tokens go (OpenZeppelin's ERC-20 refuses address 0): FEE_SPLIT shares accrue in
    ///         `claimable[BURN_ADDRESS]` and `flushBurnt` sends them there.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice Tokens burnt so far (credited to BURN_ADDRESS).
    uint256 public totalBurnt;
    /// @notice Gas `challengeVrfClaim` needs left before it judges a claim (a VRF check costs about 120k; the
    ///         margin covers hash-to-curve retries, so no precompile call inside can be starved).
    uint256 public constant VRF_CHALLENGE_GAS = 400_000;

    /// @notice A sequencer proposed. `vrfOutput` is claimed, checked when the proposal would lead; `vrfProof` is
    ///         logged so that anyone can check the claim at once and challenge a false one (`challengeVrfClaim`).
    event Proposed(
        uint256 indexed height,
        address indexed sequencer,
        bytes32 commitment,
        uint256 vrfOutput,
        uint256[2] vrfProof,
        uint256 feeSplitBps,
        uint256 proverTip,
        uint256 proverRewardShareBps
    );
    /// @notice The randomness seed of a height (block.prevrandao of this block) was recorded.
    event RandomnessRecorded(uint256 indexed height, uint256 seed);
    /// @notice A proposal was revealed; `pubdata` lets anyone rebuild the L2 state from L1 logs, and `signatures`
    ///         (64 bytes per non-empty slot: packed R8, S) lets anyone prove the block from L1 data alone.
    event Revealed(
        uint256 indexed height, address indexed sequencer, uint256 parent, uint256 newRoot, bytes pubdata, bytes signatures
    );
    /// @notice A revealed proposal named a prover and posted its deposit. `leads`: it is now the height's winner.
    event ProverCommitted(
        uint256 indexed height,
        address indexed sequencer,
        address indexed prover,
        address depositor,
        uint256 deposit,
        uint256 score,
        bool leads
    );
    /// @notice A valid proof was accepted; `submitter` is the payee bound in the proof.
    event ProofSubmitted(uint256 indexed height, address indexed submitter, bool late);
    /// @notice A false VRF claim was shown: the proposal is void and `slashed` of the sequencer's stake was taken,
    ///         half to the challenger and half burnt.
    event VrfClaimChallenged(uint256 indexed height, address indexed sequencer, address indexed challenger, uint256 slashed);
    /// @notice Accrued burnt tokens were sent to BURN_ADDRESS.
    event BurntFlushed(uint256 amount);
    /// @notice A height was finalized and its rewards credited.
    event HeightFinalized(
        uint256 indexed height,
        address indexed sequencer,
        address indexed prover,
        address submitter,
        uint256 sequencerReward,
        uint256 proverReward,
        uint256 submissionReward
    );
    /// @notice A late proof moved part of the deposit to the rescuer and slashed the rest.
    event LateProofSettled(uint256 indexed height, address indexed rescuer, uint256 toRescuer, uint256 slashed);
    /// @notice A missed height and its pending descendants were reorged away.
    event ChainReorged(
        uint256 indexed missedHeight, uint256 newTip, uint256 lostDescendants, uint256 slashed, uint256 bounty
    );
    /// @notice One block lost in a reorg; `compensation` is its sequencer's share of the slashed deposit.
    event HeightReorgedOut(uint256 indexed height, address indexed sequencer, uint256 compensation);
    /// @notice A proposal's escrow (tip, deposit) was refunded into `claimable`.
    event EscrowReleased(uint256 indexed height, address indexed sequencer, uint256 tipRefund, uint256 depositRefund);
    /// @notice Tokens were added to the reward pool.
    event RewardsFunded(address indexed from, uint256 amount);
    /// @notice Tokens were withdrawn from `claimable`.
    event Claimed(address indexed account, uint256 amount);
    /// @notice The ProofAggregator was set (once).
    event AggregatorSet(address indexed aggregator);
    /// @notice A batch of posted proofs was verified; `account` (who sent the batch) was credited `amount` from
    ///         the reward pool for its gas.
    event AggregationRewarded(address indexed account, uint256 heights, uint256 amount);

    /// @param config_ all parameters (see RollupConfig)
    /// @param staking_ the Staking contract (its token is the protocol token)
    /// @param verifier_ the block verifier for circuits with `config.slots` slots
    constructor(RollupConfig memory config_, IStaking staking_, IBlockVerifier verifier_)
        EIP712("fernet-rollup", "1")
    {
        if (address(staking_) == address(0) || address(verifier_) == address(0)) revert ZeroAddress();
        if (config_.proposalBlocks == 0 || config_.revealBlocks == 0 || config_.commitBlocks == 0) {
            revert InvalidConfig("phase length");
        }
        if (config_.slots == 0) revert InvalidConfig("slots");
        if (config_.minFeeSplitBps > config_.maxFeeSplitBps) revert InvalidConfig("feeSplit bounds");
        if (config_.maxProverRewardShareBps > 10_000) revert InvalidConfig("maxProverRewardShareBps");
        if (config_.lateProverShareBps > 10_000 || config_.reorgBountyBps > 10_000) revert InvalidConfig("bps");
        if (config_.maxPendingHeights == 0 || config_.maxPendingHeights > 64) revert InvalidConfig("maxPendingHeights");
        // Default: height 1's seed window opens at deployment, so its randomness can be recorded.
        if (config_.genesisBlock == 0) config_.genesisBlock = uint64(block.number + config_.commitBlocks);
        if (config_.genesisBlock < block.number) revert InvalidConfig("genesisBlock");
        _config = config_;
        _period = uint256(config_.proposalBlocks) + config_.revealBlocks + config_.commitBlocks;
        staking = staking_;
        token = staking_.token();
        verifier = verifier_;
        _deployer = msg.sender;
        l2Domain = (block.chainid << 160) | uint160(address(this));
        _chain.push(0);
        _heights[0].status = HeightStatus.Finalized;
    }

    // ------------------------------------------------------------------------------------------------ phases

    /// @notice Proposes a block for `height` (proposal phase). Staked sequencers only, once per height, and only
    ///         if the sequencer's stake and VRF key were active before the height's randomness could be known.
    /// @dev The VRF proof is not checked here: checking costs a pairing, and only a proposal that would win
    ///      needs it (checked in `commitProver`); only its output is stored and the proof is logged, so a false
    ///      claim can be shown at once (`challengeVrfClaim`) and costs its maker `vrfClaimSlash`. The proverTip is
    ///      escrowed now (balance delta).
    /// @param height the L2 height
    /// @param vrfProof BLS signature over (randomness(height), height), see VrfLib
    /// @param commitment ProposeLib.commitment(sender, height, parent, newRoot, keccak256(pubdata), salt)
    /// @param feeSplitBps FEE_SPLIT in basis points, within the configured bounds
    /// @param proverTip tip for the prover, pulled from the sender
    /// @param proverRewardShareBps share of the pot offered to the prover, in basis points
    /// @param randomness the randomness `vrfProof` signed (`randomnessOf(height)`): a proposal replayed after an L1
    ///        reorg changed it is refused (`RandomnessMismatch`) instead of becoming a slashable false claim
    function propose(
        uint256 height,
        uint256[2] calldata vrfProof,
        bytes32 commitment,
        uint16 feeSplitBps,
        uint256 proverTip,
        uint16 proverRewardShareBps,
        uint256 randomness
    ) external nonReentrant {
        _requirePhase(height, Phase.Proposal);
        _requireEligible(height, msg.sender);
        if (!_heights[height].seedSet) revert RandomnessNotRecorded(height);
        uint256 actual = randomnessOf(height);
        if (actual != randomness) revert RandomnessMismatch(height, randomness, actual);
        Proposal storage p = _proposals[height][msg.sender];
        if (p.status != ProposalStatus.None) revert ProposalExists(height, msg.sender);
        RollupConfig storage c = _config;
        ProposeLib.checkParams(
            feeSplitBps, c.minFeeSplitBps, c.maxFeeSplitBps, proverRewardShareBps, c.maxProverRewardShareBps, commitment
        );
        uint256 received = proverTip == 0 ? 0 : _pull(msg.sender, proverTip);
        uint256 output = VrfLib.output(vrfProof);
        p.commitment = commitment;
        p.vrfOutput = output;
        p.feeSplitBps = feeSplitBps;
        p.proverRewardShareBps = proverRewardShareBps;
        p.proverTip = SafeCast.toUint96(received);
        p.status = ProposalStatus.Proposed;
        totalEscrowed += received;
        emit Proposed(height, msg.sender, commitment, output, vrfProof, feeSplitBps, received, proverRewardShareBps);
    }

    /// @notice Reveals the block behind the sender's commitment (reveal phase).
    /// @param height the L2 height
    /// @param parent the height the block builds on; must be the current chain tip
    /// @param newRoot the state root after the block
    /// @param pubdata the block's pubdata (20 * T bytes)
    /// @param salt the commitment's salt
    /// @param signatures the transfers' EdDSA signatures, 64 bytes per non-empty slot in slot order (packed R8, S):
    ///        logged, not stored or checked on chain, so that any prover can prove the block from L1 data alone
    ///        (src/l2/signatures.ts; about 1.5k gas per transfer). Only its length is checked.
    function reveal(
        uint256 height,
        uint256 parent,
        uint256 newRoot,
        bytes calldata pubdata,
        bytes32 salt,
        bytes calldata signatures
    ) external {
        _requirePhase(height, Phase.Reveal);
        Proposal storage p = _proposals[height][msg.sender];
        if (p.status == ProposalStatus.None) revert NoProposal(height, msg.sender);
        if (p.status != ProposalStatus.Proposed) revert AlreadyRevealed(height, msg.sender);
        bytes32 pubdataHash = RevealLib.check(
            p.commitment, msg.sender, height, parent, _lastInChain(), newRoot, pubdata, _config.slots, salt
        );
        p.newRoot = newRoot;
        p.pubdataHash = pubdataHash;
        p.parent = uint64(parent);
        p.status = ProposalStatus.Revealed;
        uint256 expectedSigs = 64 * PublicInputsLib.nonEmptySlots(pubdata);
        if (signatures.length != expectedSigs) revert BadSignaturesLength(signatures.length, expectedSigs);
        emit Revealed(height, msg.sender, parent, newRoot, pubdata, signatures);
    }

    /// @notice Names the prover of the sender's revealed block and posts the proverDeposit (commit phase).
    ///         When the phase ends, the highest-ranking committed proposal holds the height.
    /// @dev The VRF proof is checked here, and only if this proposal would lead: the winner is always checked,
    ///      under the key that was active before the randomness was known. The commit phase of `height` is the
    ///      seed window of `height + 1`: the first commit records that seed (`recordRandomness`).
    /// @param height the L2 height
    /// @param prover the prover's address (receives the prover's rewards)
    /// @param proverSignature empty: the deposit is pulled from the sender; otherwise the prover's EIP-712
    ///        ProverCommitment(height, sender, prover, deposit) signature, and the deposit is pulled from the prover
    /// @param vrfProof the VRF proof given to `propose` (must hash to the stored output)
    function commitProver(
        uint256 height,
        address prover,
        bytes calldata proverSignature,
        uint256[2] calldata vrfProof
    ) external nonReentrant {
        _requirePhase(height, Phase.Commit);
        if (prover == address(0)) revert ZeroAddress();
        Proposal storage p = _proposals[height][msg.sender];
        if (p.status == ProposalStatus.Committed) revert AlreadyCommitted(height, msg.sender);
        if (p.status != ProposalStatus.Revealed) revert NotRevealed(height, msg.sender);
        Height storage h = _heights[height];
        if (h.status == HeightStatus.Reorged) revert HeightReorged(height);
        uint256 tip = _tipExcluding(height);
        if (p.parent != tip) revert ParentNotTip(p.parent, tip);

        (bool leads, uint256 score) = _ranksFirst(height, h, p, vrfProof);
        if (leads && h.status == HeightStatus.None) {
            uint256 pending = _chain.length - _finalizedIndex - 1;
            if (pending >= _config.maxPendingHeights) revert PendingChainFull(pending, _config.maxPendingHeights);
        }
        _recordSeed(height + 1);
        (address depositor, uint256 received) = _pullDeposit(height, prover, proverSignature);
        totalEscrowed += received;
        p.prover = prover;
        p.depositor = depositor;
        p.deposit = SafeCast.toUint96(received);
        p.status = ProposalStatus.Committed;

        if (leads) {
            h.winner = msg.sender;
            if (h.status == HeightStatus.None) {
                h.status = HeightStatus.Pending;
                h.parent = uint64(tip);
                _chain.push(uint64(height));
            }
        }
        emit ProverCommitted(height, msg.sender, prover, depositor, received, score, leads);
    }

    /// @notice Submits the proof of a decided height. The payee bound in the first valid proof wins the submission
    ///         reward (and, if late, the prover's reward and part of the deposit).
    /// @dev Public inputs are rebuilt from the parent's root, the revealed root and pubdata (pubdata is passed
    ///      again in calldata and checked against the revealed hash: cheaper than keeping it in storage), the
    ///      payee and `l2Domain`. The payee is a public input, so a copied, front-run or re-randomized proof pays
    ///      its author, never the copier. After the proving deadline the proof is "late"; a late proof is refused
    ///      while a proof posted on time to the aggregator still stands (`EarlierPostPending`), so that nobody can
    ///      make an on-time height late. Accepted until the height is reorged.
    /// @param height the L2 height
    /// @param proof Groth16 proof as uint256[8] (docs/architecture.md)
    /// @param pubdata the winner's revealed pubdata
    /// @param payee the account paid for the proof (public input 3 of the proof)
    function submitProof(uint256 height, uint256[8] calldata proof, bytes calldata pubdata, address payee)
        external
        nonReentrant
    {
        if (payee == address(0)) revert ZeroAddress();
        uint256[] memory inputs = _proofInputs(height, pubdata, payee);
        if (block.number >= timeline(height).provingDeadline && aggregator != address(0)) {
            if (IProofAggregator(aggregator).onTimePosts(height) != 0) revert EarlierPostPending(height);
        }
        if (!ProofLib.verify(verifier, proof, inputs)) revert InvalidProof(height);
        _markProven(height, payee, inputs[2], block.number);
        _finalizeReady();
    }

    /// @notice Records the randomness seed of `height` (block.prevrandao of this block) if not yet recorded.
    ///         Anyone, in the seed window: the `commitBlocks` L1 blocks before the height's proposal phase (the
    ///         commit phase of height - 1, whose first `commitProver` records it anyway). A second call is a no-op.
    /// @dev The first recorder chooses among at most `commitBlocks` prevrandao values: at most log2(commitBlocks)
    ///      bits of bias (docs/security.md, finding 5). A height whose window passes unrecorded cannot be proposed.
    /// @param height the L2 height
    function recordRandomness(uint256 height) external {
        uint256 start = timeline(height).proposalStart;
        uint256 windowStart = _seedWindowStart(height);
        if (height == 0 || block.number < windowStart || block.number >= start) {
            revert RandomnessWindowClosed(height, windowStart, start);
        }
        _recordSeed(height);
    }

    /// @notice Shows that a proposal's claimed VRF output has no valid proof: the proposal is void (its tip is
    ///         refunded, it can no longer reveal or commit) and `vrfClaimSlash` of the sequencer's stake (capped at
    ///         the stake) is slashed, half to the caller and half burnt (so that challenging oneself still costs
    ///         half). Anyone, until the proposal is settled; also after the sequencer rotated its key or exits.
    /// @dev Without this, a false maximal claim would make honest sequencers defer to it until the last block of
    ///      the commit phase. `vrfProof` must be the logged proof (it must hash to the stored output) and `pk` the
    ///      key the sequencer had in force at the height's activation cutoff (`Staking.keyHashAt`).
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @param vrfProof the proof logged in its `Proposed` event
    /// @param pk the sequencer's VRF public key at the cutoff (from `VrfKeyRegistered`)
    function challengeVrfClaim(uint256 height, address sequencer, uint256[2] calldata vrfProof, uint256[4] calldata pk)
        external
        nonReentrant
    {
        Proposal storage p = _proposals[height][sequencer];
        if (
            p.status == ProposalStatus.None || p.status == ProposalStatus.Settled
                || VrfLib.output(vrfProof) != p.vrfOutput
        ) revert VrfClaimNotChallengeable(height, sequencer);
        // VrfLib reports a failed precompile call as "invalid": with too little gas a valid proof would look false.
        if (gasleft() < VRF_CHALLENGE_GAS) revert ChallengeGasTooLow(gasleft(), VRF_CHALLENGE_GAS);
        if (VrfLib.verify(pk, randomnessOf(height), height, vrfProof)) revert VrfClaimValid(height, sequencer);
        // The winner was verified at commit. The key judged is the one in force at the cutoff: the one `propose`
        // accepted, even if the sequencer has rotated it since (Staking keeps one previous key).
        if (_heights[height].winner == sequencer) revert VrfClaimNotChallengeable(height, sequencer);
        bytes32 keyHash = staking.keyHashAt(sequencer, _activationCutoff(height));
        if (keyHash == bytes32(0) || keccak256(abi.encode(pk)) != keyHash) revert VrfClaimNotChallengeable(height, sequencer);
        p.vrfOutput = 0;
        _settleRefund(height, sequencer, p);
        uint256 stake = staking.stakeOf(sequencer);
        uint256 amount = _config.vrfClaimSlash < stake ? _config.vrfClaimSlash : stake;
        uint256 toChallenger = amount / 2;
        if (toChallenger != 0) staking.slash(sequencer, toChallenger, msg.sender);
        if (amount - toChallenger != 0) {
            staking.slash(sequencer, amount - toChallenger, BURN_ADDRESS);
            totalBurnt += amount - toChallenger;
        }
        emit VrfClaimChallenged(height, sequencer, msg.sender, amount);
    }

    /// @notice Sends the burnt tokens accrued in `claimable[BURN_ADDRESS]` to BURN_ADDRESS. Anyone.
    function flushBurnt() external nonReentrant {
        uint256 amount = claimable[BURN_ADDRESS];
        if (amount == 0) revert NothingToClaim();
        claimable[BURN_ADDRESS] = 0;
        totalClaimable -= amount;
        token.safeTransfer(BURN_ADDRESS, amount);
        emit BurntFlushed(amount);
    }

    /// @notice Sets the ProofAggregator, once; only the deployer. From then on the aggregator may mark heights
    ///         proven after its batched check (`markProvenBatch`), and its open posts hold off `triggerReorg`.
    /// @param aggregator_ the ProofAggregator (its `rollup()` must be this contract)
    function setAggregator(address aggregator_) external {
        if (msg.sender != _deployer) revert Unauthorized(msg.sender);
        if (aggregator != address(0)) revert AggregatorAlreadySet();
        if (aggregator_ == address(0)) revert ZeroAddress();
        address itsRollup = IProofAggregator(aggregator_).rollup();
        if (itsRollup != address(this)) revert AggregatorMismatch(itsRollup);
        aggregator = aggregator_;
        emit AggregatorSet(aggregator_);
    }

    /// @notice Marks heights proven after the aggregator verified their posted proofs in one batch, finalizes the
    ///         ready prefix, and credits `account` up to `reward` from the reward pool. Only the aggregator.
    /// @dev "Late" is decided by the block each proof was POSTED in, not this block: a prover that posted in time
    ///      is on time even if the batch lands after the deadline (the verify window bounds the wait). The
    ///      aggregator rebuilt each height's inputs with `publicInputsOf` in the same transaction, so the heights
    ///      are pending and decided; the status is checked again because this function trusts no argument more
    ///      than it must. The reward is paid after finalization so that block rewards come first from the pool.
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
        if (msg.sender != aggregator) revert Unauthorized(msg.sender);
        uint256 n = heights.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 height = heights[i];
            HeightStatus st = _heights[height].status;
            if (st != HeightStatus.Pending) {
                if (st == HeightStatus.Reorged) revert HeightReorged(height);
                if (st == HeightStatus.None) revert HeightNotDecided(height);
                revert AlreadyProven(height);
            }
            _markProven(height, posters[i], fees[i], postedAt[i]);
        }
        _finalizeReady();
        uint256 paid = reward < rewardPool ? reward : rewardPool;
        rewardPool -= paid;
        _credit(account, paid);
        emit AggregationRewarded(account, n, paid);
    }

    /// @notice Reorgs a missed height and every pending block built on it; proposing resumes on the last
    ///         finalized state. Anyone, once the late window of `height` has passed without a proof.
    /// @dev The missed height's deposit is slashed: a bounty to the caller, the rest in equal parts to the lost
    ///      descendants' sequencers other than the missed block's sequencer and depositor (ReorgLib); dust, or
    ///      all of it if nobody is eligible, to the reward pool. The missed block's tip goes back to its
    ///      sequencer; the descendants' tips and deposits are refunded (not their fault).
    /// @param height the first pending height (its parent is finalized)
    function triggerReorg(uint256 height) external nonReentrant {
        uint256 idx = _finalizedIndex + 1;
        uint256 first = idx < _chain.length ? _chain[idx] : 0;
        if (first == 0 || height != first) revert NotFirstPending(height, first);
        uint256 availableAt = timeline(height).lateDeadline;
        if (block.number < availableAt) revert ReorgNotAllowed(height, availableAt);
        // A proof posted before the late deadline gets its verify window: the height may still turn out proven.
        if (aggregator != address(0)) {
            uint256 postedUntil = IProofAggregator(aggregator).reorgBlockedUntil(height);
            if (block.number < postedUntil) revert ReorgNotAllowed(height, postedUntil);
        }

        uint256 lost = _chain.length - idx - 1;
        Height storage h = _heights[height];
        address missedSeq = h.winner;
        Proposal storage w = _proposals[height][missedSeq];
        uint256 slashed = w.deposit;
        // Whoever caused the miss (its sequencer, or the depositor) gets no share for its own lost blocks:
        // otherwise a sequencer winning the descendants would get its own slashed deposit back.
        uint256 eligible = 0;
        for (uint256 i = idx + 1; i < _chain.length; ++i) {
            address s = _heights[_chain[i]].winner;
            if (s != missedSeq && s != w.depositor) ++eligible;
        }
        (uint256 bounty, uint256 perSequencer, uint256 toPool) =
            ReorgLib.shares(slashed, _config.reorgBountyBps, eligible);
        totalEscrowed -= slashed;
        rewardPool += toPool;
        _credit(msg.sender, bounty);
        uint256 tipRefund = w.proverTip;
        totalEscrowed -= tipRefund;
        _credit(missedSeq, tipRefund);
        w.status = ProposalStatus.Settled;
        h.status = HeightStatus.Reorged;
        emit HeightReorgedOut(height, missedSeq, 0);

        for (uint256 i = _chain.length - 1; i > idx; --i) {
            uint256 d = _chain[i];
            Height storage dh = _heights[d];
            address seq = dh.winner;
            dh.status = HeightStatus.Reorged;
            _settleRefund(d, seq, _proposals[d][seq]);
            uint256 share = (seq != missedSeq && seq != w.depositor) ? perSequencer : 0;
            _credit(seq, share);
            emit HeightReorgedOut(d, seq, share);
            _chain.pop();
        }
        _chain.pop();
        emit ChainReorged(height, _chain[_chain.length - 1], lost, slashed, bounty);
    }

    /// @notice Refunds the escrow (tip, deposit) of a proposal that does not hold a live height: a loser, an
    ///         unrevealed or uncommitted proposal, or any proposal of a reorged height. Anyone may call; the
    ///         tokens go to `claimable` of the sequencer (tip) and the depositor (deposit).
    /// @param height the L2 height (its commit phase must have ended, or it must be reorged)
    /// @param sequencer the proposer
    function release(uint256 height, address sequencer) external {
        Proposal storage p = _proposals[height][sequencer];
        Height storage h = _heights[height];
        bool decided = block.number >= timeline(height).commitEnd || h.status == HeightStatus.Reorged;
        bool live = h.winner == sequencer && h.status != HeightStatus.Reorged;
        if (p.status == ProposalStatus.None || p.status == ProposalStatus.Settled || !decided || live) {
            revert NotReleasable(height, sequencer);
        }
        _settleRefund(height, sequencer, p);
    }

    /// @notice Adds tokens to the reward pool (balance delta).
    /// @param amount tokens to pull from the sender
    function fundRewards(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 received = _pull(msg.sender, amount);
        rewardPool += received;
        emit RewardsFunded(msg.sender, received);
    }

    /// @notice Withdraws everything the sender is owed.
    function claim() external nonReentrant {
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert NothingToClaim();
        claimable[msg.sender] = 0;
        totalClaimable -= amount;
        token.safeTransfer(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @notice The configuration.
    /// @return the RollupConfig
    function config() external view returns (RollupConfig memory) {
        return _config;
    }

    /// @notice The height whose proposal/reveal/commit phases contain `l1Block`, and that phase.
    /// @param l1Block an L1 block number
    /// @return height the L2 height (0 before genesis)
    /// @return phase Proposal, Reveal or Commit (NotStarted before genesis)
    function clockAt(uint256 l1Block) public view returns (uint256 height, Phase phase) {
        uint256 g = _config.genesisBlock;
        if (l1Block < g) return (0, Phase.NotStarted);
        height = (l1Block - g) / _period + 1;
        uint256 offset = (l1Block - g) % _period;
        if (offset < _config.proposalBlocks) phase = Phase.Proposal;
        else if (offset < uint256(_config.proposalBlocks) + _config.revealBlocks) phase = Phase.Reveal;
        else phase = Phase.Commit;
    }

    /// @notice `clockAt(block.number)`.
    /// @return height the L2 height now in its proposal, reveal or commit phase
    /// @return phase that phase
    function currentHeight() external view returns (uint256 height, Phase phase) {
        return clockAt(block.number);
    }

    /// @notice Phase boundaries of `height` (each phase is [start, end) in L1 blocks).
    /// @param height the L2 height (>= 1)
    /// @return t the timeline
    function timeline(uint256 height) public view returns (Timeline memory t) {
        RollupConfig storage c = _config;
        t.proposalStart = uint256(c.genesisBlock) + (height == 0 ? 0 : height - 1) * _period;
        t.revealStart = t.proposalStart + c.proposalBlocks;
        t.commitStart = t.revealStart + c.revealBlocks;
        t.commitEnd = t.commitStart + c.commitBlocks;
        t.provingDeadline = t.commitEnd + c.provingWindow;
        t.lateDeadline = t.provingDeadline + c.lateWindow;
    }

    /// @notice Phase of `height` at `l1Block`, including Proving / LateProving / Expired after the commit phase.
    /// @param height the L2 height
    /// @param l1Block an L1 block number
    /// @return the phase
    function phaseOf(uint256 height, uint256 l1Block) public view returns (Phase) {
        Timeline memory t = timeline(height);
        if (height == 0 || l1Block < t.proposalStart) return Phase.NotStarted;
        if (l1Block < t.revealStart) return Phase.Proposal;
        if (l1Block < t.commitStart) return Phase.Reveal;
        if (l1Block < t.commitEnd) return Phase.Commit;
        if (l1Block < t.provingDeadline) return Phase.Proving;
        if (l1Block < t.lateDeadline) return Phase.LateProving;
        return Phase.Expired;
    }

    /// @notice A height's record (status None after its commit phase = skipped).
    /// @param height the L2 height
    /// @return the record
    function getHeight(uint256 height) external view returns (Height memory) {
        return _heights[height];
    }

    /// @notice A proposal.
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @return the proposal
    function getProposal(uint256 height, address sequencer) external view returns (Proposal memory) {
        return _proposals[height][sequencer];
    }

    /// @notice The Fernet score of a proposal (as ranked in `commitProver`).
    /// @param height the L2 height
    /// @param sequencer the proposer
    /// @return the score (0 if there is no proposal)
    function scoreOf(uint256 height, address sequencer) external view returns (uint256) {
        Proposal storage p = _proposals[height][sequencer];
        if (p.status == ProposalStatus.None) return 0;
        return ProposeLib.score(p.vrfOutput, p.feeSplitBps, _config.feeSplitScore);
    }

    /// @notice The decided chain tip: the latest height that holds a winner and whose commit phase is over.
    /// @dev For off-chain callers: an eth_call runs on the latest mined block, so once the last block of a commit
    ///      phase is mined (block.number + 1 == commitEnd) its winner is final and it is the tip. The next
    ///      proposal can then be built on it and land in the first block of the next proposal phase.
    /// @return the height (0 = genesis)
    function chainTip() external view returns (uint256) {
        uint256 last = _lastInChain();
        if (last != 0 && block.number + 1 < timeline(last).commitEnd) return _chain[_chain.length - 2];
        return last;
    }

    /// @notice The last finalized height (0 = genesis).
    /// @return the height
    function lastFinalized() external view returns (uint256) {
        return _chain[_finalizedIndex];
    }

    /// @notice Heights after the last finalized one, in chain order (proven or not, including one in its
    ///         commit phase).
    /// @return heights the pending heights
    function pendingHeights() external view returns (uint64[] memory heights) {
        uint256 n = _chain.length - _finalizedIndex - 1;
        heights = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            heights[i] = _chain[_finalizedIndex + 1 + i];
        }
    }

    /// @notice State root after `height` (the winner's revealed root; the genesis root for 0).
    /// @param height the L2 height
    /// @return the root (0 if the height has no winner)
    function rootOf(uint256 height) public view returns (uint256) {
        if (height == 0) return _config.genesisRoot;
        address w = _heights[height].winner;
        return w == address(0) ? 0 : _proposals[height][w].newRoot;
    }

    /// @notice The L1 randomness of `height`, which its VRF proofs must sign; 0 while its seed is not recorded.
    /// @dev randomness = keccak256("fernet-rollup/randomness", height, seed, VRF output of height - 2's winner).
    ///      The seed is block.prevrandao of the first block of the seed window in which someone recorded it (the
    ///      window is the `commitBlocks` blocks before the proposal phase; an L1 proposer can bias prevrandao by
    ///      one bit by withholding its block, the recorder by log2(commitBlocks) bits by choosing its block).
    ///      Height - 2's winner is fixed when its commit phase ends, before the seed window opens (the window is
    ///      height - 1's commit phase), whatever reorgs happen later: whoever picks that output cannot know the
    ///      seed yet, and whoever records the seed cannot change the output. Height - 1's winner would not do: it
    ///      is decided during the window, so a leader with several proposals could choose among randomness values.
    ///      Final from the recording block on.
    /// @param height the L2 height
    /// @return the randomness
    function randomnessOf(uint256 height) public view returns (uint256) {
        Height storage h = _heights[height];
        if (!h.seedSet) return 0;
        uint256 back = height < 2 ? 0 : height - 2;
        address prev = _heights[back].winner;
        uint256 prevOutput = prev == address(0) ? 0 : _proposals[back][prev].vrfOutput;
        return uint256(keccak256(abi.encode("fernet-rollup/randomness", height, h.seed, prevOutput)));
    }

    /// @notice First L1 block of the seed window of `height` (`recordRandomness`).
    /// @param height the L2 height (>= 1)
    /// @return the block
    function seedWindowStart(uint256 height) external view returns (uint256) {
        return _seedWindowStart(height);
    }

    /// @notice Stakes and VRF keys active from this L1 block on do not count for `height`: the seed window's start
    ///         less `keyActivationDelay`.
    /// @param height the L2 height (>= 1)
    /// @return the block
    function activationCutoff(uint256 height) external view returns (uint256) {
        return _activationCutoff(height);
    }

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
        return _proofInputs(height, pubdata, payee);
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
        Height storage h = _heights[height];
        if (h.winner == address(0) || block.number < timeline(height).commitEnd) revert HeightNotDecided(height);
        return _statement(height, h, pubdata, payee);
    }

    /// @notice What the aggregator needs to accept a post for `height`: its status and deadlines.
    /// @param height the L2 height
    /// @return status the height's status (Pending = decided and awaiting a proof, if `decided`)
    /// @return decided whether its commit phase has ended
    /// @return provingDeadline the first block at which a proof is late
    /// @return lateDeadline the first block from which the height may be reorged
    function proofWindow(uint256 height)
        external
        view
        returns (HeightStatus status, bool decided, uint256 provingDeadline, uint256 lateDeadline)
    {
        Timeline memory t = timeline(height);
        return (_heights[height].status, block.number >= t.commitEnd, t.provingDeadline, t.lateDeadline);
    }

    /// @notice The EIP-712 digest a prover signs to fund a deposit for `sequencer` at `height`.
    /// @param height the L2 height
    /// @param sequencer the sequencer
    /// @param prover the prover
    /// @return the digest
    function proverCommitmentDigest(uint256 height, address sequencer, address prover)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(ProverCommitLib.structHash(height, sequencer, prover, _config.proverDeposit));
    }

    // ------------------------------------------------------------------------------------------------ internal

    /// @dev Checks that `height` awaits a proof and `pubdata` is what its winner revealed, and rebuilds the public
    ///      inputs from the parent's root. Shared with a future batch-verification path.
    function _proofInputs(uint256 height, bytes calldata pubdata, address payee)
        internal
        view
        returns (uint256[] memory)
    {
        Height storage h = _heights[height];
        if (h.status == HeightStatus.Proven || h.status == HeightStatus.Finalized) revert AlreadyProven(height);
        if (h.status == HeightStatus.Reorged) revert HeightReorged(height);
        if (h.status != HeightStatus.Pending || block.number < timeline(height).commitEnd) {
            revert HeightNotDecided(height);
        }
        return _statement(height, h, pubdata, payee);
    }

    /// @dev The winner's public inputs for `payee`, after checking `pubdata` against its revealed hash.
    function _statement(uint256 height, Height storage h, bytes calldata pubdata, address payee)
        private
        view
        returns (uint256[] memory)
    {
        Proposal storage w = _proposals[height][h.winner];
        if (keccak256(pubdata) != w.pubdataHash) revert PubdataMismatch(height);
        return PublicInputsLib.compute(
            rootOf(h.parent), w.newRoot, uint256(uint160(payee)), l2Domain, pubdata, _config.slots
        );
    }

    /// @dev Whether the sender's proposal would now hold the height, and its score. A proposal that would lead
    ///      must show the VRF proof behind its stored output, and the proof must verify (one pairing check).
    function _ranksFirst(uint256 height, Height storage h, Proposal storage p, uint256[2] calldata vrfProof)
        private
        view
        returns (bool leads, uint256 score)
    {
        uint256 output = p.vrfOutput;
        bool boost = _config.feeSplitScore;
        score = ProposeLib.score(output, p.feeSplitBps, boost);
        leads = h.winner == address(0);
        if (!leads) {
            Proposal storage best = _proposals[height][h.winner];
            uint256 bestScore = ProposeLib.score(best.vrfOutput, best.feeSplitBps, boost);
            leads = ProposeLib.outranks(score, output, msg.sender, bestScore, best.vrfOutput, h.winner);
        }
        if (leads) {
            // The key checked is the one active before the randomness was known (a rotation since voids the lead).
            _requireEligible(height, msg.sender);
            if (
                VrfLib.output(vrfProof) != output
                    || !VrfLib.verify(staking.vrfKeyOf(msg.sender), randomnessOf(height), height, vrfProof)
            ) revert InvalidVrfProof(height, msg.sender);
        }
    }

    /// @dev Pulls the proverDeposit from the sender, or from the prover when it signed its consent.
    function _pullDeposit(uint256 height, address prover, bytes calldata proverSignature)
        private
        returns (address depositor, uint256 received)
    {
        depositor = msg.sender;
        uint256 required = _config.proverDeposit;
        if (proverSignature.length != 0) {
            bytes32 digest = _hashTypedDataV4(ProverCommitLib.structHash(height, msg.sender, prover, required));
            if (!SignatureChecker.isValidSignatureNow(prover, digest, proverSignature)) {
                revert InvalidProverSignature(prover);
            }
            depositor = prover;
        }
        received = required == 0 ? 0 : _pull(depositor, required);
        if (received < required) revert InsufficientReceived(received, required);
    }

    /// @dev Marks a height as proven by `submitter`, whose proof arrived at L1 block `atBlock` (this block for
    ///      `submitProof`, the posting block for a batch-verified post): late iff `atBlock >= provingDeadline`.
    ///      Call `_finalizeReady()` after.
    function _markProven(uint256 height, address submitter, uint256 fees, uint256 atBlock) internal {
        Height storage h = _heights[height];
        h.status = HeightStatus.Proven;
        h.submitter = submitter;
        h.totalFees = SafeCast.toUint96(fees);
        h.late = atBlock >= timeline(height).provingDeadline;
        emit ProofSubmitted(height, submitter, h.late);
    }

    /// @dev Finalizes, in chain order, every proven height whose parent is final, and credits its rewards.
    function _finalizeReady() internal {
        uint256 idx = _finalizedIndex;
        while (idx + 1 < _chain.length && _heights[_chain[idx + 1]].status == HeightStatus.Proven) {
            ++idx;
            _finalize(_chain[idx]);
        }
        _finalizedIndex = idx;
    }

    function _finalize(uint256 height) private {
        Height storage h = _heights[height];
        Proposal storage w = _proposals[height][h.winner];
        RollupConfig storage c = _config;
        RewardsLib.Split memory s = RewardsLib.split(
            rewardPool,
            c.submissionReward,
            c.blockReward,
            h.totalFees,
            w.feeSplitBps,
            w.proverRewardShareBps,
            w.proverTip,
            w.deposit,
            h.late,
            c.lateProverShareBps
        );
        h.status = HeightStatus.Finalized;
        w.status = ProposalStatus.Settled;
        rewardPool = rewardPool - s.poolUsed + s.depositSlashed;
        if (s.burnt != 0) {
            totalBurnt += s.burnt;
            _credit(BURN_ADDRESS, s.burnt);
        }
        totalEscrowed -= uint256(w.proverTip) + w.deposit;
        // A late proof's rescuer did the prover's work: it takes the prover's reward.
        address proverPaid = h.late ? h.submitter : w.prover;
        _credit(h.submitter, s.submission + s.depositToRescuer);
        _credit(proverPaid, s.prover);
        _credit(h.winner, s.sequencer);
        _credit(w.depositor, s.depositBack);
        if (h.late) emit LateProofSettled(height, h.submitter, s.depositToRescuer, s.depositSlashed);
        emit HeightFinalized(height, h.winner, proverPaid, h.submitter, s.sequencer, s.prover, s.submission);
    }

    function _settleRefund(uint256 height, address sequencer, Proposal storage p) private {
        uint256 tipRefund = p.proverTip;
        uint256 depositRefund = p.deposit;
        p.status = ProposalStatus.Settled;
        totalEscrowed -= tipRefund + depositRefund;
        _credit(sequencer, tipRefund);
        _credit(p.depositor, depositRefund);
        emit EscrowReleased(height, sequencer, tipRefund, depositRefund);
    }

    function _credit(address account, uint256 amount) private {
        if (amount == 0) return;
        claimable[account] += amount;
        totalClaimable += amount;
    }

    function _pull(address from, uint256 amount) private returns (uint256 received) {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        received = token.balanceOf(address(this)) - before;
    }

    /// @dev Records `height`'s seed from this block's prevrandao, once.
    function _recordSeed(uint256 height) private {
        Height storage h = _heights[height];
        if (h.seedSet) return;
        h.seed = block.prevrandao;
        h.seedSet = true;
        emit RandomnessRecorded(height, block.prevrandao);
    }

    /// @dev The seed window of `height` is its `commitBlocks` blocks before the proposal phase (for height >= 2, the
    ///      commit phase of height - 1). Before it, nobody can know the randomness.
    function _seedWindowStart(uint256 height) private view returns (uint256) {
        uint256 start = timeline(height).proposalStart;
        uint256 w = _config.commitBlocks;
        return start > w ? start - w : 0;
    }

    /// @dev `keyActivationDelay` blocks before the seed window: see RollupConfig.
    function _activationCutoff(uint256 height) private view returns (uint256) {
        uint256 ws = _seedWindowStart(height);
        uint256 d = _config.keyActivationDelay;
        return ws > d ? ws - d : 0;
    }

    /// @dev The sequencer's stake and VRF key must have been active before `height`'s activation cutoff.
    function _requireEligible(uint256 height, address sequencer) private view {
        uint256 since = staking.activeSince(sequencer, IStaking.Role.Sequencer);
        if (since == type(uint256).max) revert NotActiveSequencer(sequencer);
        uint256 cutoff = _activationCutoff(height);
        if (since >= cutoff) revert StakeTooRecent(sequencer, since, cutoff);
    }

    function _requirePhase(uint256 height, Phase expected) private view {
        Phase actual = phaseOf(height, block.number);
        if (actual != expected) revert WrongPhase(height, uint8(expected), uint8(actual));
    }

    function _lastInChain() private view returns (uint256) {
        return _chain[_chain.length - 1];
    }

    /// @dev The tip a block of `height` builds on: the last chain entry other than `height` itself.
    function _tipExcluding(uint256 height) private view returns (uint256) {
        uint256 last = _lastInChain();
        return last == height ? _chain[_chain.length - 2] : last;
    }
}
