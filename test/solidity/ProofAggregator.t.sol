// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./utils/Vm.sol";
import {RollupSetup} from "./utils/RollupSetup.sol";
import {ProofAggregator, AggregatorConfig} from "../../contracts/ProofAggregator.sol";
import {MockBatchVerifier} from "../../contracts/mocks/MockBatchVerifier.sol";
import {IBatchVerifier} from "../../contracts/interfaces/IBatchVerifier.sol";
import {ProposeLib} from "../../contracts/libraries/ProposeLib.sol";
import {Errors} from "../../contracts/errors/Errors.sol";

/// @title Fuzz tests of ProofAggregator.postProof's rules: payee 0 refused, the key is keccak256(abi.encode(proof,
///        payee)), a duplicate (proof, payee) refused, the posting window and on-time counting
/// @dev Height 1 is decided (seqs[1] proposed, revealed and committed) at block 119 = its commit end; its proving
///      deadline is 125 and its late deadline 129.
contract ProofAggregatorFuzzTest is RollupSetup {
    uint256 internal constant BOND = 5 * E18;
    uint256 internal constant WINDOW = 4;
    uint256 internal constant COMMIT_END = 119;
    uint256 internal constant PROVING_DEADLINE = 125;
    uint256 internal constant LATE_DEADLINE = 129;

    ProofAggregator internal aggregator;

    function setUp() public {
        _deploy();
        MockBatchVerifier bv = new MockBatchVerifier(5 + SLOTS);
        aggregator = new ProofAggregator(
            rollup,
            IBatchVerifier(address(bv)),
            AggregatorConfig({postBond: BOND, verifyWindow: uint32(WINDOW), batchReward: 0, batchRewardPerHeight: 0})
        );
        rollup.setAggregator(address(aggregator));
        token.approve(address(aggregator), type(uint256).max);
        for (uint256 i = 0; i < 3; ++i) {
            VM.prank(seqs[i]);
            token.approve(address(aggregator), type(uint256).max);
        }
        VM.roll(110);
        bytes memory pubdata = _pubdata(5);
        bytes32 salt = keccak256("salt");
        bytes32 c = ProposeLib.commitment(seqs[1], 1, 0, 777, keccak256(pubdata), salt);
        uint256[4] memory proof = _vrfProof(1, 1);
        uint256 randomness = rollup.randomnessOf(1);
        VM.prank(seqs[1]);
        rollup.propose(1, proof, c, 1000, 2 * E18, 2000, randomness);
        VM.roll(113);
        VM.prank(seqs[1]);
        rollup.reveal(1, 0, 777, pubdata, salt, new bytes(64));
        VM.roll(116);
        VM.prank(seqs[1]);
        rollup.commitProver(1, seqs[1], "", proof);
        VM.roll(COMMIT_END);
        (,, uint256 pd, uint256 ld) = rollup.proofWindow(1);
        assert(pd == PROVING_DEADLINE && ld == LATE_DEADLINE);
    }

    /// postProof refuses payee 0 (ZeroAddress), whatever the proof.
    function testFuzz_postRefusesZeroPayee(uint256[8] calldata proof) public {
        VM.expectRevert(Errors.ProofAggregator__ZeroAddress.selector);
        aggregator.postProof(1, proof, address(0));
    }

    /// The post's key is keccak256(abi.encode(proof, payee)) (also `proofHashOf`); the post is stored under it with
    /// its poster and block, one bond is held, and it counts as on time.
    function testFuzz_postKey(uint256[8] calldata proof, address payee) public {
        VM.assume(payee != address(0));
        bytes32 key = aggregator.postProof(1, proof, payee);
        assert(key == keccak256(abi.encode(proof, payee)));
        assert(key == aggregator.proofHashOf(proof, payee));
        (address poster, uint256 postedAt) = aggregator.postedProof(1, key);
        assert(poster == address(this) && postedAt == COMMIT_END);
        assert(aggregator.totalBonds() == BOND && token.balanceOf(address(aggregator)) == BOND);
        assert(aggregator.onTimePosts(1) == 1);
        assert(aggregator.reorgBlockedUntil(1) == COMMIT_END + WINDOW);
    }

    /// A second post of the same (proof, payee) is refused (ProofAlreadyPosted), whoever sends it; the same proof
    /// with another payee, or another proof with the same payee, is a different key and is accepted.
    function testFuzz_postRefusesDuplicate(uint256[8] memory proof, address payee, uint8 who, uint8 word) public {
        VM.assume(payee != address(0) && uint160(payee) != 1);
        bytes32 key = aggregator.postProof(1, proof, payee);
        address again = seqs[who % 3];
        VM.prank(again);
        VM.expectRevert(abi.encodeWithSelector(Errors.ProofAggregator__ProofAlreadyPosted.selector, uint256(1), key));
        aggregator.postProof(1, proof, payee);

        address otherPayee = address(uint160(payee) ^ 1);
        VM.prank(again);
        bytes32 k2 = aggregator.postProof(1, proof, otherPayee);
        proof[word % 8] ^= 1;
        VM.prank(again);
        bytes32 k3 = aggregator.postProof(1, proof, payee);
        assert(k2 != key && k3 != key && k2 != k3);
        assert(aggregator.totalBonds() == 3 * BOND && aggregator.onTimePosts(1) == 3);
    }

    /// Posting is open from the commit end until the late deadline (PostingClosed otherwise); a post counts as
    /// on time iff it lands before the proving deadline; reorgBlockedUntil is the latest postedAt + window.
    function testFuzz_postingWindow(uint8 offset, uint256[8] calldata proof) public {
        uint256 b = 110 + (uint256(offset) % 30);
        VM.roll(b);
        if (b < COMMIT_END || b >= LATE_DEADLINE) {
            VM.expectRevert(abi.encodeWithSelector(Errors.ProofAggregator__PostingClosed.selector, uint256(1), LATE_DEADLINE));
            aggregator.postProof(1, proof, address(this));
            return;
        }
        aggregator.postProof(1, proof, address(this));
        assert(aggregator.onTimePosts(1) == (b < PROVING_DEADLINE ? 1 : 0));
        assert(aggregator.reorgBlockedUntil(1) == b + WINDOW);
    }
}
