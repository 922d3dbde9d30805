// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "./ConfigLib.sol";
import {ClockLib} from "./ClockLib.sol";

/// @title ChainLib: the chain of heights, their records and finality
/// @notice The chain holds the canonical heights with a winner, in order (entry 0 is genesis, height 0);
///         `finalizedIndex` is the index of the last finalized one. Everything after it is pending: proven or not.
/// @dev Both live in rings (issue 13: a fresh slot costs 22.1k, a rewritten one 5k). A height's record sits in slot
///      `height % HEIGHT_RING`, tagged with its height; a slot is taken over only when the record it holds is no
///      longer needed: not pending, not proven and not the last finalized height (whose root the next proof starts
///      from), else `Rollup__HeightSlotBusy` (with maxPendingHeights up to 64 a long pending chain can meet it: the
///      height then has no winner, as with `PendingChainFull`). Reads go through `recordOf`/`statusOf`/`winnerOf`,
///      which see an older or newer height's record as none. Chain entry i sits in `chainRing[i % CHAIN_RING]`:
///      only the entries from the last finalized one on are read, at most maxPendingHeights + 1 <= 65 of them
///      (ConfigLib bounds maxPendingHeights by 64), so they never meet.
///      A height's history outlives its record in the events (`ProverCommitted`, `ProofSubmitted`,
///      `HeightFinalized`, `ChainReorged`).
///      ERC-7201 slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Chain")) - 1)) & ~0xff.
library ChainLib {
    /// @notice Heights whose records the ring holds.
    uint256 internal constant HEIGHT_RING = 64;
    /// @notice Chain entries the ring holds (more than maxPendingHeights + 1).
    uint256 internal constant CHAIN_RING = 128;

    /// @notice A height's record. Word 0 (written at the height's first leading commit, rewritten at finality) holds
    ///         the tag; word 1 only for a proven height that waits for its parent (cleared when it is finalized).
    /// @dev Heights and parents fit 32 bits (a height per L1 phase triple: 2^32 heights outlast any chain).
    struct Record {
        IRollup.HeightStatus status;
        bool late;
        uint32 height;
        uint32 parent;
        address winner;
        address submitter;
        uint96 totalFees;
    }

    /// @custom:storage-location erc7201:fernet-rollup.storage.Chain
    struct Storage {
        Record[HEIGHT_RING] records;
        uint64[CHAIN_RING] chainRing;
        // One word: a leading commit reads both (the pending count) and writes the length; a finalization reads both
        // and writes the index (one cold read instead of two). Both count chain entries: 2^128 is out of reach.
        uint128 chainLength;
        uint128 finalizedIndex;
    }

    bytes32 internal constant STORAGE_SLOT = 0x6d6b21020380e05f69c159815843391a30172f3f9a02ee55a9e2e5cf52b94600;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Tag of a height record that was warmed and never written: its status is None (no record, whatever the
    ///         tag), and no height reaches 2^32 - 1.
    uint32 internal constant WARM_TAG = type(uint32).max;

    /// @notice A chain lane beyond the chain's length: never read (entries are read below `chainLength` only, and a
    ///         lane is written before the length covers it).
    uint64 internal constant WARM_LANE = type(uint64).max;

    /// @dev Genesis: height 0 is finalized and the chain's first entry. Every ring word is written once here (the
    ///      deployer pays 22.1k a word, once), so that no height ever writes a fresh word: the first 64 heights cost
    ///      what every later one does (issue 13). A warmed record reads as none (`recordOf`: status None) and a
    ///      warmed chain lane is never read, so warming changes no rule.
    function init() internal {
        Storage storage $ = getStorage();
        $.chainLength = 1; // chainRing[0] = 0: height 0
        $.records[0].status = IRollup.HeightStatus.Finalized;
        for (uint256 i = 1; i < HEIGHT_RING; ++i) {
            $.records[i].height = WARM_TAG;
        }
        for (uint256 i = 1; i < CHAIN_RING; ++i) {
            $.chainRing[i] = WARM_LANE;
        }
    }

    /// @dev The ring slot of `h` and whether it holds `h`'s record (else `h` has none: never decided, or forgotten).
    function recordOf(uint256 h) internal view returns (Record storage r, bool held) {
        r = getStorage().records[h % HEIGHT_RING];
        held = r.height == h && r.status != IRollup.HeightStatus.None;
    }

    /// @dev `h`'s record, which must be held (a chain entry from the last finalized one on; the guard makes any
    ///      future breach of the ring's rule revert instead of acting on another height's record).
    function heldRecord(uint256 h) internal view returns (Record storage r) {
        bool held;
        (r, held) = recordOf(h);
        if (!held) revert Errors.Rollup__HeightRecordLost(h);
    }

    /// @dev Reverts `HeightSlotBusy` if `h` has no record yet and its slot's record is still needed: a pending or
    ///      proven height, or the last finalized one (the next proof's parent root).
    function requireSlotFree(uint256 h) internal view {
        (Record storage r, bool held) = recordOf(h);
        if (held) return;
        IRollup.HeightStatus old = r.status;
        if (
            old == IRollup.HeightStatus.Pending || old == IRollup.HeightStatus.Proven
                || (old == IRollup.HeightStatus.Finalized && r.height == lastFinalized())
        ) revert Errors.Rollup__HeightSlotBusy(h, r.height);
    }

    /// @dev `h`'s status; None if its slot holds another height's record.
    function statusOf(uint256 h) internal view returns (IRollup.HeightStatus) {
        (Record storage r, bool held) = recordOf(h);
        return held ? r.status : IRollup.HeightStatus.None;
    }

    /// @dev `h`'s winner; zero if none, or if its slot holds another height's record.
    function winnerOf(uint256 h) internal view returns (address) {
        (Record storage r, bool held) = recordOf(h);
        return held ? r.winner : address(0);
    }

    /// @dev Whether `h`'s record was taken over by a later height (its history is in the events only).
    function forgotten(uint256 h) internal view returns (bool) {
        Record storage r = getStorage().records[h % HEIGHT_RING];
        return r.height > h && r.status != IRollup.HeightStatus.None;
    }

    /// @dev Chain entry `i` (only entries from the last finalized one on are held).
    function entry(Storage storage $, uint256 i) internal view returns (uint256) {
        return $.chainRing[i % CHAIN_RING];
    }

    /// @dev The last height in the chain (decided or in its commit phase).
    function last() internal view returns (uint256) {
        Storage storage $ = getStorage();
        return entry($, $.chainLength - 1);
    }

    /// @dev The tip a block of `h` builds on: the last chain entry other than `h` itself.
    function tipExcluding(uint256 h) internal view returns (uint256) {
        Storage storage $ = getStorage();
        uint256 len = $.chainLength;
        uint256 l = entry($, len - 1);
        return l == h ? entry($, len - 2) : l;
    }

    /// @dev Heights after the last finalized one.
    function pendingCount() internal view returns (uint256) {
        Storage storage $ = getStorage();
        return $.chainLength - $.finalizedIndex - 1;
    }

    /// @dev The first pending height (0 if none).
    function firstPending() internal view returns (uint256) {
        Storage storage $ = getStorage();
        uint256 idx = $.finalizedIndex + 1;
        return idx < $.chainLength ? entry($, idx) : 0;
    }

    function lastFinalized() internal view returns (uint256) {
        Storage storage $ = getStorage();
        return entry($, $.finalizedIndex);
    }

    /// @dev Removes the last chain entry (a reorg).
    function pop(Storage storage $) internal {
        --$.chainLength;
    }

    /// @dev Makes `winner` the holder of `h`; the first time, `h` joins the chain on top of `parent`, if the chain
    ///      has room (`maxPendingHeights` bounds every loop over pending heights) and `h`'s ring slot is free.
    function setWinner(uint256 h, address winner, uint256 parent) internal {
        Storage storage $ = getStorage();
        (Record storage r, bool held) = recordOf(h);
        if (!held) {
            uint256 pending = $.chainLength - $.finalizedIndex - 1;
            uint256 maxPending = ConfigLib.hot().maxPendingHeights;
            if (pending >= maxPending) revert Errors.Rollup__PendingChainFull(pending, maxPending);
            // The slot's record must not be needed any more (requireSlotFree; the leading commit checked it before
            // the VRF proof, checked again here for any other caller). Word 1 is zero: it is cleared when a proven
            // height is finalized or reorged.
            requireSlotFree(h);
            r.status = IRollup.HeightStatus.Pending;
            r.late = false;
            r.height = uint32(h);
            r.parent = uint32(parent);
            r.winner = winner;
            uint256 len = $.chainLength;
            $.chainRing[len % CHAIN_RING] = uint64(h);
            $.chainLength = uint128(len + 1);
        } else {
            r.winner = winner;
        }
    }

    /// @dev Checks that `h` awaits a proof: decided, pending (not proven, finalized or reorged).
    function requireAwaitingProof(uint256 h) internal view returns (Record storage r) {
        bool held;
        (r, held) = recordOf(h);
        IRollup.HeightStatus st = held ? r.status : IRollup.HeightStatus.None;
        if (st == IRollup.HeightStatus.Proven || st == IRollup.HeightStatus.Finalized) revert Errors.Rollup__AlreadyProven(h);
        if (st == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(h);
        if (st != IRollup.HeightStatus.Pending || !ClockLib.decided(h)) revert Errors.Rollup__HeightNotDecided(h);
    }

    /// @dev Marks `h` (held: pending) proven by `submitter` (`late` after its proving deadline) while it waits for an
    ///      earlier height to be proven: its submitter and fees are kept until it is finalized (FinalityLib, which
    ///      finalizes a height whose parent is already final at once, without this record, and emits `ProofSubmitted`).
    function markProven(uint256 h, address submitter, uint256 fees, bool late) internal {
        Record storage r = heldRecord(h);
        (r.status, r.late) = (IRollup.HeightStatus.Proven, late);
        r.submitter = submitter;
        r.totalFees = uint96(fees); // a sum of T u32 fee fields (public input 2): far below 2^96
    }

    /// @dev Pending heights in chain order.
    function pendingHeights() internal view returns (uint64[] memory hs) {
        Storage storage $ = getStorage();
        uint256 n = $.chainLength - $.finalizedIndex - 1;
        hs = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            hs[i] = uint64(entry($, $.finalizedIndex + 1 + i));
        }
    }

    /// @dev The view of `h`'s record (`Rollup.getHeight`): zero if its slot holds another height's record.
    function viewOf(uint256 h) internal view returns (IRollup.Height memory v) {
        (Record storage r, bool held) = recordOf(h);
        if (!held) return v;
        (v.status, v.late, v.parent, v.winner, v.submitter, v.totalFees) =
            (r.status, r.late, r.parent, r.winner, r.submitter, r.totalFees);
    }
}
