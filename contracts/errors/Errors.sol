// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title Errors: every custom error of the protocol's contracts and libraries, in one place
/// @notice Each name starts with the contract (or shared component) that raises it, as in Aztec's l1-contracts.
/// @dev An interface so that every contract inherits it: each contract's ABI then holds every error, including those
///      raised inside its external libraries and those bubbled up from the contracts it calls, so that a client decodes
///      any revert with one ABI. Libraries revert with `Errors.X(...)`.
interface Errors {
    // ---- PullPayments (the pull-payment ledger of Rollup and ProofAggregator) ----
    /// @notice Nothing is owed to the caller.
    error PullPayments__NothingToClaim();
    /// @notice `fundBalance` of zero tokens.
    error PullPayments__ZeroAmount();

    // ---- Staking ----
    /// @notice A zero address was given where an account or contract is required.
    error Staking__ZeroAddress();
    /// @notice A zero amount was given where a positive amount is required.
    error Staking__ZeroAmount();
    /// @notice The caller is not allowed to call this function.
    error Staking__Unauthorized(address caller);
    /// @notice A deploy-time configuration value is out of range.
    error Staking__InvalidConfig(string field);
    /// @notice The stake would stay below the minimum for the role.
    error Staking__StakeBelowMinimum(uint256 stake, uint256 minimum);
    /// @notice The account already has a stake in another role (one role per account).
    error Staking__RoleMismatch(IStaking.Role current, IStaking.Role requested);
    /// @notice The proof of possession of a VRF key does not verify.
    error Staking__InvalidProofOfPossession();
    /// @notice The G1 twin of a VRF key does not share the G2 key's secret (or is not a G1 point).
    error Staking__VrfKeyPairMismatch();
    /// @notice The VRF key is already registered to another account.
    error Staking__VrfKeyTaken(bytes32 keyHash);
    /// @notice The account has no stake.
    error Staking__NotStaked(address account);
    /// @notice The account already asked to exit.
    error Staking__ExitAlreadyRequested(address account);
    /// @notice The account did not ask to exit.
    error Staking__ExitNotRequested(address account);
    /// @notice The exit delay has not passed yet.
    error Staking__WithdrawTooEarly(uint256 currentBlock, uint256 availableAt);
    /// @notice The rollup address of the Staking contract was already set.
    error Staking__RollupAlreadySet();
    /// @notice A VRF key was replaced less than `exitDelay` blocks ago: the next rotation is allowed from `availableAt`.
    error Staking__KeyRotationTooSoon(uint256 availableAt);
    /// @notice More was asked to be slashed than is staked.
    error Staking__SlashExceedsStake(uint256 amount, uint256 stake);
    /// @notice Writing the VRF key's code (its storage) failed: too little gas was sent.
    error Staking__KeyStoreFailed();

    // ---- Rollup (and the libraries behind it) ----
    /// @notice A zero address was given where an account or contract is required.
    error Rollup__ZeroAddress();
    /// @notice A zero amount was given where a positive amount is required.
    error Rollup__ZeroAmount();
    /// @notice The caller is not allowed to call this function.
    error Rollup__Unauthorized(address caller);
    /// @notice A deploy-time configuration value is out of range.
    error Rollup__InvalidConfig(string field);
    /// @notice The account's stake or VRF key became active at `activeSince`, not before the randomness of the height
    ///         could be known (`windowStart`): a key or stake chosen after seeing the randomness never counts.
    error Rollup__StakeTooRecent(address account, uint256 activeSince, uint256 windowStart);
    /// @notice The call is not allowed in the current phase of the height.
    /// @param height the L2 height
    /// @param expected the phase the call needs 
    /// @param actual the phase at this L1 block 
    error Rollup__WrongPhase(uint256 height, IRollup.Phase expected, IRollup.Phase actual);
    /// @notice The height's randomness seed can only be recorded in blocks [windowStart, windowEnd).
    error Rollup__RandomnessWindowClosed(uint256 height, uint256 windowStart, uint256 windowEnd);
    /// @notice Nobody recorded the height's randomness seed in its window: the height cannot be proposed.
    error Rollup__RandomnessNotRecorded(uint256 height);
    /// @notice The proposer is not an active staked sequencer with a registered VRF key.
    error Rollup__NotActiveSequencer(address account);
    /// @notice The sequencer already proposed for this height.
    error Rollup__ProposalExists(uint256 height, address sequencer);
    /// @notice The sequencer's ring slot for this height still holds an older record that is not settled (a live
    ///         height it won, or escrow to release): it sits this height out (ProposalLib.RING).
    error Rollup__ProposalSlotBusy(uint256 height, address sequencer, uint256 heldHeight);
    /// @notice The height's statement can no longer be made: its winner's record or its parent's root left the
    ///         proposal ring (a finished height, 16 or more heights back). Only posts of such heights meet it.
    error Rollup__StatementForgotten(uint256 height);
    /// @notice FEE_SPLIT is outside the configured bounds (basis points).
    error Rollup__FeeSplitOutOfRange(uint256 feeSplitBps, uint256 minBps, uint256 maxBps);
    /// @notice proverRewardShare is above the configured maximum (basis points).
    error Rollup__ProverRewardShareOutOfRange(uint256 shareBps, uint256 maxBps);
    /// @notice The commitment is zero.
    error Rollup__EmptyCommitment();
    /// @notice A token transfer in delivered less than required (fee-on-transfer token or similar).
    error Rollup__InsufficientReceived(uint256 received, uint256 required);
    /// @notice No proposal from this sequencer at this height.
    error Rollup__NoProposal(uint256 height, address sequencer);
    /// @notice The proposal was already revealed.
    error Rollup__AlreadyRevealed(uint256 height, address sequencer);
    /// @notice The revealed data does not hash to the commitment.
    error Rollup__CommitmentMismatch(bytes32 expected, bytes32 actual);
    /// @notice The proposal was built on a block that is not the current chain tip.
    error Rollup__ParentNotTip(uint256 parent, uint256 tip);
    /// @notice Pubdata length is not 20 * T bytes.
    error Rollup__BadPubdataLength(uint256 length, uint256 expected);
    /// @notice The proposal was not revealed.
    error Rollup__NotRevealed(uint256 height, address sequencer);
    /// @notice The proposal already named a prover.
    error Rollup__AlreadyCommitted(uint256 height, address sequencer);
    /// @notice The VRF proof of the proposal does not verify for this height's randomness.
    error Rollup__InvalidVrfProof(uint256 height, address sequencer);
    /// @notice The prover's signature authorising the deposit pull does not verify.
    error Rollup__InvalidProverSignature(address prover);
    /// @notice The height was reorged away.
    error Rollup__HeightReorged(uint256 height);
    /// @notice The height's ring slot (ChainLib.HEIGHT_RING) still holds `heldHeight`'s record, pending, proven or
    ///         the last finalized one (the next proof's parent): no winner for `height` until it is finalized or reorged.
    error Rollup__HeightSlotBusy(uint256 height, uint256 heldHeight);
    /// @notice Invariant guard: a chain entry's record is not in its height-ring slot (never expected: setWinner
    ///         takes over no pending, proven or last finalized record). Reverts instead of acting on another height's.
    error Rollup__HeightRecordLost(uint256 height);
    /// @notice The chain already holds `maxPending` unfinalized heights: no new height until one is finalized or reorged.
    error Rollup__PendingChainFull(uint256 pending, uint256 maxPending);
    /// @notice The challenged VRF claim is backed by a valid proof (or the proof given is not the one claimed).
    error Rollup__VrfClaimValid(uint256 height, address sequencer);
    /// @notice The proposal cannot be challenged (none, already settled, or the proof does not hash to its output).
    error Rollup__VrfClaimNotChallengeable(uint256 height, address sequencer);
    /// @notice Too little gas was left to judge a VRF claim: a starved precompile call must never make a valid claim
    ///         look false (and slash an honest sequencer).
    error Rollup__ChallengeGasTooLow(uint256 available, uint256 required);
    /// @notice The randomness a proposal's VRF proof signed is not this chain's (an L1 reorg moved the seed or changed
    ///         the mixed-in output): refused, so an honest proposal replayed on another history is never slashable.
    error Rollup__RandomnessMismatch(uint256 height, uint256 expected, uint256 actual);
    /// @notice The revealed signatures are not 64 bytes per non-empty slot.
    error Rollup__BadSignaturesLength(uint256 length, uint256 expected);
    /// @notice The height has no winner (empty, or its commit phase has not ended).
    error Rollup__HeightNotDecided(uint256 height);
    /// @notice The height already has a valid proof.
    error Rollup__AlreadyProven(uint256 height);
    /// @notice The verifier rejected the proof.
    error Rollup__InvalidProof(uint256 height);
    /// @notice The pubdata does not hash to what the winner revealed.
    error Rollup__PubdataMismatch(uint256 height);
    /// @notice `publicInputsOfBatch` needs one pubdata and one payee per height.
    error Rollup__BatchLengthMismatch(uint256 heights, uint256 pubdatas, uint256 payees);
    /// @notice A late proof cannot be accepted while a proof posted on time for the height is still standing
    ///         (verify it, or challenge it away first): lateness is that of the earliest surviving post.
    error Rollup__EarlierPostPending(uint256 height);
    /// @notice The proposal's escrow cannot be released (it is the live winner, or already released).
    error Rollup__NotReleasable(uint256 height, address sequencer);
    /// @notice The reorg cannot be triggered yet.
    error Rollup__ReorgNotAllowed(uint256 height, uint256 availableAt);
    /// @notice The height is not the first pending (unfinalized) height of the chain.
    error Rollup__NotFirstPending(uint256 height, uint256 firstPending);
    /// @notice The Rollup's aggregator was already set (it is set once, by the deployer).
    error Rollup__AggregatorAlreadySet();
    /// @notice The aggregator proves another Rollup (`rollup()` is not this contract).
    error Rollup__AggregatorMismatch(address aggregatorRollup);
    // ---- Rollup, proving designs ----
    /// @notice The call belongs to another proving design than the one this Rollup was deployed with.
    error Rollup__WrongDesign(uint8 deployed);
    /// @notice Cooperative: the commit's intermediate roots are not K - 1 (`units` - 1) roots.
    error Rollup__BadUnitRoots(uint256 length, uint256 expected);
    /// @notice Cooperative: the intermediate roots passed do not hash to those the winner committed.
    error Rollup__UnitRootsMismatch(uint256 height);
    /// @notice Cooperative: the unit index is not below K.
    error Rollup__BadUnit(uint256 unit, uint256 units);
    /// @notice Cooperative: FEE_BURN above 100 % (10_000 bps).
    error Rollup__FeeBurnOutOfRange(uint256 feeBurnBps);
    /// @notice Cooperative: the payee is not an active prover (stake and VRF key) since before the height's cutoff.
    error Rollup__NotEligibleProver(address payee);
    /// @notice Cooperative: the payee already holds a paid slot of this unit (one per payee and unit).
    error Rollup__AlreadyInUnit(uint256 height, uint256 unit, address payee);
    /// @notice Cooperative: three proofs with higher or equal scores already hold the unit's paid slots.
    error Rollup__UnitScoreTooLow(uint256 height, uint256 unit, uint256 score, uint256 lowest);
    /// @notice Cooperative: after the proving deadline only a unit with no proof yet takes a (late) proof.
    error Rollup__UnitClosed(uint256 height, uint256 unit);
    /// @notice Cooperative: the height's paid sets cannot be settled yet (not finalized, deadline not passed) or
    ///         were settled already.
    error Rollup__UnitsNotSettleable(uint256 height);
    /// @notice Cooperative: a proposal offered a prover tip or share, which this design does not use.
    error Rollup__TermsNotInDesign();

    // ---- ProofAggregator (posted proofs, batched verification) ----
    /// @notice A zero address was given where an account or contract is required.
    error ProofAggregator__ZeroAddress();
    /// @notice A deploy-time configuration value is out of range.
    error ProofAggregator__InvalidConfig(string field);
    /// @notice A token transfer in delivered less than required (fee-on-transfer token or similar).
    error ProofAggregator__InsufficientReceived(uint256 received, uint256 required);
    /// @notice A late proof cannot be accepted while a proof posted on time for the height is still standing
    ///         (verify it, or challenge it away first): lateness is that of the earliest surviving post.
    error ProofAggregator__EarlierPostPending(uint256 height);
    /// @notice The batch verifier's public-input count does not match the Rollup's 5 + T.
    error ProofAggregator__VerifierMismatch(uint256 verifierInputs, uint256 expected);
    /// @notice A proof cannot be posted for this height now: it is not pending (undecided, proven, reorged) or its
    ///         late window is over (`lateDeadline`).
    error ProofAggregator__PostingClosed(uint256 height, uint256 lateDeadline);
    /// @notice This exact proof is already posted for this height.
    error ProofAggregator__ProofAlreadyPosted(uint256 height, bytes32 proofHash);
    /// @notice No posted proof with this hash exists for this height (never posted, verified, rejected or reclaimed).
    error ProofAggregator__ProofNotPosted(uint256 height, bytes32 proofHash);
    /// @notice The posted proof's verify window ended at `verifyDeadline`; it can no longer be verified.
    error ProofAggregator__PostExpired(uint256 height, bytes32 proofHash, uint256 verifyDeadline);
    /// @notice An empty batch was given.
    error ProofAggregator__EmptyProofBatch();
    /// @notice heights, proofs and pubdatas differ in length.
    error ProofAggregator__BatchLengthMismatch(uint256 heights, uint256 proofs, uint256 pubdatas);
    /// @notice The same proof appears twice in a batch (at indexes `first` and `second`).
    error ProofAggregator__DuplicateProofInBatch(uint256 first, uint256 second);
    /// @notice Heights of a batch must be strictly increasing; index `index` (height `height`) is not after `previous`.
    error ProofAggregator__HeightsOutOfOrder(uint256 index, uint256 previous, uint256 height);
    /// @notice The batched pairing check failed: at least one proof of the batch is invalid (find it off chain with
    ///         src/zk/batchVerify.ts `findInvalid` and challenge it).
    error ProofAggregator__InvalidProofBatch();
    /// @notice The challenged posted proof verifies: it is not removed.
    error ProofAggregator__PostedProofIsValid(uint256 height, bytes32 proofHash);
    /// @notice The posted proof's bond is locked until `availableAt` (its verify and challenge window).
    error ProofAggregator__BondLocked(uint256 height, bytes32 proofHash, uint256 availableAt);

    // ---- libraries used by several contracts (VrfLib: Staking, Rollup; Groth16BatchLib: the batch verifiers) ----
    /// @notice No point of the hash-to-curve sequence landed on G1 within the retry bound (never seen in practice).
    error VrfLib__HashToCurveFailed();
    /// @notice The modexp precompile call failed.
    error VrfLib__ModExpFailed();
    /// @notice A batch must hold at least one proof.
    error Groth16BatchLib__EmptyBatch();
    /// @notice The key's IC array is empty or has an odd length.
    error Groth16BatchLib__BadVerifyingKey(uint256 icLength);
    /// @notice `publicInputs` must hold exactly nProofs * nPub words (row-major: proof i's inputs are
    ///         publicInputs[i*nPub .. i*nPub+nPub-1]).
    error Groth16BatchLib__PublicInputsLengthMismatch(uint256 expected, uint256 actual);
    /// @notice Not enough gas left to give a precompile its full price (selector 0x9c306a78).
    error Groth16BatchLib__InsufficientGas();
}
