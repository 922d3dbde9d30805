// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Errors: every custom error of the Staking, Rollup and ProofAggregator contracts, in one place
/// @dev Shared by contracts and libraries so that clients decode one ABI. Grouped by concern.

// ---- general ----
/// @notice A zero address was given where an account or contract is required.
error ZeroAddress();
/// @notice A zero amount was given where a positive amount is required.
error ZeroAmount();
/// @notice The caller is not allowed to call this function.
error Unauthorized(address caller);
/// @notice Nothing is owed to the caller.
error NothingToClaim();
/// @notice A deploy-time configuration value is out of range.
error InvalidConfig(string field);

// ---- staking ----
/// @notice The stake would stay below the minimum for the role.
error StakeBelowMinimum(uint256 stake, uint256 minimum);
/// @notice The account already has a stake in another role (one role per account).
error RoleMismatch(uint8 current, uint8 requested);
/// @notice The proof of possession of a VRF key does not verify.
error InvalidProofOfPossession();
/// @notice The VRF key is already registered to another account.
error VrfKeyTaken(bytes32 keyHash);
/// @notice The account has no stake.
error NotStaked(address account);
/// @notice The account already asked to exit.
error ExitAlreadyRequested(address account);
/// @notice The account did not ask to exit.
error ExitNotRequested(address account);
/// @notice The exit delay has not passed yet.
error WithdrawTooEarly(uint256 currentBlock, uint256 availableAt);
/// @notice The rollup address of the Staking contract was already set.
error RollupAlreadySet();
/// @notice A VRF key was replaced less than `exitDelay` blocks ago: the next rotation is allowed from `availableAt`.
error KeyRotationTooSoon(uint256 availableAt);
/// @notice More was asked to be slashed than is staked.
error SlashExceedsStake(uint256 amount, uint256 stake);
/// @notice The account's stake or VRF key became active at `activeSince`, not before the randomness of the height
///         could be known (`windowStart`): a key or stake chosen after seeing the randomness never counts.
error StakeTooRecent(address account, uint256 activeSince, uint256 windowStart);

// ---- rollup: clock ----
/// @notice The call is not allowed in the current phase of the height.
/// @param height the L2 height
/// @param expected the phase the call needs (see Rollup.Phase)
/// @param actual the phase at this L1 block (see Rollup.Phase)
error WrongPhase(uint256 height, uint8 expected, uint8 actual);
/// @notice The height's randomness seed can only be recorded in blocks [windowStart, windowEnd).
error RandomnessWindowClosed(uint256 height, uint256 windowStart, uint256 windowEnd);
/// @notice Nobody recorded the height's randomness seed in its window: the height cannot be proposed.
error RandomnessNotRecorded(uint256 height);

// ---- rollup: propose ----
/// @notice The proposer is not an active staked sequencer with a registered VRF key.
error NotActiveSequencer(address account);
/// @notice The sequencer already proposed for this height.
error ProposalExists(uint256 height, address sequencer);
/// @notice FEE_SPLIT is outside the configured bounds (basis points).
error FeeSplitOutOfRange(uint256 feeSplitBps, uint256 minBps, uint256 maxBps);
/// @notice proverRewardShare is above the configured maximum (basis points).
error ProverRewardShareOutOfRange(uint256 shareBps, uint256 maxBps);
/// @notice The commitment is zero.
error EmptyCommitment();
/// @notice A token transfer in delivered less than required (fee-on-transfer token or similar).
error InsufficientReceived(uint256 received, uint256 required);

// ---- rollup: reveal ----
/// @notice No proposal from this sequencer at this height.
error NoProposal(uint256 height, address sequencer);
/// @notice The proposal was already revealed.
error AlreadyRevealed(uint256 height, address sequencer);
/// @notice The revealed data does not hash to the commitment.
error CommitmentMismatch(bytes32 expected, bytes32 actual);
/// @notice The proposal was built on a block that is not the current chain tip.
error ParentNotTip(uint256 parent, uint256 tip);
/// @notice Pubdata length is not 20 * T bytes.
error BadPubdataLength(uint256 length, uint256 expected);

// ---- rollup: prover commitment ----
/// @notice The proposal was not revealed.
error NotRevealed(uint256 height, address sequencer);
/// @notice The proposal already named a prover.
error AlreadyCommitted(uint256 height, address sequencer);
/// @notice The VRF proof of the proposal does not verify for this height's randomness.
error InvalidVrfProof(uint256 height, address sequencer);
/// @notice The prover's signature authorising the deposit pull does not verify.
error InvalidProverSignature(address prover);
/// @notice The height was reorged away.
error HeightReorged(uint256 height);
/// @notice The chain already holds `maxPending` unfinalized heights: no new height until one is finalized or reorged.
error PendingChainFull(uint256 pending, uint256 maxPending);
/// @notice The challenged VRF claim is backed by a valid proof (or the proof given is not the one claimed).
error VrfClaimValid(uint256 height, address sequencer);
/// @notice The proposal cannot be challenged (none, already settled, or the proof does not hash to its output).
error VrfClaimNotChallengeable(uint256 height, address sequencer);
/// @notice Too little gas was left to judge a VRF claim: a starved precompile call must never make a valid claim
///         look false (and slash an honest sequencer).
error ChallengeGasTooLow(uint256 available, uint256 required);
/// @notice The randomness a proposal's VRF proof signed is not this chain's (an L1 reorg moved the seed or changed
///         the mixed-in output): refused, so an honest proposal replayed on another history is never slashable.
error RandomnessMismatch(uint256 height, uint256 expected, uint256 actual);
/// @notice The revealed signatures are not 64 bytes per non-empty slot.
error BadSignaturesLength(uint256 length, uint256 expected);

// ---- rollup: proof ----
/// @notice The height has no winner (empty, or its commit phase has not ended).
error HeightNotDecided(uint256 height);
/// @notice The height already has a valid proof.
error AlreadyProven(uint256 height);
/// @notice The verifier rejected the proof.
error InvalidProof(uint256 height);
/// @notice The pubdata does not hash to what the winner revealed.
error PubdataMismatch(uint256 height);
/// @notice A late proof cannot be accepted while a proof posted on time for the height is still standing
///         (verify it, or challenge it away first): lateness is that of the earliest surviving post.
error EarlierPostPending(uint256 height);

// ---- rollup: refunds and reorg ----
/// @notice The proposal's escrow cannot be released (it is the live winner, or already released).
error NotReleasable(uint256 height, address sequencer);
/// @notice The reorg cannot be triggered yet.
error ReorgNotAllowed(uint256 height, uint256 availableAt);
/// @notice The height is not the first pending (unfinalized) height of the chain.
error NotFirstPending(uint256 height, uint256 firstPending);

// ---- rollup: posted proofs and batch verification (ProofAggregator, docs/batch-verification.md) ----
/// @notice The Rollup's aggregator was already set (it is set once, by the deployer).
error AggregatorAlreadySet();
/// @notice The aggregator proves another Rollup (`rollup()` is not this contract).
error AggregatorMismatch(address aggregatorRollup);
/// @notice The batch verifier's public-input count does not match the Rollup's 5 + T.
error VerifierMismatch(uint256 verifierInputs, uint256 expected);
/// @notice A proof cannot be posted for this height now: it is not pending (undecided, proven, reorged) or its
///         late window is over (`lateDeadline`).
error PostingClosed(uint256 height, uint256 lateDeadline);
/// @notice This exact proof is already posted for this height.
error ProofAlreadyPosted(uint256 height, bytes32 proofHash);
/// @notice No posted proof with this hash exists for this height (never posted, verified, rejected or reclaimed).
error ProofNotPosted(uint256 height, bytes32 proofHash);
/// @notice The posted proof's verify window ended at `verifyDeadline`; it can no longer be verified.
error PostExpired(uint256 height, bytes32 proofHash, uint256 verifyDeadline);
/// @notice An empty batch was given.
error EmptyProofBatch();
/// @notice heights, proofs and pubdatas differ in length.
error BatchLengthMismatch(uint256 heights, uint256 proofs, uint256 pubdatas);
/// @notice The same proof appears twice in a batch (at indexes `first` and `second`).
error DuplicateProofInBatch(uint256 first, uint256 second);
/// @notice Heights of a batch must be strictly increasing; index `index` (height `height`) is not after `previous`.
error HeightsOutOfOrder(uint256 index, uint256 previous, uint256 height);
/// @notice The batched pairing check failed: at least one proof of the batch is invalid (find it off chain with
///         src/zk/batchVerify.ts `findInvalid` and challenge it).
error InvalidProofBatch();
/// @notice The challenged posted proof verifies: it is not removed.
error PostedProofIsValid(uint256 height, bytes32 proofHash);
/// @notice The posted proof's bond is locked until `availableAt` (its verify and challenge window).
error BondLocked(uint256 height, bytes32 proofHash, uint256 availableAt);
