// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LedgerLib} from "./LedgerLib.sol";

/// @title TreasuryLib: where the Rollup's tokens are: the reward pool, escrow, and what was burnt
/// @notice Invariant: token.balanceOf(rollup) == totalEscrowed + totalClaimable (LedgerLib) + rewardPool. A token
///         leaves only through `claim`/`flushBurnt` (the ledger), and every credit names its rule.
/// @dev ERC-7201 slot: keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Rewards")) - 1)) & ~0xff.
library TreasuryLib {
    /// @notice Where burnt tokens go (OpenZeppelin's ERC-20 refuses address 0).
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @custom:storage-location erc7201:fernet-rollup.storage.Rewards
    struct Storage {
        /// @dev Tokens available for block, submission and aggregation rewards.
        uint256 rewardPool;
        /// @dev Tips and deposits held for live proposals (by the proving design).
        uint256 totalEscrowed;
        /// @dev Tokens burnt so far (credited to BURN_ADDRESS in the ledger, or slashed there from a stake).
        uint256 totalBurnt;
    }

    bytes32 internal constant STORAGE_SLOT = 0x24d694d5c971ef789af8f0b1e7d3a23b923fe552c1e079c17590b59a77c6e900;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Pays up to `amount` from the reward pool to `account`'s ledger; returns what was paid.
    function payFromPool(address account, uint256 amount) internal returns (uint256 paid) {
        Storage storage $ = getStorage();
        uint256 pool = $.rewardPool;
        paid = amount < pool ? amount : pool;
        $.rewardPool = pool - paid;
        LedgerLib.credit(account, paid);
    }
}
