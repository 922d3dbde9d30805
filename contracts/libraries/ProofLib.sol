// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";
import {IProofAggregator} from "../interfaces/IProofAggregator.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "./ConfigLib.sol";
import {ChainLib} from "./ChainLib.sol";
import {ClockLib} from "./ClockLib.sol";
import {FinalityLib} from "./FinalityLib.sol";
import {ProposalLib} from "./ProposalLib.sol";
import {PublicInputsLib} from "./PublicInputsLib.sol";

/// @dev The Rollup's `aggregator` getter, asked (by a call to itself) only for a late proof.
interface IAggregatorOf {
    function aggregator() external view returns (address);
}

/// @title ProofLib: the statement a block proof must prove, asking the verifier, and accepting a proof
/// @notice A proof of height h for `payee` has public inputs [root(parent), newRoot, totalFees, payee, l2Domain,
///         word_0..word_{T-1}], rebuilt from what the winner revealed (pubdata is passed again and checked against
///         its hash: cheaper than storing it).
library ProofLib {
    /// @notice Accepts a valid proof of `height` (`Rollup.submitProof`): the height is marked proven by `payee`
    ///         (late after the proving deadline) and, if its parent is final, finalized and paid with the heights
    ///         that waited for it. A late proof is
    ///         refused while a proof posted on time to the aggregator still stands (`EarlierPostPending`).
    function acceptProof(
        IBlockVerifier verifier,
        uint256 domain,
        uint256 height,
        uint256[8] calldata proof,
        bytes calldata pubdata,
        address payee
    ) external {
        if (payee == address(0)) revert Errors.Rollup__ZeroAddress();
        uint256[] memory inputs = inputsAwaitingProof(height, pubdata, payee, domain);
        if (block.number >= ClockLib.timeline(height).provingDeadline) {
            // Only a late proof needs the aggregator: an on-time one does not read its slot (2.1k gas cold).
            address aggregator = IAggregatorOf(address(this)).aggregator();
            if (aggregator != address(0) && IProofAggregator(aggregator).onTimePosts(height) != 0) {
                revert Errors.Rollup__EarlierPostPending(height);
            }
        }
        if (!verify(verifier, proof, inputs)) revert Errors.Rollup__InvalidProof(height);
        FinalityLib.acceptProven(height, payee, inputs[2], block.number);
    }

    /// @notice `Rollup.publicInputsOf`: the inputs of a proof of `height` (awaiting one) for `payee`.
    function publicInputsOf(uint256 height, bytes calldata pubdata, address payee, uint256 domain)
        external
        view
        returns (uint256[] memory)
    {
        return inputsAwaitingProof(height, pubdata, payee, domain);
    }

    /// @notice `Rollup.publicInputsOfBatch`: `publicInputsOf` of each height, one row after the other.
    function publicInputsOfBatch(
        uint256[] calldata heights,
        bytes[] calldata pubdatas,
        address[] calldata payees,
        uint256 domain
    ) external view returns (uint256[] memory flat) {
        uint256 n = heights.length;
        if (pubdatas.length != n || payees.length != n) {
            revert Errors.Rollup__BatchLengthMismatch(n, pubdatas.length, payees.length);
        }
        uint256 m = PublicInputsLib.HEADER_INPUTS + ConfigLib.hot().slots;
        flat = new uint256[](n * m);
        for (uint256 i = 0; i < n; ++i) {
            _statementInto(flat, i * m, heights[i], ChainLib.requireAwaitingProof(heights[i]), pubdatas[i], payees[i], domain);
        }
    }

    /// @notice `Rollup.statementOf`: the inputs of `height`'s winning block whatever its status, while its record
    ///         and its parent's root are held (`Rollup__StatementForgotten` once the proposal ring reused either).
    function statementOf(uint256 height, bytes calldata pubdata, address payee, uint256 domain)
        external
        view
        returns (uint256[] memory)
    {
        // A record taken over by a later height is forgotten; one never written (or an older height's) means the
        // height was never decided.
        if (ChainLib.forgotten(height)) revert Errors.Rollup__StatementForgotten(height);
        (ChainLib.Record storage h, bool held) = ChainLib.recordOf(height);
        if (!held || h.winner == address(0) || !ClockLib.decided(height)) revert Errors.Rollup__HeightNotDecided(height);
        // A finished height's records may have left the proposal ring: never build its statement from a later
        // proposal's words (that proposer could make a valid posted proof look invalid and take its bond).
        if (ProposalLib.get(height, h.winner).height != height) revert Errors.Rollup__StatementForgotten(height);
        (bool parentKnown,) = knownRootOf(h.parent);
        if (!parentKnown) revert Errors.Rollup__StatementForgotten(height);
        return statement(height, h, pubdata, payee, domain);
    }

    /// @dev A verifier that reverts (e.g. on malformed proof points) counts as a rejection, so a bad proof always
    ///      surfaces as the Rollup's `InvalidProof`, never as an opaque revert.
    function verify(IBlockVerifier verifier, uint256[8] calldata proof, uint256[] memory inputs)
        internal
        view
        returns (bool ok)
    {
        try verifier.verifyBlockProof(proof, inputs) returns (bool result) {
            ok = result;
        } catch {
            ok = false;
        }
    }

    /// @dev State root after `height` (the winner's revealed root; the genesis root for 0; 0 without a winner, and 0
    ///      for a height whose record the proposal ring has reused: never a pending or the last finalized height,
    ///      the only ones a new block builds on, see ProposalLib.reusable).
    function rootOf(uint256 height) internal view returns (uint256 root) {
        (, root) = knownRootOf(height);
    }

    /// @dev The public inputs of a proof of `height` (which must await a proof) for `payee`.
    function inputsAwaitingProof(uint256 height, bytes calldata pubdata, address payee, uint256 domain)
        internal
        view
        returns (uint256[] memory)
    {
        return statement(height, ChainLib.requireAwaitingProof(height), pubdata, payee, domain);
    }

    /// @dev The winner's public inputs for `payee`, after checking `pubdata` against its revealed hash.
    ///      Its records must be held: a height awaiting a proof always has them (its record is committed and
    ///      unsettled; its parent is pending or the last finalized height: ProposalLib.reusable), and `statementOf`
    ///      checks a finished height's first.
    function statement(uint256 height, ChainLib.Record storage h, bytes calldata pubdata, address payee, uint256 domain)
        internal
        view
        returns (uint256[] memory inputs)
    {
        inputs = new uint256[](PublicInputsLib.HEADER_INPUTS + ConfigLib.hot().slots);
        _statementInto(inputs, 0, height, h, pubdata, payee, domain);
    }

    /// @dev `statement`, written into `out` from index `at` on.
    function _statementInto(
        uint256[] memory out,
        uint256 at,
        uint256 height,
        ChainLib.Record storage h,
        bytes calldata pubdata,
        address payee,
        uint256 domain
    ) private view {
        IRollup.Proposal storage w = ProposalLib.get(height, h.winner);
        // The winner was revealed (and committed): its first word is keccak256(pubdata).
        if (keccak256(pubdata) != w.commitmentOrPubdataHash) revert Errors.Rollup__PubdataMismatch(height);
        PublicInputsLib.computeInto(
            out, at, _heldRootOf(h.parent), w.newRoot, uint256(uint160(payee)), domain, pubdata, ConfigLib.hot().slots
        );
    }

    /// @dev The root after `height`, read without the ring's tag check (one cold word less per proof): only for a
    ///      parent whose record is known to be held (see `statement`).
    function _heldRootOf(uint256 height) private view returns (uint256) {
        if (height == 0) return ConfigLib.get().genesisRoot;
        return ProposalLib.get(height, ChainLib.heldRecord(height).winner).newRoot; // pending or the last finalized
    }

    /// @dev `rootOf` and whether it is known: false for a height without a winner or whose winner record the
    ///      proposal ring has reused (never the case for a pending or the last finalized height).
    function knownRootOf(uint256 height) internal view returns (bool, uint256) {
        if (height == 0) return (true, ConfigLib.get().genesisRoot);
        address w = ChainLib.winnerOf(height);
        if (w == address(0)) return (false, 0);
        IRollup.Proposal storage p = ProposalLib.get(height, w);
        return p.height == height ? (true, p.newRoot) : (false, 0);
    }
}
