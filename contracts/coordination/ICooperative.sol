// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICooperative: the Cooperative design's data and events (seed 002, docs/cooperative.md)
/// @notice A block of T slots is K units of T/K slots, each proven by its own unit proof. Per (height, unit), staked
///         provers are scored by their VRF over the height's randomness mixed with the winner's VRF output, boosted
///         by the FEE_BURN each declares with its proof; the three highest-scoring valid proofs submitted before the
///         proving deadline are paid. The winning sequencer is the prover of last resort: its bond is slashed when a
///         unit has no proof by the deadline.
interface ICooperative {
    /// @notice What the winning (or any committed) proposal posted at its commit: the hash of its K - 1
    ///         intermediate roots and its bond. One word each.
    struct BlockBond {
        bytes32 unitRootsHash;
        uint96 bond;
    }

    /// @notice One paid slot of a unit: the proof's payee, its FEE_BURN and its score (two words).
    struct Entry {
        address payee;
        uint16 feeBurnBps;
        uint256 score;
    }

    /// @notice A height's unit bookkeeping (one word): which units have a proof (bit u), whether the height was
    ///         finalized and its paid sets settled, and the prover network's reward escrowed at finalization.
    struct HeightUnits {
        uint32 provenUnits;
        bool finalized;
        bool settled;
        uint128 networkReward;
        /// @dev The L1 block from which paid slots no longer change, once a late displacement moved it (soft
        ///      close); 0: the proving deadline.
        uint40 closeAt;
        /// @dev Units first proven after the proving deadline (bit u): rescued, they take no paid slot.
        uint32 rescuedUnits;
    }

    /// @notice A revealed proposal committed its block's intermediate roots and bond. `leads`: it now holds the
    ///         height.
    event UnitsCommitted(
        uint256 indexed height, address indexed sequencer, uint256[] intermediateRoots, uint256 bond, uint256 score, bool leads
    );
    /// @notice A valid unit proof took a paid slot (`displaced`: the payee it pushed out, or zero). `late`: posted
    ///         after the proving deadline as the unit's first proof (a rescue: no paid slot, part of the bond).
    event UnitProofAccepted(
        uint256 indexed height,
        uint256 indexed unit,
        address indexed payee,
        uint256 feeBurnBps,
        uint256 score,
        address displaced,
        bool late
    );
    /// @notice A unit's paid proof was paid `amount`, `burnt` of its share burnt (FEE_BURN).
    event UnitProofPaid(uint256 indexed height, uint256 indexed unit, address indexed payee, uint256 amount, uint256 burnt);
    /// @notice A height's paid sets were settled: `paid` to provers, `burnt` (FEE_BURN shares, missing proofs, dust).
    event UnitsSettled(uint256 indexed height, uint256 networkReward, uint256 paid, uint256 burnt, uint256 proofs);
    /// @notice The winner's bond after finalization: `returned` to it, or (a unit had no proof by the deadline)
    ///         `toRescuer` to the rescuers of the late units (each `UnitRescuePaid`; `rescuer` names the one when a
    ///         single unit was rescued, zero otherwise) and `burnt`.
    event BondSettled(uint256 indexed height, address indexed sequencer, uint256 returned, address rescuer, uint256 toRescuer, uint256 burnt);
    /// @notice The rescuer of a unit nobody proved by the deadline was paid `amount` out of the sequencer's bond.
    event UnitRescuePaid(uint256 indexed height, uint256 indexed unit, address indexed rescuer, uint256 amount);
    /// @notice A committed proposal's bond was refunded (it lost the height, or the height was lost by no fault of its).
    event BondReleased(uint256 indexed height, address indexed sequencer, uint256 bond);
}
