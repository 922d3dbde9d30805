// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {Errors} from "../errors/Errors.sol";
import {ConfigLib} from "./ConfigLib.sol";
import {ClockLib} from "./ClockLib.sol";

/// @title ChainLib: the chain of heights, their records and finality
/// @notice `chain` holds the canonical heights with a winner, in order ([0] is genesis, height 0); `finalizedIndex`
///         is the index of the last finalized one. Everything after it is pending: proven or not.
/// @dev ERC-7201 slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Chain")) - 1)) & ~0xff.
library ChainLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Chain
    struct Storage {
        mapping(uint256 => IRollup.Height) heights;
        uint64[] chain;
        uint256 finalizedIndex;
    }

    bytes32 internal constant STORAGE_SLOT = 0x6d6b21020380e05f69c159815843391a30172f3f9a02ee55a9e2e5cf52b94600;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Genesis: height 0 is finalized and the chain's first entry.
    function init() internal {
        Storage storage $ = getStorage();
        $.chain.push(0);
        $.heights[0].status = IRollup.HeightStatus.Finalized;
    }

    function height(uint256 h) internal view returns (IRollup.Height storage) {
        return getStorage().heights[h];
    }

    /// @dev The last height in the chain (decided or in its commit phase).
    function last() internal view returns (uint256) {
        uint64[] storage c = getStorage().chain;
        return c[c.length - 1];
    }

    /// @dev The tip a block of `h` builds on: the last chain entry other than `h` itself.
    function tipExcluding(uint256 h) internal view returns (uint256) {
        uint64[] storage c = getStorage().chain;
        uint256 l = c[c.length - 1];
        return l == h ? c[c.length - 2] : l;
    }

    /// @dev Heights after the last finalized one.
    function pendingCount() internal view returns (uint256) {
        Storage storage $ = getStorage();
        return $.chain.length - $.finalizedIndex - 1;
    }

    /// @dev The first pending height (0 if none).
    function firstPending() internal view returns (uint256) {
        Storage storage $ = getStorage();
        uint256 idx = $.finalizedIndex + 1;
        return idx < $.chain.length ? $.chain[idx] : 0;
    }

    function lastFinalized() internal view returns (uint256) {
        Storage storage $ = getStorage();
        return $.chain[$.finalizedIndex];
    }

    /// @dev Makes `winner` the holder of `h`; the first time, `h` joins the chain on top of `parent`, if the chain
    ///      has room (`maxPendingHeights` bounds every loop over pending heights).
    function setWinner(uint256 h, address winner, uint256 parent) internal {
        Storage storage $ = getStorage();
        IRollup.Height storage ht = $.heights[h];
        if (ht.status == IRollup.HeightStatus.None) {
            uint256 pending = $.chain.length - $.finalizedIndex - 1;
            uint256 maxPending = ConfigLib.get().maxPendingHeights;
            if (pending >= maxPending) revert Errors.Rollup__PendingChainFull(pending, maxPending);
            ht.status = IRollup.HeightStatus.Pending;
            ht.parent = uint64(parent);
            $.chain.push(uint64(h));
        }
        ht.winner = winner;
    }

    /// @dev Checks that `h` awaits a proof: decided, pending (not proven, finalized or reorged).
    function requireAwaitingProof(uint256 h) internal view returns (IRollup.Height storage ht) {
        ht = getStorage().heights[h];
        IRollup.HeightStatus st = ht.status;
        if (st == IRollup.HeightStatus.Proven || st == IRollup.HeightStatus.Finalized) revert Errors.Rollup__AlreadyProven(h);
        if (st == IRollup.HeightStatus.Reorged) revert Errors.Rollup__HeightReorged(h);
        if (st != IRollup.HeightStatus.Pending || !ClockLib.decided(h)) revert Errors.Rollup__HeightNotDecided(h);
    }

    /// @dev Marks `h` proven by `submitter` (`late` after its proving deadline) while it waits for an earlier height
    ///      to be proven: its submitter and fees are kept until it is finalized (FinalityLib, which finalizes a
    ///      height whose parent is already final at once, without this record, and emits `ProofSubmitted`).
    function markProven(uint256 h, address submitter, uint256 fees, bool late) internal {
        IRollup.Height storage ht = getStorage().heights[h];
        (ht.status, ht.late) = (IRollup.HeightStatus.Proven, late);
        ht.submitter = submitter;
        ht.totalFees = uint96(fees); // a sum of T u32 fee fields (public input 2): far below 2^96
    }

    /// @dev Pending heights in chain order.
    function pendingHeights() internal view returns (uint64[] memory hs) {
        Storage storage $ = getStorage();
        uint256 n = $.chain.length - $.finalizedIndex - 1;
        hs = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            hs[i] = $.chain[$.finalizedIndex + 1 + i];
        }
    }
}
