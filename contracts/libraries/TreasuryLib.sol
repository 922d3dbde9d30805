// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LedgerLib} from "./LedgerLib.sol";

/// @title TreasuryLib: where the Rollup's tokens are: the reward pool, escrow, and what was burnt
/// @notice Invariant: token.balanceOf(rollup) == escrowed + totalClaimable (both LedgerLib's) + rewardPool. A token
///         leaves only through `claim`/`flushBurnt` (the ledger), and every credit names its rule.
/// @dev ERC-7201 slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Rewards")) - 1)) & ~0xff.
library TreasuryLib {
    /// @notice Where burnt tokens go (OpenZeppelin's ERC-20 refuses address 0).
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @custom:storage-location erc7201:fernet-rollup.storage.Rewards
    struct Storage {
        /// @dev Tokens available for block, submission and aggregation rewards. 2^128 base units is far above any
        ///      token supply the Rollup can hold; every addition is checked (SafeCast). (The escrow total lives in
        ///      the ledger's word, next to totalClaimable: `escrowed`.)
        uint128 rewardPool;
        /// @dev Burnt tokens that reached BURN_ADDRESS: flushed from the ledger (`flushBurnt`) or slashed there from
        ///      a stake. What the ledger still owes BURN_ADDRESS is burnt too (`totalBurnt` adds it), so a
        ///      finalization's FEE_SPLIT burn is one ledger credit and no write here.
        uint256 burntSent;
    }

    bytes32 internal constant STORAGE_SLOT = 0x24d694d5c971ef789af8f0b1e7d3a23b923fe552c1e079c17590b59a77c6e900;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Tips, deposits and bonds held for live proposals (by the proving design).
    function escrowed() internal view returns (uint256) {
        return LedgerLib.getStorage().totalEscrowed;
    }

    /// @dev Adds `amount` to the escrow total (checked: reverts rather than wrap).
    function addEscrow(uint256 amount) internal {
        LedgerLib.Storage storage l = LedgerLib.getStorage();
        l.totalEscrowed = SafeCast.toUint128(l.totalEscrowed + amount);
    }

    /// @dev Takes `amount` off the escrow total (checked: at most what is escrowed).
    function releaseEscrow(uint256 amount) internal {
        LedgerLib.Storage storage l = LedgerLib.getStorage();
        l.totalEscrowed = uint128(l.totalEscrowed - amount); // checked subtraction: fits
    }

    /// @dev Tokens burnt so far: sent to BURN_ADDRESS, or owed to it in the ledger (sent by anyone with `flushBurnt`).
    function totalBurnt() internal view returns (uint256) {
        return getStorage().burntSent + LedgerLib.getStorage().claimable[BURN_ADDRESS];
    }

    /// @dev Sends what the ledger owes BURN_ADDRESS there (it stays counted in `totalBurnt`); returns the amount.
    function flushBurnt(IERC20 token) internal returns (uint256 amount) {
        amount = LedgerLib.withdraw(token, BURN_ADDRESS);
        getStorage().burntSent += amount;
    }

    /// @dev Pays up to `amount` from the reward pool to `account`'s ledger; returns what was paid.
    function payFromPool(address account, uint256 amount) internal returns (uint256 paid) {
        Storage storage $ = getStorage();
        uint256 pool = $.rewardPool;
        paid = amount < pool ? amount : pool;
        $.rewardPool = uint128(pool - paid); // at most the pool
        LedgerLib.credit(account, paid);
    }
}
