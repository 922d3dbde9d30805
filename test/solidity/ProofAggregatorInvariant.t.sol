// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./utils/Vm.sol";
import {HeightDriver} from "./utils/HeightDriver.sol";
import {Rollup} from "../../contracts/Rollup.sol";
import {IRollup} from "../../contracts/interfaces/IRollup.sol";
import {ProofAggregator, AggregatorConfig} from "../../contracts/ProofAggregator.sol";
import {MockBatchVerifier} from "../../contracts/mocks/MockBatchVerifier.sol";
import {IBatchVerifier} from "../../contracts/interfaces/IBatchVerifier.sol";

/// @title AggregatorHandler: drives heights of a real Rollup (propose/reveal/commit with the real VRF, as
///        RollupHandler does) and the ProofAggregator next to it: posts valid and junk proofs with random payees,
///        verifies batches, challenges, reclaims bonds, proves directly (submitProof, submitBatch), reorgs, claims
/// @dev Keeps its own L1 block number (re-applied with vm.roll on every call). Mock block and batch verifiers accept
///      exactly the proofs whose first word is keccak256 of their public inputs, so the handler knows which posts
///      are valid. Ghost bookkeeping: every post made (height, proof, payee, poster, block, valid, still standing)
///      and, per height, the max of postedAt + verifyWindow over all its posts. Around every call it snapshots each
///      pending height's onTimePosts and counts in `lateWhileOnTime` any height the call marked proven late while
///      an on-time post stood. Other broken rules seen in a call (a junk post verified, a valid post challenged
///      away, a bond reclaimed early, a reorg inside a verify window, a duplicate post accepted) go to
///      `violations`: a failed assert in a handler would only be a discarded revert.
contract AggregatorHandler is HeightDriver {
    struct Post {
        uint256 height;
        uint256[8] proof;
        address payee;
        address poster;
        uint256 postedAt;
        bool valid;
        bool standing;
    }

    uint256 public constant POST_BOND = 5 * E18;
    uint256 public constant VERIFY_WINDOW = 4;
    address public constant OTHER_PAYEE = address(0xBEEF);

    ProofAggregator public aggregator;
    MockBatchVerifier public batchVerifier;
    uint256 public currentBlock;
    Post[] internal _posts;
    uint256 public standingCount;
    /// @dev height => max over all posts ever made of postedAt + VERIFY_WINDOW
    mapping(uint256 => uint256) public ghostBlockedUntil;
    uint256 public violations;
    uint256 public lateWhileOnTime;

    // coverage counters
    uint256 public calls;
    uint256 public postsMade;
    uint256 public batches;
    uint256 public challenges;
    uint256 public reclaims;
    uint256 public directProofs;
    uint256 public directBatches;
    uint256 public reorgs;
    uint256 public lateProofs;

    constructor() {
        _deploy();
        batchVerifier = new MockBatchVerifier(5 + SLOTS);
        aggregator = new ProofAggregator(
            rollup,
            IBatchVerifier(address(batchVerifier)),
            AggregatorConfig({
                postBond: POST_BOND,
                verifyWindow: uint32(VERIFY_WINDOW),
                batchReward: 1 * E18,
                batchRewardPerHeight: E18 / 2
            })
        );
        rollup.setAggregator(address(aggregator));
        for (uint256 i = 0; i < 3; ++i) {
            VM.prank(seqs[i]);
            token.approve(address(aggregator), type(uint256).max);
        }
        token.approve(address(aggregator), type(uint256).max);
        currentBlock = 110;
    }

    // ---------------------------------------------------------------------------------------------- views for tests

    function rollupAddr() external view returns (Rollup) {
        return rollup;
    }

    function tokenBalanceOf(address a) external view returns (uint256) {
        return token.balanceOf(a);
    }

    /// @dev Accounts that post, challenge and claim: the three sequencers and the handler.
    function account(uint256 i) public view returns (address) {
        return i < 3 ? seqs[i] : address(this);
    }

    function postCount() external view returns (uint256) {
        return _posts.length;
    }

    function post(uint256 k) external view returns (Post memory) {
        return _posts[k];
    }

    // ---------------------------------------------------------------------------------------------- step

    modifier step() {
        VM.roll(currentBlock);
        uint256[] memory before = _snapshot();
        _;
        _checkLate(before);
        ++calls;
    }

    /// @dev For each height: 0 if not pending, else 1 + its onTimePosts.
    function _snapshot() private view returns (uint256[] memory s) {
        s = new uint256[](maxHeight + 1);
        for (uint256 h = 1; h <= maxHeight; ++h) {
            if (rollup.getHeight(h).status == IRollup.HeightStatus.Pending) s[h] = 1 + aggregator.onTimePosts(h);
        }
    }

    function _checkLate(uint256[] memory before) private {
        for (uint256 h = 1; h < before.length; ++h) {
            if (before[h] == 0) continue;
            IRollup.Height memory ht = rollup.getHeight(h);
            bool proven = ht.status == IRollup.HeightStatus.Proven || ht.status == IRollup.HeightStatus.Finalized;
            if (proven && ht.late) {
                ++lateProofs;
                if (before[h] != 1) ++lateWhileOnTime;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- L1 time, heights

    function advance(uint8 n) external step {
        // Mostly short steps through the phases, sometimes a long jump past proving deadlines.
        currentBlock += n >= 224 ? 12 : 1 + (n % 3);
    }

    /// The current phase's action for each sequencer (propose, reveal or commit), then one block; `blocks` times.
    function drive(uint8 blocks, uint16 feeSplit, uint8 tipUnits) external step {
        uint256 n = 1 + (blocks % 6);
        for (uint256 k = 0; k < n; ++k) {
            VM.roll(currentBlock);
            (uint256 h, IRollup.Phase phase) = rollup.clockAt(currentBlock);
            for (uint256 i = 0; i < 3; ++i) {
                if (phase == IRollup.Phase.Proposal) {
                    _proposeBlock(h, i, (uint256(feeSplit) + i * 1000) % 10_001, uint256(tipUnits) * E18 / 10, 2000);
                } else if (phase == IRollup.Phase.Reveal) {
                    _revealBlock(h, i);
                } else if (phase == IRollup.Phase.Commit) {
                    _commitBlock(h, i);
                }
            }
            // Keep the next height proposable when nobody committed (its seed window is this height's commit phase).
            try rollup.recordRandomness(h + 1) {} catch {}
            currentBlock += 1;
            VM.roll(currentBlock);
        }
    }

    /// The winner's revealed pubdata of `h` (empty if there is no winner among the handler's sequencers).
    function _winnerPubdata(uint256 h) private view returns (bytes memory) {
        address w = rollup.getHeight(h).winner;
        for (uint256 i = 0; i < 3; ++i) {
            if (w == seqs[i]) return _blocks[h][i].pubdata;
        }
        return "";
    }

    function _payee(uint8 seed) private view returns (address) {
        uint256 k = seed % 5;
        return k == 4 ? OTHER_PAYEE : account(k);
    }

    // ---------------------------------------------------------------------------------------------- aggregator

    /// Posts a valid or junk proof for a pending (or, now and then, any recent) height from a random poster with a
    /// random payee. Proof word 1 is a small nonce: re-randomized copies of one proof, and sometimes duplicates.
    function postProof(uint8 pick, bool valid, uint8 payeeSeed, uint8 posterSeed, uint8 nonce) external step {
        uint256 h = _pickHeight(pick);
        address payee = _payee(payeeSeed);
        (uint256[8] memory proof, bool isValid) = _makeProof(h, valid, payee, nonce);
        bool duplicate = _standingIndex(h, keccak256(abi.encode(proof, payee))) != type(uint256).max;
        if (_post(h, proof, payee, account(posterSeed % 4), isValid) && duplicate) ++violations;
    }

    /// @dev Posts from `poster` and records the post; whether it was accepted.
    function _post(uint256 h, uint256[8] memory proof, address payee, address poster, bool isValid)
        private
        returns (bool)
    {
        VM.prank(poster);
        try aggregator.postProof(h, proof, payee) returns (bytes32 got) {
            if (got != keccak256(abi.encode(proof, payee))) ++violations;
            _posts.push(Post(h, proof, payee, poster, currentBlock, isValid, true));
            ++standingCount;
            ++postsMade;
            if (currentBlock + VERIFY_WINDOW > ghostBlockedUntil[h]) ghostBlockedUntil[h] = currentBlock + VERIFY_WINDOW;
            return true;
        } catch {
            return false;
        }
    }

    /// A late rescue of a height that has standing on-time posts: moves to its late window and proves it with a
    /// valid proof, directly (submitProof, `via` % 3 == 0), in a direct batch of one (submitBatch, 1) or by posting
    /// it late and verifying it alone in a batch (2). All must be refused (EarlierPostPending) while an on-time post
    /// stands.
    function lateRescue(uint8 pick, uint8 payeeSeed, uint8 via) external step {
        uint64[] memory pending = rollup.pendingHeights();
        uint256 h = 0;
        for (uint256 j = 0; j < pending.length; ++j) {
            uint256 c = pending[(uint256(pick) + j) % pending.length];
            if (aggregator.onTimePosts(c) != 0 && currentBlock < rollup.timeline(c).lateDeadline) {
                h = c;
                break;
            }
        }
        if (h == 0) return;
        uint256 deadline = rollup.timeline(h).provingDeadline;
        if (currentBlock < deadline) currentBlock = deadline;
        VM.roll(currentBlock);
        address payee = _payee(payeeSeed);
        bytes memory pubdata = _winnerPubdata(h);
        uint256[8] memory proof = _mockProof(rollup.publicInputsOf(h, pubdata, payee));
        if (via % 3 == 0) {
            try rollup.submitProof(h, proof, pubdata, payee) {
                ++directProofs;
            } catch {}
            return;
        }
        if (via % 3 == 1) {
            _submitDirect(_one(h), _oneProof(proof), _onePayee(payee));
            return;
        }
        proof[1] = 7; // a fresh re-randomization: not a duplicate of an earlier post
        if (!_post(h, proof, payee, address(this), true)) return;
        uint256 k = _posts.length - 1;
        uint256[] memory heights = new uint256[](1);
        uint256[8][] memory proofs = new uint256[8][](1);
        address[] memory payees = new address[](1);
        bytes[] memory pubdatas = new bytes[](1);
        heights[0] = h;
        proofs[0] = proof;
        payees[0] = payee;
        pubdatas[0] = pubdata;
        try aggregator.verifyBatch(heights, proofs, payees, pubdatas) {
            ++batches;
            _posts[k].standing = false;
            --standingCount;
        } catch {}
    }

    function _pickHeight(uint8 pick) private view returns (uint256) {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length != 0 && pick % 8 != 0) return pending[pick % pending.length];
        return 1 + (uint256(pick) % (maxHeight + 1));
    }

    function _makeProof(uint256 h, bool valid, address payee, uint8 nonce)
        private
        view
        returns (uint256[8] memory proof, bool isValid)
    {
        if (valid) {
            try rollup.statementOf(h, _winnerPubdata(h), payee) returns (uint256[] memory inputs) {
                proof = _mockProof(inputs);
                isValid = true;
            } catch {}
        }
        if (!isValid) proof[0] = uint256(keccak256(abi.encode("junk", nonce)));
        proof[1] = nonce % 3;
    }

    /// Verifies a batch of up to three standing posts of distinct heights (valid ones, unless `withJunk`).
    function verifyBatch(uint8 start, uint8 size, bool withJunk) external step {
        (uint256[] memory picked, uint256 n) = _select(start, 1 + (size % 3), withJunk);
        if (n == 0) return;
        uint256[] memory heights = new uint256[](n);
        uint256[8][] memory proofs = new uint256[8][](n);
        address[] memory payees = new address[](n);
        bytes[] memory pubdatas = new bytes[](n);
        for (uint256 q = 0; q < n; ++q) {
            Post storage p = _posts[picked[q]];
            heights[q] = p.height;
            proofs[q] = p.proof;
            payees[q] = p.payee;
            pubdatas[q] = _winnerPubdata(p.height);
        }
        VM.prank(account(start % 4));
        try aggregator.verifyBatch(heights, proofs, payees, pubdatas) {
            ++batches;
            for (uint256 q = 0; q < n; ++q) {
                Post storage p = _posts[picked[q]];
                if (!p.valid || currentBlock >= p.postedAt + VERIFY_WINDOW) ++violations;
                p.standing = false;
                --standingCount;
            }
        } catch {}
    }

    /// @dev Up to `want` standing posts (valid ones unless `withJunk`) of distinct heights, sorted by height.
    function _select(uint8 start, uint256 want, bool withJunk) private view returns (uint256[] memory picked, uint256 n) {
        picked = new uint256[](want);
        uint256 total = _posts.length;
        for (uint256 j = 0; j < total && n < want; ++j) {
            uint256 k = (uint256(start) + j) % total;
            Post storage p = _posts[k];
            if (!p.standing || (!p.valid && !withJunk)) continue;
            bool clash = false;
            for (uint256 q = 0; q < n; ++q) {
                if (_posts[picked[q]].height == p.height) clash = true;
            }
            if (clash) continue;
            uint256 at = n;
            while (at > 0 && _posts[picked[at - 1]].height > p.height) {
                picked[at] = picked[at - 1];
                --at;
            }
            picked[at] = k;
            ++n;
        }
    }

    /// Challenges a standing post (valid or not) from a random account.
    function challenge(uint8 pick, uint8 by) external step {
        uint256 k = _pickStanding(pick);
        if (k == type(uint256).max) return;
        Post storage p = _posts[k];
        VM.prank(account(by % 4));
        try aggregator.challengePostedProof(p.height, p.proof, p.payee, _winnerPubdata(p.height)) {
            ++challenges;
            if (p.valid) ++violations;
            p.standing = false;
            --standingCount;
        } catch {}
    }

    /// Reclaims the bond of a standing post (refused inside its verify window).
    function reclaimBond(uint8 pick) external step {
        uint256 k = _pickStanding(pick);
        if (k == type(uint256).max) return;
        Post storage p = _posts[k];
        try aggregator.reclaimBond(p.height, keccak256(abi.encode(p.proof, p.payee))) {
            ++reclaims;
            if (currentBlock < p.postedAt + VERIFY_WINDOW) ++violations;
            p.standing = false;
            --standingCount;
        } catch {}
    }

    function claim(uint8 who, bool fromRollup) external step {
        VM.prank(account(who % 4));
        if (fromRollup) {
            try rollup.claim() {} catch {}
        } else {
            try aggregator.claim() {} catch {}
        }
    }

    /// Proves up to three pending heights (increasing) in one direct batch (`submitBatch`, proofs never posted),
    /// all valid unless `withInvalid` (then one proof fails and the whole batch must revert).
    function submitBatch(uint8 start, uint8 size, bool withInvalid, uint8 payeeSeed) external step {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length == 0) return;
        uint256 want = 1 + (size % 3);
        uint256 first = start % pending.length;
        uint256 n = pending.length - first < want ? pending.length - first : want;
        uint256[] memory heights = new uint256[](n);
        uint256[8][] memory proofs = new uint256[8][](n);
        address[] memory payees = new address[](n);
        for (uint256 q = 0; q < n; ++q) {
            uint256 h = pending[first + q]; // pendingHeights is in chain order: increasing
            address payee = _payee(uint8(uint256(payeeSeed) + q));
            heights[q] = h;
            payees[q] = payee;
            try rollup.publicInputsOf(h, _winnerPubdata(h), payee) returns (uint256[] memory inputs) {
                proofs[q] = _mockProof(inputs);
            } catch {
                return; // not decided yet
            }
        }
        if (withInvalid) proofs[uint256(start) % n][0] ^= 1;
        if (_submitDirect(heights, proofs, payees) && withInvalid) ++violations;
    }

    /// @dev Sends a direct batch (from OTHER_PAYEE); whether it was accepted. An accepted batch must touch no post,
    ///      no bond and nothing the aggregator owes.
    function _submitDirect(uint256[] memory heights, uint256[8][] memory proofs, address[] memory payees)
        private
        returns (bool)
    {
        bytes[] memory pubdatas = new bytes[](heights.length);
        for (uint256 q = 0; q < heights.length; ++q) {
            pubdatas[q] = _winnerPubdata(heights[q]);
        }
        uint256 bonds = aggregator.totalBonds();
        uint256 aggOwed = aggregator.totalClaimable();
        VM.prank(OTHER_PAYEE);
        try aggregator.submitBatch(heights, proofs, payees, pubdatas) {
            ++directBatches;
            if (aggregator.totalBonds() != bonds || aggregator.totalClaimable() != aggOwed) ++violations;
            return true;
        } catch {
            return false;
        }
    }

    function _one(uint256 h) private pure returns (uint256[] memory a) {
        a = new uint256[](1);
        a[0] = h;
    }

    function _oneProof(uint256[8] memory p) private pure returns (uint256[8][] memory a) {
        a = new uint256[8][](1);
        a[0] = p;
    }

    function _onePayee(address x) private pure returns (address[] memory a) {
        a = new address[](1);
        a[0] = x;
    }

    // ---------------------------------------------------------------------------------------------- rollup paths

    /// Proves a pending height directly (Rollup.submitProof), valid or not: a late one is refused while an
    /// on-time post stands.
    function submitProof(uint8 pick, bool valid, uint8 payeeSeed) external step {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length == 0) return;
        uint256 h = pending[pick % pending.length];
        bytes memory pubdata = _winnerPubdata(h);
        address payee = _payee(payeeSeed);
        try rollup.publicInputsOf(h, pubdata, payee) returns (uint256[] memory inputs) {
            uint256[8] memory p = _mockProof(inputs);
            if (!valid) p[0] ^= 1;
            try rollup.submitProof(h, p, pubdata, payee) {
                ++directProofs;
                if (!valid) ++violations;
            } catch {}
        } catch {}
    }

    function reorg() external step {
        uint64[] memory pending = rollup.pendingHeights();
        if (pending.length == 0) return;
        uint256 h = pending[0];
        try rollup.triggerReorg(h) {
            ++reorgs;
            if (currentBlock < ghostBlockedUntil[h]) ++violations;
        } catch {}
    }

    function release(uint8 back, uint8 who) external step {
        (uint256 h,) = rollup.clockAt(currentBlock);
        uint256 b = back % 8;
        if (b >= h) return;
        try rollup.release(h - b, seqs[who % 3]) {} catch {}
    }

    // ---------------------------------------------------------------------------------------------- helpers

    function _standingIndex(uint256 h, bytes32 key) private view returns (uint256) {
        for (uint256 k = 0; k < _posts.length; ++k) {
            Post storage p = _posts[k];
            if (p.standing && p.height == h && keccak256(abi.encode(p.proof, p.payee)) == key) return k;
        }
        return type(uint256).max;
    }

    function _pickStanding(uint8 pick) private view returns (uint256) {
        uint256 total = _posts.length;
        for (uint256 j = 0; j < total; ++j) {
            uint256 k = (uint256(pick) + j) % total;
            if (_posts[k].standing) return k;
        }
        return type(uint256).max;
    }
}

/// @title Invariants of the ProofAggregator over a real Rollup under random heights, posts, batches, challenges,
///        reclaims, direct proofs and reorgs
contract ProofAggregatorInvariantTest {
    AggregatorHandler internal handler;

    function setUp() public {
        handler = new AggregatorHandler();
    }

    /// @dev The fuzzer calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The aggregator holds exactly its books: token.balanceOf(aggregator) == totalBonds + totalClaimable;
    /// totalBonds is one bond per standing post and totalClaimable the sum of the accounts' claimables. The
    /// Rollup's own books still balance with the aggregator marking heights and taking batch rewards.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_bondBooks() public view {
        ProofAggregator agg = handler.aggregator();
        assert(handler.tokenBalanceOf(address(agg)) == agg.totalBonds() + agg.totalClaimable());
        assert(agg.totalBonds() == agg.postBond() * handler.standingCount());
        uint256 sum = 0;
        for (uint256 i = 0; i < 4; ++i) sum += agg.claimable(handler.account(i));
        assert(sum == agg.totalClaimable());
        Rollup r = handler.rollupAddr();
        assert(handler.tokenBalanceOf(address(r)) == r.totalEscrowed() + r.totalClaimable() + r.rewardPool());
        assert(handler.violations() == 0);
    }

    /// For every height, onTimePosts(h) equals the number of standing posts made before h's proving deadline
    /// (ghost bookkeeping), and every standing post is stored with its poster and block.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_onTimePosts() public view {
        ProofAggregator agg = handler.aggregator();
        Rollup r = handler.rollupAddr();
        uint256 maxH = handler.maxHeight();
        uint256 total = handler.postCount();
        for (uint256 h = 1; h <= maxH + 1; ++h) {
            uint256 deadline = r.timeline(h).provingDeadline;
            uint256 count = 0;
            for (uint256 k = 0; k < total; ++k) {
                AggregatorHandler.Post memory p = handler.post(k);
                if (p.height == h && p.standing && p.postedAt < deadline) ++count;
            }
            assert(agg.onTimePosts(h) == count);
        }
        for (uint256 k = 0; k < total; ++k) {
            AggregatorHandler.Post memory p = handler.post(k);
            if (!p.standing) continue;
            (address poster, uint256 postedAt) = agg.postedProof(p.height, keccak256(abi.encode(p.proof, p.payee)));
            assert(poster == p.poster && postedAt == p.postedAt);
        }
    }

    /// No height is marked proven late (by a batch or by submitProof) while an on-time post of it stood when the
    /// proof was accepted.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_noLateOverOnTimePost() public view {
        assert(handler.lateWhileOnTime() == 0);
    }

    /// reorgBlockedUntil(h) >= postedAt + verifyWindow of every standing post, and equals the max of it over all
    /// posts ever made for h (it never decreases); no reorg went through before it.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_reorgBlocked() public view {
        ProofAggregator agg = handler.aggregator();
        uint256 window = agg.verifyWindow();
        uint256 total = handler.postCount();
        for (uint256 k = 0; k < total; ++k) {
            AggregatorHandler.Post memory p = handler.post(k);
            if (p.standing) assert(agg.reorgBlockedUntil(p.height) >= p.postedAt + window);
        }
        uint256 maxH = handler.maxHeight();
        for (uint256 h = 1; h <= maxH + 1; ++h) {
            assert(agg.reorgBlockedUntil(h) == handler.ghostBlockedUntil(h));
        }
    }
}
