// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISidecar: the Sidecar design's data and events (seed 004, docs/lifecycle.md)
/// @notice In Sidecar the sequencer names its prover when it commits; the prover (or the sequencer for it) posts
///         `proverDeposit`, refunded on time, split with a late rescuer, or slashed to the victims of a reorg.
interface ISidecar {
    /// @notice The prover a proposal named at its commit and the deposit it posted: one storage word. What the
    ///         proposal offered at `propose` (the tip, escrowed at the commit, and the share) is its `designTerms` word
    ///         (`SidecarLib.packTerms`), written with the proposal itself: no extra slot.
    struct ProverTerms {
        /// @dev The prover named at the commit (zero before).
        address prover;
        /// @dev The deposit posted at the commit (at most 2^88 - 1 base units).
        uint88 deposit;
        /// @dev Whether the prover posted the deposit (it signed ProverCommitment); otherwise the sequencer did.
        bool proverFunded;
    }

    /// @notice A revealed proposal named a prover, posted its deposit and escrowed its tip. `leads`: it is now the
    ///         height's winner.
    event ProverCommitted(
        uint256 indexed height,
        address indexed sequencer,
        address indexed prover,
        address depositor,
        uint256 deposit,
        uint256 tip,
        uint256 score,
        bool leads
    );
    /// @notice A late proof moved part of the deposit to the rescuer and slashed the rest.
    event LateProofSettled(uint256 indexed height, address indexed rescuer, uint256 toRescuer, uint256 slashed);
    /// @notice A proposal's escrow (tip, deposit) was refunded into `claimable`.
    event EscrowReleased(uint256 indexed height, address indexed sequencer, uint256 tipRefund, uint256 depositRefund);
}
