// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The prover-coordination designs the Rollup can be deployed with (docs/architecture.md, "The seam").
/// @dev Sidecar (seed 004): the sequencer names a prover, who posts a deposit slashed on a miss. Cooperative
///      (seed 002): staked provers are elected per unit of proof work by VRF, up to three proofs per unit are paid,
///      and the winning sequencer backs its block with a bond (docs/cooperative.md). Later designs (sequencer-prover
///      separation) are added as new values, each one library behind the seam.
enum ProvingDesign {
    Sidecar,
    Cooperative
}


/// @notice Every parameter of the Rollup, fixed at deployment. Defaults: docs/lifecycle.md and `src/client`.
/// @dev The fields `propose` and the commits read are also kept packed in one word (ConfigLib.Hot), which narrows
///      them: genesisBlock below 2^40; phase lengths, slots and keyActivationDelay below 2^16; proverDeposit of at
///      most 16 significant digits. ConfigLib.init refuses a config outside them (Rollup__InvalidConfig).
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
    /// @dev The prover-coordination design (docs/architecture.md, "The seam"): Sidecar today.
    ProvingDesign provingDesign;
    /// @dev Most unfinalized heights the chain may hold (default 32, at most 64): bounds the loops of
    ///      `triggerReorg` and finalization so that escrow can never be locked behind the block gas limit.
    uint32 maxPendingHeights;
    /// @dev L1 blocks before a height's seed window by which a stake and VRF key must be active (default 4; 64,
    ///      two beacon epochs, on mainnet): prevrandao of the window's first block is known to whoever builds the
    ///      blocks just before it, so an L1 proposer needs this many consecutive slots to grind keys.
    uint32 keyActivationDelay;
    /// @dev proverDeposit in the staking token (default 100e18; at most 2^88 - 1 and at most 16 significant digits,
    ///      m x 10^e with m < 2^56: see ConfigLib.Hot).
    uint96 proverDeposit;
    /// @dev K, the units of proof work a block is split into (Cooperative: T/K slots per unit proof, at most 32;
    ///      1 for Sidecar, whose one block proof is the whole block).
    uint16 units;
    /// @dev Cooperative's soft close against deadline sniping (default 5; 0 turns it off): a proof that displaces
    ///      another within this many L1 blocks of a height's close (its proving deadline at first) moves the close
    ///      to this many blocks after it, at most to the late deadline, so that whoever was displaced can answer
    ///      with a better score (docs/cooperative.md, "Deadline sniping").
    uint32 unitSoftCloseBlocks;
    /// @dev Block reward from the pool per finalized height (default 10e18).
    uint256 blockReward;
    /// @dev Reward of the first valid proof submitter (default 1e18).
    uint256 submissionReward;
    /// @dev State root of height 0 (the genesis file's root).
    uint256 genesisRoot;
    /// @dev Stake slashed (to the challenger) from a sequencer whose claimed VRF output has no valid proof
    ///      (`challengeVrfClaim`; default 10e18, capped at the stake).
    uint256 vrfClaimSlash;
}

/// @title Rollup: Fernet sequencer selection with a VRF, Sidecar prover commitment, proofs, rewards, reorgs

/// @title IRollup: the Rollup's types and events, shared by the facade and the libraries behind it
/// @dev Libraries emit these events (`emit IRollup.X(...)`) in the Rollup's context; the Rollup inherits this
///      interface so that its ABI holds them.
interface IRollup {
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

    /// @notice A block as revealed (`reveal`'s arguments after the height): the opening of a proposal's commitment
    ///         and the transfers' signatures. Passed whole to `revealAndCommitProver`.
    struct BlockReveal {
        uint256 parent;
        uint256 newRoot;
        bytes32 salt;
        bytes pubdata;
        bytes signatures;
    }

    /// @notice One sequencer's proposal for one height (the sequencing part; what a proving design keeps per
    ///         proposal, e.g. Sidecar's prover, tip and deposit, lives in the design's own storage). `propose`
    ///         writes the commitment, the VRF output and the packed word; the proof itself is passed again to the
    ///         commit, which checks it hashes to this output and, if the proposal would lead, verifies it.
    struct Proposal {
        /// @dev The block commitment while the proposal is Proposed; keccak256(pubdata) from its reveal on (the reveal
        ///      consumes the commitment, and overwriting its slot costs 2.9k gas where a fresh slot costs 20k). A
        ///      Settled proposal holds either (it may have been settled unrevealed).
        bytes32 commitmentOrPubdataHash;
        uint256 vrfOutput;
        uint256 newRoot;
        uint64 parent;
        uint16 feeSplitBps;
        ProposalStatus status;
        /// @dev The proving design's word for this proposal, packed here so that `propose` writes no extra slot
        ///      (Sidecar: the proverTip offered, escrowed at the commit, and the proverRewardShareBps offered).
        uint128 designTerms;
        /// @dev The height this record belongs to: records live in a ring of `ProposalLib.RING` heights per
        ///      sequencer (a reused slot costs 5k gas to write, a fresh one 22k), so a slot holds the height it was
        ///      last written for. `getProposal` of a height whose slot was reused shows an empty proposal.
        uint32 height;
    }

    /// @notice One height's outcome.
    struct Height {
        HeightStatus status;
        bool late;
        uint64 parent;
        address winner;
        // submitter and totalFees share one slot, written only for a proven height that waits for its parent (a
        // fresh slot, about 22k gas) and cleared when it finalizes: a height whose parent is final is finalized in
        // the proof's call and never stores them. totalFees is a sum of T u32 fee fields, far below 2^96.
        /// @dev The payee bound in the first valid proof (a public input of the proof), while the height is Proven
        ///      and waits (cleared if it is then reorged); zero otherwise (`ProofSubmitted`, `HeightFinalized` carry it).
        address submitter;
        /// @dev The block's fees (public input 2), while the height is Proven and waits; zero otherwise.
        uint96 totalFees;
        /// @dev In `getHeight` only: the height's randomness (`Rollup.randomnessOf`), 0 while not recorded (or once
        ///      forgotten). Stored in RandomnessLib's ring, not here: this word is never written.
        uint256 randomness;
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

    /// @notice A sequencer proposed. `vrfOutput` is claimed, checked when the proposal would lead. The VRF proof and
    ///         the commitment are in the calldata of this log's transaction (`propose`), not logged again (issue 13:
    ///         about 1.3k gas a proposal): anyone decodes the proof to check the claim at once and challenge a false
    ///         one (`challengeVrfClaim`; src/client: `RollupClient.proposedClaim`); the commitment is also stored
    ///         (`getProposal`). `proverTip` is offered, escrowed only at the commit (`ProverCommitted.tip`).
    event Proposed(
        uint256 indexed height,
        address indexed sequencer,
        uint256 vrfOutput,
        uint256 feeSplitBps,
        uint256 proverTip,
        uint256 proverRewardShareBps
    );
    /// @notice The data of a proposal made through a contract (a multisig, a smart account: msg.sender is not the
    ///         transaction's sender), whose calldata a reader could otherwise decode only from the node's call trace.
    ///         A sequencer that sends its own transactions never pays for it (`Proposed` alone).
    event ProposedData(uint256 indexed height, address indexed sequencer, bytes32 commitment, uint256[4] vrfProof);
    /// @notice The block of a reveal made through a contract (as `ProposedData`): its pubdata and signatures.
    event RevealedData(uint256 indexed height, address indexed sequencer, bytes pubdata, bytes signatures);
    /// @notice A height's randomness was recorded: the value its VRF proofs must sign (`Rollup.randomnessOf`), mixed
    ///         from this block's prevrandao (the seed: its top 224 bits, 2^32 if those are 0) and height - 2's winner
    ///         output.
    event RandomnessRecorded(uint256 indexed height, uint256 randomness);
    /// @notice `sequencer` wrote `slots` of its proposal ring slots once (`warmProposalSlots`); they still read as empty.
    event ProposalSlotsWarmed(address indexed sequencer, uint256 slots);
    /// @notice A proposal was revealed. The block's pubdata and signatures (64 bytes per non-empty slot: packed R8, S)
    ///         are in the calldata of this log's transaction (`reveal` or `revealAndCommitProver`), not logged again
    ///         (issue 13: about 6k gas a height at T = 8): anyone rebuilds the L2 state and proves the block from L1
    ///         data alone by decoding it (src/client: `RollupClient.revealedBlock`), and checks it against `pubdataHash`.
    event Revealed(
        uint256 indexed height, address indexed sequencer, uint256 parent, uint256 newRoot, bytes32 pubdataHash
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
    /// @notice A missed height and its pending descendants were reorged away.
    event ChainReorged(
        uint256 indexed missedHeight, uint256 newTip, uint256 lostDescendants, uint256 slashed, uint256 bounty
    );
    /// @notice One block lost in a reorg; `compensation` is its sequencer's share of the slashed deposit.
    event HeightReorgedOut(uint256 indexed height, address indexed sequencer, uint256 compensation);
    /// @notice Tokens were added to the reward pool.
    event RewardsFunded(address indexed from, uint256 amount);
    /// @notice The ProofAggregator was set (once).
    event AggregatorSet(address indexed aggregator);
    /// @notice A batch of posted proofs was verified; `account` (who sent the batch) was credited `amount` from
    ///         the reward pool for its gas.
    event AggregationRewarded(address indexed account, uint256 heights, uint256 amount);
}
