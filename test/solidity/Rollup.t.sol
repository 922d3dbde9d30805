// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./utils/Vm.sol";
import {RollupSetup} from "./utils/RollupSetup.sol";
import {Rollup} from "../../contracts/Rollup.sol";
import {IRollup} from "../../contracts/interfaces/IRollup.sol";
import {ProposeLib} from "../../contracts/libraries/ProposeLib.sol";
import {RewardsLib} from "../../contracts/libraries/RewardsLib.sol";
import {ReorgLib} from "../../contracts/libraries/ReorgLib.sol";
import {PublicInputsLib} from "../../contracts/libraries/PublicInputsLib.sol";
import {Errors} from "../../contracts/errors/Errors.sol";

/// @title Fuzz tests of the Rollup's pure rules and of the full lifecycle of one height
contract RollupFuzzTest is RollupSetup {
    function setUp() public {
        _deploy();
    }

    /// A larger FEE_SPLIT never lowers the score; plain scoring ignores it.
    function testFuzz_scoreMonotoneInFeeSplit(uint256 output, uint16 a, uint16 b) public pure {
        (uint16 lo, uint16 hi) = a < b ? (a, b) : (b, a);
        assert(ProposeLib.score(output, lo, true) <= ProposeLib.score(output, hi, true));
        assert(ProposeLib.score(output, lo, false) == ProposeLib.score(output, hi, false));
    }

    /// Ranking is a strict order: never both a > b and b > a, and a proposal never outranks itself.
    function testFuzz_outranksIsStrict(uint256 s1, uint256 o1, address a1, uint256 s2, uint256 o2, address a2)
        public
        pure
    {
        VM.assume(a1 != address(0) && a2 != address(0));
        bool ab = ProposeLib.outranks(s1, o1, a1, s2, o2, a2);
        bool ba = ProposeLib.outranks(s2, o2, a2, s1, o1, a1);
        assert(!(ab && ba));
        if (s1 != s2 || o1 != o2 || a1 != a2) assert(ab || ba);
        assert(!ProposeLib.outranks(s1, o1, a1, s1, o1, a1));
    }

    /// The split conserves value: what is paid out equals what came in (tip + pool used + deposit).
    function testFuzz_rewardSplitConserves(
        uint128 pool,
        uint128 submissionReward,
        uint128 blockReward,
        uint64 fees,
        uint16 feeSplit,
        uint16 share,
        uint128 tip,
        uint128 deposit,
        bool late,
        uint16 lateShare
    ) public pure {
        lateShare = uint16(lateShare % 10_001);
        RewardsLib.Split memory s = RewardsLib.split(
            pool, submissionReward, blockReward, fees, feeSplit, share, tip, deposit, late, lateShare
        );
        assert(s.poolUsed <= pool);
        assert(s.submission + s.prover + s.sequencer + s.burnt == uint256(tip) + s.poolUsed);
        // FEE_SPLIT of the pot is burnt, whoever the prover is (finding 6: the boost is never free)
        uint256 pot = s.poolUsed - s.submission;
        assert(s.burnt == (pot * (feeSplit > 10_000 ? 10_000 : feeSplit)) / 10_000);
        assert(s.depositBack + s.depositToRescuer + s.depositSlashed == deposit);
        if (!late) assert(s.depositBack == deposit);
    }

    /// Reorg shares conserve the deposit.
    function testFuzz_reorgSharesConserve(uint128 deposit, uint16 bountyBps, uint8 lost) public pure {
        bountyBps = uint16(bountyBps % 10_001);
        (uint256 bounty, uint256 per, uint256 toPool) = ReorgLib.shares(deposit, bountyBps, lost);
        assert(bounty + per * lost + toPool == deposit);
        if (lost > 0) assert(toPool < lost);
    }

    /// Public inputs: [oldRoot, newRoot, totalFees, payee, domain, words]; the fee sum equals the sum of the low
    /// 32 bits of the words.
    function testFuzz_publicInputs(bytes20 w0, bytes20 w1, uint256 oldRoot, uint256 newRoot, address payee, uint256 domain)
        public
        view
    {
        // PublicInputsLib reads pubdata from calldata: through an external call.
        uint256[] memory inputs = this.publicInputs(oldRoot, newRoot, uint160(payee), domain, abi.encodePacked(w0, w1), 2);
        assert(inputs.length == 7);
        assert(inputs[0] == oldRoot && inputs[1] == newRoot);
        assert(inputs[3] == uint160(payee) && inputs[4] == domain);
        assert(inputs[5] == uint160(w0) && inputs[6] == uint160(w1));
        assert(inputs[2] == (uint160(w0) & 0xffffffff) + (uint160(w1) & 0xffffffff));
    }

    function publicInputs(uint256 oldRoot, uint256 newRoot, uint256 payee, uint256 domain, bytes calldata pubdata, uint256 slots)
        external
        pure
        returns (uint256[] memory)
    {
        return PublicInputsLib.compute(oldRoot, newRoot, payee, domain, pubdata, slots);
    }

    /// Any FEE_SPLIT above the bound is refused with FeeSplitOutOfRange.
    function testFuzz_feeSplitBound(uint16 feeSplit) public {
        VM.assume(feeSplit > 10_000);
        VM.roll(110);
        uint256[4] memory proof = _vrfProof(0, 1);
        uint256 randomness = rollup.randomnessOf(1);
        VM.prank(seqs[0]);
        VM.expectRevert(abi.encodeWithSelector(Errors.Rollup__FeeSplitOutOfRange.selector, uint256(feeSplit), 0, 10_000));
        rollup.propose(1, proof, bytes32(uint256(1)), feeSplit, 0, 0, randomness);
    }

    /// A full height with the real VRF: propose, reveal, commit, prove, finalize, claim.
    function test_fullHeight() public {
        VM.roll(110);
        bytes memory pubdata = _pubdata(5);
        uint256 newRoot = 777;
        bytes32 salt = keccak256("salt");
        bytes32 c = ProposeLib.commitment(seqs[1], 1, 0, newRoot, keccak256(pubdata), salt);
        uint256[4] memory proof = _vrfProof(1, 1);
        uint256 randomness = rollup.randomnessOf(1);
        VM.prank(seqs[1]);
        rollup.propose(1, proof, c, 1000, 2 * E18, 2000, randomness);
        VM.roll(113);
        VM.prank(seqs[1]);
        rollup.reveal(1, 0, newRoot, pubdata, salt, new bytes(64));
        VM.roll(116);
        VM.prank(seqs[1]);
        rollup.commitProver(1, seqs[1], "", proof);
        VM.roll(119);
        assert(rollup.chainTip() == 1);
        uint256[] memory inputs = rollup.publicInputsOf(1, pubdata, address(this));
        rollup.submitProof(1, _mockProof(inputs), pubdata, address(this));
        assert(rollup.lastFinalized() == 1);
        assert(uint8(rollup.getHeight(1).status) == uint8(IRollup.HeightStatus.Finalized));
        // sequencer self-proves: tip + the pot (10e18 + 3 fee units) less the burnt FEE_SPLIT (10%) + deposit back
        assert(rollup.claimable(seqs[1]) == 2 * E18 + 9 * E18 + 3 + 100 * E18);
        assert(rollup.claimable(rollup.BURN_ADDRESS()) == 1 * E18 && rollup.totalBurnt() == 1 * E18);
        assert(rollup.claimable(address(this)) == 1 * E18);
        assert(token.balanceOf(address(rollup)) == rollup.totalEscrowed() + rollup.totalClaimable() + rollup.rewardPool());
    }

    /// Early withdrawal from Staking reverts with WithdrawTooEarly for any block before exitAt.
    function testFuzz_earlyWithdraw(uint8 wait) public {
        VM.prank(seqs[0]);
        staking.initiateExit();
        uint256 exitAt = staking.stakerOf(seqs[0]).exitAt;
        uint256 at = block.number + (uint256(wait) % 50);
        VM.assume(at < exitAt);
        VM.roll(at);
        VM.prank(seqs[0]);
        VM.expectRevert(abi.encodeWithSelector(Errors.Staking__WithdrawTooEarly.selector, at, exitAt));
        staking.withdraw();
    }
}
