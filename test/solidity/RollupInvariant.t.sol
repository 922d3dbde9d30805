// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM, Vm} from "./utils/Vm.sol";
import {HeightDriver} from "./utils/HeightDriver.sol";
import {Rollup} from "../../contracts/Rollup.sol";
import {IRollup} from "../../contracts/interfaces/IRollup.sol";

/// @title RollupHandler: drives random phase actions (propose, reveal, commit, prove, reorg, release, claim, mine)
/// @dev Keeps its own L1 block number (re-applied with vm.roll on every call) and counts the Rollup's
///      HeightFinalized and ProofSubmitted events per height from recorded logs.
contract RollupHandler is HeightDriver {
    uint256 public currentBlock;
    mapping(uint256 => uint256) public finalizedEvents;
    mapping(uint256 => uint256) public proofEvents;
    uint256 public calls;
    /// @notice Rules seen broken during an action (an invalid proof accepted); must stay 0.
    uint256 public violations;

    constructor() {
        _deploy();
        currentBlock = 110;
    }

    function rollupAddr() external view returns (Rollup) {
        return rollup;
    }

    function tokenBalanceOfRollup() external view returns (uint256) {
        return token.balanceOf(address(rollup));
    }

    function actor(uint256 i) external view returns (address) {
        return seqs[i];
    }

    modifier step() {
        VM.roll(currentBlock);
        VM.recordLogs();
        _;
        _countLogs();
        ++calls;
    }

    function advance(uint8 n) external step {
        // Mostly short steps through the phases, sometimes a long jump past proving deadlines.
        currentBlock += n >= 224 ? 12 : 1 + (n % 3);
        VM.roll(currentBlock);
    }

    /// The action of the current phase for sequencer `who`, then one block: makes complete heights likely.
    function act(uint8 who, uint16 feeSplit, uint8 tipUnits, uint8 share) external {
        (, IRollup.Phase phase) = rollup.clockAt(currentBlock);
        if (phase == IRollup.Phase.Proposal) this.propose(who, feeSplit, tipUnits, share);
        else if (phase == IRollup.Phase.Reveal) this.reveal(who);
        else if (phase == IRollup.Phase.Commit) this.commit(who);
        // Keep the next height proposable when nobody committed (the seed window is this height's commit phase).
        (uint256 h,) = rollup.clockAt(currentBlock);
        VM.roll(currentBlock);
        try rollup.recordRandomness(h + 1) {} catch {}
        currentBlock += 1;
    }

    function propose(uint8 who, uint16 feeSplit, uint8 tipUnits, uint8 share) public step {
        (uint256 h, IRollup.Phase phase) = rollup.clockAt(currentBlock);
        if (phase != IRollup.Phase.Proposal) return;
        _proposeBlock(h, who % 3, feeSplit % 10_001, uint256(tipUnits) * E18 / 10, share % 10_001);
    }

    function reveal(uint8 who) public step {
        (uint256 h, IRollup.Phase phase) = rollup.clockAt(currentBlock);
        if (phase != IRollup.Phase.Reveal) return;
        _revealBlock(h, who % 3);
    }

    function commit(uint8 who) public step {
        (uint256 h, IRollup.Phase phase) = rollup.clockAt(currentBlock);
        if (phase != IRollup.Phase.Commit) return;
        _commitBlock(h, who % 3);
    }

    function prove(uint8 pick, bool valid) external step {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length == 0) return;
        uint256 h = pending[pick % pending.length];
        address winner = rollup.getHeight(h).winner;
        uint256 i = winner == seqs[0] ? 0 : winner == seqs[1] ? 1 : 2;
        bytes memory pubdata = _blocks[h][i].pubdata;
        try rollup.publicInputsOf(h, pubdata, address(this)) returns (uint256[] memory inputs) {
            uint256[8] memory p = _mockProof(inputs);
            if (!valid) p[0] ^= 1;
            try rollup.submitProof(h, p, pubdata, address(this)) {
                // An invalid proof must never be accepted. Counted, not asserted: a failed assert in a handler is
                // only a discarded revert; invariant_paidOnceOneProof checks the count.
                if (!valid) ++violations;
            } catch {}
        } catch {}
    }

    function reorg() external step {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length == 0) return;
        try rollup.triggerReorg(pending[0]) {} catch {}
    }

    function release(uint8 back, uint8 who) external step {
        (uint256 h,) = rollup.clockAt(currentBlock);
        uint256 b = back % 8;
        if (b >= h) return;
        try rollup.release(h - b, seqs[who % 3]) {} catch {}
    }

    function claim(uint8 who) external step {
        uint256 i = who % 4;
        if (i == 3) {
            try rollup.claim() {} catch {}
        } else {
            VM.prank(seqs[i]);
            try rollup.claim() {} catch {}
        }
    }

    function _countLogs() private {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter != address(rollup) || logs[k].topics.length < 2) continue;
            bytes32 t0 = logs[k].topics[0];
            uint256 h = uint256(logs[k].topics[1]);
            if (t0 == IRollup.HeightFinalized.selector) ++finalizedEvents[h];
            else if (t0 == IRollup.ProofSubmitted.selector) ++proofEvents[h];
        }
    }
}

/// @title Invariants of the Rollup's books and lifecycle under random phase actions
contract RollupInvariantTest {
    RollupHandler internal handler;

    function setUp() public {
        handler = new RollupHandler();
    }

    /// @dev The fuzzer calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The contract holds exactly what its books owe: escrow + claimable + reward pool.
    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 80
    function invariant_booksBalance() public view {
        Rollup r = handler.rollupAddr();
        assert(handler.tokenBalanceOfRollup() == r.totalEscrowed() + r.totalClaimable() + r.rewardPool());
        uint256 sum = r.claimable(address(handler)) + r.claimable(r.BURN_ADDRESS());
        for (uint256 i = 0; i < 3; ++i) sum += r.claimable(handler.actor(i));
        assert(sum == r.totalClaimable());
    }

    /// Nobody is paid twice for a height, and every finalized height has exactly one accepted proof.
    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 80
    function invariant_paidOnceOneProof() public view {
        Rollup r = handler.rollupAddr();
        assert(handler.violations() == 0);
        uint256 maxH = handler.maxHeight();
        for (uint256 h = 1; h <= maxH; ++h) {
            assert(handler.finalizedEvents(h) <= 1);
            assert(handler.proofEvents(h) <= 1);
            IRollup.HeightStatus s = r.getHeight(h).status;
            if (s == IRollup.HeightStatus.Finalized) {
                assert(handler.finalizedEvents(h) == 1 && handler.proofEvents(h) == 1);
            }
            if (s == IRollup.HeightStatus.Proven) assert(handler.proofEvents(h) == 1);
        }
        // The chain's finalized prefix is final, and everything after it is not.
        assert(r.getHeight(r.lastFinalized()).status == IRollup.HeightStatus.Finalized);
        uint64[] memory pending = r.pendingHeights();
        for (uint256 k = 0; k < pending.length; ++k) {
            IRollup.HeightStatus s = r.getHeight(pending[k]).status;
            assert(s == IRollup.HeightStatus.Pending || s == IRollup.HeightStatus.Proven);
        }
    }

    /// The canonical chain is linked: each pending height's parent is the previous chain entry, starting at the
    /// last finalized height; reorged and skipped heights are never part of it.
    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 80
    function invariant_chainLinked() public view {
        Rollup r = handler.rollupAddr();
        uint256 prev = r.lastFinalized();
        uint64[] memory pending = r.pendingHeights();
        for (uint256 k = 0; k < pending.length; ++k) {
            assert(r.getHeight(pending[k]).parent == prev);
            assert(pending[k] > prev);
            prev = pending[k];
        }
    }
}
