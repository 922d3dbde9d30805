// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {PullPayments} from "./base/PullPayments.sol";
import {LedgerLib} from "./libraries/LedgerLib.sol";
import {IBatchVerifier} from "./interfaces/IBatchVerifier.sol";
import {IProofAggregator} from "./interfaces/IProofAggregator.sol";
import {Rollup} from "./Rollup.sol";
import {IRollup, RollupConfig} from "./interfaces/IRollup.sol";
import {Errors} from "./errors/Errors.sol";

/// @notice Parameters of the ProofAggregator, fixed at deployment (docs/batch-verification.md, "Posting").
struct AggregatorConfig {
    /// @dev Bond per posted proof, in the protocol token (refunded when the proof is verified or its window ends;
    ///      paid to whoever shows it invalid).
    uint256 postBond;
    /// @dev L1 blocks after posting in which the post can be verified (and during which it holds off a reorg).
    uint32 verifyWindow;
    /// @dev Aggregation reward per batch (fixed part of the gas), from the Rollup's reward pool.
    uint256 batchReward;
    /// @dev Aggregation reward per verified height (marginal part of the gas), from the Rollup's reward pool.
    uint256 batchRewardPerHeight;
}

/// @title ProofAggregator: post block proofs unverified, verify many in one batched pairing check
/// @notice Seed 000 / PROTOCOL.md step 7. `postProof` records only keccak256(proof, payee), the poster, the L1 block and a
///         bond (the proof itself goes into the `ProofPosted` log so any aggregator can pick it up). `verifyBatch`
///         checks a set of posted proofs of one circuit with Groth16BatchLib (through the circuit's generated
///         IBatchVerifier) against the public inputs the Rollup rebuilds from what was revealed, and has the
///         Rollup mark the heights proven as of the blocks they were POSTED in. `submitBatch` does the same for proofs
///         never posted (a prover landing several of its own proofs at once, proven as of this block). `challengePostedProof` shows one
///         posted proof invalid with a single verification and pays its bond to the challenger.
/// @dev A separate contract keeps the Rollup under the 24 KB code limit; the Rollup trusts exactly this contract
///      (`Rollup.setAggregator`, once). Bonds are held here and paid by pull (`claim`, PullPayments):
///      `token.balanceOf(this) == totalBonds + totalClaimable`.
contract ProofAggregator is IProofAggregator, Errors, PullPayments {
    using SafeERC20 for IERC20;

    /// @notice One posted, not yet verified proof. One storage slot.
    struct PostedProof {
        address poster;
        uint64 postedAt;
    }

    /// @notice Per-height bookkeeping of posts, one slot.
    struct HeightPosts {
        /// @dev max over the height's posts of postedAt + verifyWindow
        uint64 reorgBlockedUntil;
        /// @dev standing posts made before the height's proving deadline
        uint32 onTimePosts;
    }

    /// @notice The Rollup whose heights this contract proves (it must have `setAggregator(this)`).
    Rollup public immutable rollupContract;
    /// @notice The generated batch verifier of the Rollup's circuit.
    IBatchVerifier public immutable verifier;
    /// @notice The protocol token (the Rollup's), in which bonds are paid.
    IERC20 public immutable token;
    /// @notice Bond per posted proof.
    uint256 public immutable postBond;
    /// @notice L1 blocks after posting during which a post can be verified (and holds off a reorg).
    uint256 public immutable verifyWindow;
    /// @notice Aggregation reward per batch, asked from the Rollup's pool.
    uint256 public immutable batchReward;
    /// @notice Aggregation reward per verified height, asked from the Rollup's pool.
    uint256 public immutable batchRewardPerHeight;
    /// @dev Public inputs per proof (5 + T).
    uint256 private immutable _nPub;
    /// @dev The Rollup's clock (its config is fixed at deployment): a height's proving deadline is computed here
    ///      (`_provingDeadline`, ClockLib's formula) instead of asked from the Rollup by a call.
    uint256 private immutable _genesisBlock;
    uint256 private immutable _period;
    uint256 private immutable _provingWindow;

    /// @dev height => keccak256(abi.encode(proof, payee)) => post. Several different proofs may be posted per
    ///      height, so junk cannot stall a height: an honest prover posts its own next to it.
    mapping(uint256 => mapping(bytes32 => PostedProof)) private _posts;
    mapping(uint256 => HeightPosts) private _heightPosts;
    /// @notice Bonds of live posts.
    uint256 public totalBonds;

    /// @notice A proof was posted for `height` (unverified). `proof` is logged so anyone can aggregate it.
    event ProofPosted(
        uint256 indexed height, address indexed poster, bytes32 indexed proofHash, uint256[8] proof, address payee, uint256 bond
    );
    /// @notice A batch of posted proofs verified; its heights were marked proven (and finalized if ready).
    event BatchVerified(address indexed aggregator, uint256 firstHeight, uint256 lastHeight, uint256 count, uint256 rewardAsked);
    /// @notice A batch of never-posted proofs verified (`submitBatch`); its heights were marked proven as of this
    ///         block (and finalized if ready). No aggregation reward.
    event BatchSubmitted(address indexed submitter, uint256 firstHeight, uint256 lastHeight, uint256 count);
    /// @notice One posted proof verified in a batch; its bond went back to the poster.
    event PostedProofVerified(uint256 indexed height, address indexed poster, bytes32 indexed proofHash, uint256 postedAt);
    /// @notice A posted proof was shown invalid and removed; its bond went to the challenger.
    event PostedProofRejected(uint256 indexed height, address indexed poster, bytes32 indexed proofHash, address challenger, uint256 bond);
    /// @notice A post whose window ended unverified and unchallenged was removed; its bond went back to the poster.
    event BondReclaimed(uint256 indexed height, address indexed poster, bytes32 indexed proofHash, uint256 bond);
    /// @notice Bonds were withdrawn.

    /// @param rollup_ the Rollup (its token is the bond token; it must then `setAggregator(this)`)
    /// @param verifier_ the batch verifier of the Rollup's circuit (public-input count must be 5 + T)
    /// @param config_ bond, verify window and aggregation rewards
    constructor(Rollup rollup_, IBatchVerifier verifier_, AggregatorConfig memory config_) {
        if (address(rollup_) == address(0) || address(verifier_) == address(0)) revert ProofAggregator__ZeroAddress();
        if (config_.verifyWindow == 0) revert ProofAggregator__InvalidConfig("verifyWindow");
        // A free post would let anyone hold off late rescues (EarlierPostPending) and make challengers pay to clear
        // it: the bond must at least pay for a challenge.
        if (config_.postBond == 0) revert ProofAggregator__InvalidConfig("postBond");
        RollupConfig memory rc = rollup_.config();
        uint256 expected = 5 + uint256(rc.slots);
        uint256 got = verifier_.publicInputCount();
        if (got != expected) revert ProofAggregator__VerifierMismatch(got, expected);
        rollupContract = rollup_;
        verifier = verifier_;
        token = rollup_.token();
        postBond = config_.postBond;
        verifyWindow = config_.verifyWindow;
        batchReward = config_.batchReward;
        batchRewardPerHeight = config_.batchRewardPerHeight;
        _nPub = expected;
        _genesisBlock = rc.genesisBlock;
        _period = uint256(rc.proposalBlocks) + rc.revealBlocks + rc.commitBlocks;
        _provingWindow = rc.provingWindow;
    }

    // ------------------------------------------------------------------------------------------------ posting

    /// @notice Posts a proof of `height` paying `payee` without verifying it; the bond is pulled from the sender.
    /// @dev Allowed from the end of the height's commit phase (it has a winner) while it is pending and before its
    ///      late deadline, so a post can hold off a reorg by at most `verifyWindow` blocks past that deadline.
    ///      Only the hash of (proof, payee) is stored (one slot); the block it lands in decides "late" if it is
    ///      verified. The payee is a public input of the proof: a copy pays the author, never the copier.
    /// @param height the L2 height
    /// @param proof the Groth16 proof words
    /// @param payee the payee bound in the proof (receives the submission reward; the rescuer's share if late)
    /// @return proofHash keccak256(abi.encode(proof, payee)), the post's key
    function postProof(uint256 height, uint256[8] calldata proof, address payee)
        external
        nonReentrant
        returns (bytes32 proofHash)
    {
        if (payee == address(0)) revert ProofAggregator__ZeroAddress();
        (IRollup.HeightStatus status, bool decided, uint256 provingDeadline, uint256 lateDeadline) =
            rollupContract.proofWindow(height);
        if (status != IRollup.HeightStatus.Pending || !decided || block.number >= lateDeadline) {
            revert ProofAggregator__PostingClosed(height, lateDeadline);
        }
        proofHash = keccak256(abi.encode(proof, payee));
        PostedProof storage p = _posts[height][proofHash];
        if (p.poster != address(0)) revert ProofAggregator__ProofAlreadyPosted(height, proofHash);
        uint256 bond = postBond;
        if (bond != 0) {
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), bond);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received < bond) revert ProofAggregator__InsufficientReceived(received, bond);
            totalBonds += bond;
        }
        p.poster = msg.sender;
        p.postedAt = uint64(block.number);
        HeightPosts storage hp = _heightPosts[height];
        uint64 until = uint64(block.number + verifyWindow);
        if (until > hp.reorgBlockedUntil) hp.reorgBlockedUntil = until;
        if (block.number < provingDeadline) ++hp.onTimePosts;
        emit ProofPosted(height, msg.sender, proofHash, proof, payee, bond);
    }

    // ------------------------------------------------------------------------------------------------ batch

    /// @notice Verifies posted proofs in one batched pairing check and marks their heights proven (finalizing
    ///         the ready prefix). The sender is credited the aggregation reward by the Rollup; posters get their
    ///         bonds back and are the heights' submitters (late iff posted at or after the proving deadline).
    /// @dev All or nothing: a batch with any invalid proof reverts `InvalidProofBatch` (check it off chain first
    ///      with src/zk/batchVerify.ts). Refused with no state change: empty or ragged input, the same proof twice
    ///      (`DuplicateProofInBatch`), heights not strictly increasing (`HeightsOutOfOrder`), a height without that
    ///      posted proof (`ProofNotPosted`), an expired post (`PostExpired`), and, from the Rollup, a reorged,
    ///      proven or undecided height or wrong pubdata (`HeightReorged`, `AlreadyProven`, `HeightNotDecided`,
    ///      `PubdataMismatch`). The inputs are rebuilt by the Rollup (`publicInputsOf`), never taken from the caller.
    ///      A post made after its height's proving deadline is refused while a post made before it still stands
    ///      (`EarlierPostPending`): lateness is that of the earliest surviving post, so whoever sends the batch
    ///      cannot make an on-time height late by picking a late copy (challenge the earlier post away first).
    /// @param heights the heights, strictly increasing
    /// @param proofs the posted proofs, one per height (checked against the stored hashes)
    /// @param payees the payee each proof was posted with
    /// @param pubdatas each height's revealed pubdata
    function verifyBatch(
        uint256[] calldata heights,
        uint256[8][] calldata proofs,
        address[] calldata payees,
        bytes[] calldata pubdatas
    ) external nonReentrant {
        uint256 n = heights.length;
        if (n == 0) revert ProofAggregator__EmptyProofBatch();
        if (proofs.length != n || pubdatas.length != n || payees.length != n) {
            revert ProofAggregator__BatchLengthMismatch(n, proofs.length, pubdatas.length);
        }
        Batch memory b = Batch({
            hashes: new bytes32[](n),
            posters: new address[](n),
            postedAt: new uint256[](n),
            onTime: new bool[](n),
            fees: new uint256[](n),
            flat: _statements(heights, payees, pubdatas)
        });
        for (uint256 i = 0; i < n; ++i) {
            if (i != 0 && heights[i] <= heights[i - 1]) revert ProofAggregator__HeightsOutOfOrder(i, heights[i - 1], heights[i]);
            _prepare(b, i, heights[i], proofs[i], payees[i]);
        }
        if (!verifier.verifyBatch(proofs, b.flat)) revert ProofAggregator__InvalidProofBatch();

        uint256 bond = postBond;
        for (uint256 i = 0; i < n; ++i) {
            _remove(heights[i], b.hashes[i], b.onTime[i]);
            _credit(b.posters[i], bond);
            emit PostedProofVerified(heights[i], b.posters[i], b.hashes[i], b.postedAt[i]);
        }
        totalBonds -= bond * n;
        uint256 reward = batchReward + batchRewardPerHeight * n;
        emit BatchVerified(msg.sender, heights[0], heights[n - 1], n, reward);
        rollupContract.markProvenBatch(heights, payees, b.postedAt, b.fees, msg.sender, reward);
    }

    /// @notice Submits proofs that were never posted, verifies them now in one batched pairing check and marks
    ///         their heights proven as of this block (finalizing the ready prefix): the cheap way for a prover to
    ///         land several of its own proofs. Each payee is its height's submitter, exactly as with
    ///         `Rollup.submitProof` (submission reward; the rescuer's share if late).
    /// @dev All or nothing, like `verifyBatch`: refused with no state change on empty or ragged input, heights not
    ///      strictly increasing (`HeightsOutOfOrder`), the same (proof, payee) twice (`DuplicateProofInBatch`), a
    ///      zero payee (`ZeroAddress`), and, from the Rollup, a reorged, proven or undecided height or wrong pubdata
    ///      (`HeightReorged`, `AlreadyProven`, `HeightNotDecided`, `PubdataMismatch`); any invalid proof reverts
    ///      `InvalidProofBatch`. Late iff this block is at or after the height's proving deadline; a late proof is
    ///      refused while an on-time POST of its height stands (`EarlierPostPending`, as `Rollup.submitProof` and
    ///      `verifyBatch` do), so a direct batch cannot make an on-time height late either.
    ///      No aggregation reward (the Rollup is asked for 0): the sender proves its own heights and already saves
    ///      gas over one `submitProof` each; its payees earn exactly what `submitProof` would pay them. A reward
    ///      here would pay a batch of one more than `submitProof` for the same work, drain the pool through
    ///      one-proof batches, and be worth front-running (the whole batch is public in the mempool).
    /// @param heights the heights, strictly increasing
    /// @param proofs one proof per height
    /// @param payees the payee bound in each proof (public input 3)
    /// @param pubdatas each height's revealed pubdata
    function submitBatch(
        uint256[] calldata heights,
        uint256[8][] calldata proofs,
        address[] calldata payees,
        bytes[] calldata pubdatas
    ) external nonReentrant {
        uint256 n = heights.length;
        if (n == 0) revert ProofAggregator__EmptyProofBatch();
        if (proofs.length != n || pubdatas.length != n || payees.length != n) {
            revert ProofAggregator__BatchLengthMismatch(n, proofs.length, pubdatas.length);
        }
        DirectBatch memory b = DirectBatch({
            hashes: new bytes32[](n),
            arrivedAt: new uint256[](n),
            fees: new uint256[](n),
            flat: _statements(heights, payees, pubdatas)
        });
        for (uint256 i = 0; i < n; ++i) {
            if (i != 0 && heights[i] <= heights[i - 1]) revert ProofAggregator__HeightsOutOfOrder(i, heights[i - 1], heights[i]);
            _prepareDirect(b, i, heights[i], proofs[i], payees[i]);
        }
        if (!verifier.verifyBatch(proofs, b.flat)) revert ProofAggregator__InvalidProofBatch();
        emit BatchSubmitted(msg.sender, heights[0], heights[n - 1], n);
        rollupContract.markProvenBatch(heights, payees, b.arrivedAt, b.fees, msg.sender, 0);
    }

    /// @dev Working arrays of one `submitBatch`.
    struct DirectBatch {
        bytes32[] hashes;
        uint256[] arrivedAt;
        uint256[] fees;
        uint256[] flat;
    }

    /// @dev Every height's public inputs, row-major, rebuilt by the Rollup in one call (it refuses reorged, proven
    ///      or undecided heights and wrong pubdata): never taken from the caller.
    function _statements(uint256[] calldata heights, address[] calldata payees, bytes[] calldata pubdatas)
        private
        view
        returns (uint256[] memory)
    {
        return rollupContract.publicInputsOfBatch(heights, pubdatas, payees);
    }

    /// @dev Checks entry `i` of a direct batch (non-zero payee, distinct proof, no late proof over an on-time post);
    ///      its row of public inputs is already in `b.flat` (`_statements`).
    function _prepareDirect(DirectBatch memory b, uint256 i, uint256 height, uint256[8] calldata proof, address payee)
        private
        view
    {
        if (payee == address(0)) revert ProofAggregator__ZeroAddress();
        bytes32 hash = keccak256(abi.encode(proof, payee));
        for (uint256 j = 0; j < i; ++j) {
            if (b.hashes[j] == hash) revert ProofAggregator__DuplicateProofInBatch(j, i);
        }
        b.hashes[i] = hash;
        // Only a late proof needs the height's count of on-time posts: an on-time one reads no storage here.
        if (!_onTime(height, block.number) && _heightPosts[height].onTimePosts != 0) {
            revert ProofAggregator__EarlierPostPending(height);
        }
        b.fees[i] = _feesOf(b.flat, i);
        b.arrivedAt[i] = block.number;
    }

    /// @dev Working arrays of one `verifyBatch` (a struct keeps the stack shallow).
    struct Batch {
        bytes32[] hashes;
        address[] posters;
        uint256[] postedAt;
        bool[] onTime;
        uint256[] fees;
        uint256[] flat;
    }

    /// @dev Deletes a post and keeps the height's count of standing on-time posts.
    function _remove(uint256 height, bytes32 hash, bool onTime) private {
        delete _posts[height][hash];
        if (onTime) --_heightPosts[height].onTimePosts;
    }

    /// @dev Whether a post made at `postedAt` was made before `height`'s proving deadline.
    function _onTime(uint256 height, uint256 postedAt) private view returns (bool) {
        return postedAt < _provingDeadline(height);
    }

    /// @dev `height`'s proving deadline: ClockLib.timeline's `provingDeadline` over the Rollup's fixed clock
    ///      (commitEnd + provingWindow, commitEnd = genesisBlock + height * period), without a call.
    function _provingDeadline(uint256 height) private view returns (uint256) {
        return _genesisBlock + (height == 0 ? 0 : height - 1) * _period + _period + _provingWindow;
    }

    /// @dev Checks entry `i` of a batch (distinct proof, posted, not expired); its row of public inputs is already in
    ///      `b.flat` (`_statements`: the Rollup refuses reorged/proven heights, bad pubdata).
    function _prepare(Batch memory b, uint256 i, uint256 height, uint256[8] calldata proof, address payee)
        private
        view
    {
        bytes32 hash = keccak256(abi.encode(proof, payee));
        // n is small (tens): the quadratic scan costs less than a memory hash set would.
        for (uint256 j = 0; j < i; ++j) {
            if (b.hashes[j] == hash) revert ProofAggregator__DuplicateProofInBatch(j, i);
        }
        b.hashes[i] = hash;
        PostedProof memory p = _posts[height][hash];
        if (p.poster == address(0)) revert ProofAggregator__ProofNotPosted(height, hash);
        uint256 deadline = uint256(p.postedAt) + verifyWindow;
        if (block.number >= deadline) revert ProofAggregator__PostExpired(height, hash, deadline);
        bool onTime = _onTime(height, p.postedAt);
        if (!onTime && _heightPosts[height].onTimePosts != 0) revert ProofAggregator__EarlierPostPending(height);
        b.onTime[i] = onTime;
        b.posters[i] = p.poster;
        b.postedAt[i] = p.postedAt;
        b.fees[i] = _feesOf(b.flat, i);
    }

    /// @dev Row `i`'s totalFees (public input 2).
    function _feesOf(uint256[] memory flat, uint256 i) private view returns (uint256) {
        return flat[i * _nPub + 2];
    }

    // ------------------------------------------------------------------------------------------------ challenge

    /// @notice Shows one posted proof invalid with a single Groth16 verification, removes it and credits its bond
    ///         to the sender. Anyone, as long as the post exists (its height may meanwhile be proven or reorged).
    /// @dev The statement is the Rollup's (`statementOf`: parent root, revealed root and pubdata), so a wrong
    ///      pubdata cannot make a valid proof look invalid (`PubdataMismatch`). Too little gas reverts
    ///      (Groth16BatchLib `InsufficientGas`) instead of returning false, so an honest poster cannot be robbed by
    ///      a starved call. A proof that verifies is refused (`PostedProofIsValid`).
    /// @param height the L2 height
    /// @param proof the posted proof
    /// @param payee the payee it was posted with
    /// @param pubdata the height's revealed pubdata
    function challengePostedProof(uint256 height, uint256[8] calldata proof, address payee, bytes calldata pubdata)
        external
        nonReentrant
    {
        bytes32 hash = keccak256(abi.encode(proof, payee));
        PostedProof memory p = _posts[height][hash];
        if (p.poster == address(0)) revert ProofAggregator__ProofNotPosted(height, hash);
        uint256[] memory inputs = rollupContract.statementOf(height, pubdata, payee);
        if (verifier.verifySingle(proof, inputs)) revert ProofAggregator__PostedProofIsValid(height, hash);
        _remove(height, hash, _onTime(height, p.postedAt));
        uint256 bond = postBond;
        totalBonds -= bond;
        _credit(msg.sender, bond);
        emit PostedProofRejected(height, p.poster, hash, msg.sender, bond);
    }

    /// @notice Removes a post whose verify window is over (never verified, never shown invalid) and refunds its
    ///         bond to the poster. Anyone may call.
    /// @dev The window doubles as the challenge period: a junk post that nobody challenged in `verifyWindow`
    ///      blocks gets its bond back, but it never counted for anything (only verified posts mark heights).
    /// @param height the L2 height
    /// @param proofHash the post's key
    function reclaimBond(uint256 height, bytes32 proofHash) external nonReentrant {
        PostedProof memory p = _posts[height][proofHash];
        if (p.poster == address(0)) revert ProofAggregator__ProofNotPosted(height, proofHash);
        uint256 availableAt = uint256(p.postedAt) + verifyWindow;
        if (block.number < availableAt) revert ProofAggregator__BondLocked(height, proofHash, availableAt);
        _remove(height, proofHash, _onTime(height, p.postedAt));
        uint256 bond = postBond;
        totalBonds -= bond;
        _credit(p.poster, bond);
        emit BondReclaimed(height, p.poster, proofHash, bond);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @notice A posted proof (poster zero if none).
    /// @param height the L2 height
    /// @param proofHash keccak256(abi.encode(proof, payee))
    /// @return poster who posted it
    /// @return postedAt the L1 block it was posted in
    function postedProof(uint256 height, bytes32 proofHash) external view returns (address poster, uint256 postedAt) {
        PostedProof memory p = _posts[height][proofHash];
        return (p.poster, p.postedAt);
    }

    /// @notice The key of a post: keccak256(abi.encode(proof, payee)).
    /// @param proof the proof words
    /// @param payee the payee bound in the proof
    /// @return the hash
    function proofHashOf(uint256[8] calldata proof, address payee) external pure returns (bytes32) {
        return keccak256(abi.encode(proof, payee));
    }

    /// @inheritdoc IProofAggregator
    function reorgBlockedUntil(uint256 height) external view returns (uint256) {
        return _heightPosts[height].reorgBlockedUntil;
    }

    /// @inheritdoc IProofAggregator
    function onTimePosts(uint256 height) external view returns (uint256) {
        return _heightPosts[height].onTimePosts;
    }

    /// @inheritdoc IProofAggregator
    function rollup() external view returns (address) {
        return address(rollupContract);
    }

    function _credit(address account, uint256 amount) private {
        LedgerLib.credit(account, amount);
    }

    function _ledgerToken() internal view override returns (IERC20) {
        return token;
    }
}
