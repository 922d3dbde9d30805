// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Errors} from "../errors/Errors.sol";

/// @title LedgerLib: the pull-payment ledger (what each account is owed), shared by Rollup and ProofAggregator
/// @dev Nothing is pushed: every payment is a credit here, withdrawn by its owner (`withdraw`), so a reverting or
///      blacklisted recipient can never block a settlement. ERC-7201 slot:
///      keccak256(abi.encode(uint256(keccak256("fernet-rollup.storage.Ledger")) - 1)) & ~0xff.
library LedgerLib {
    /// @custom:storage-location erc7201:fernet-rollup.storage.Ledger
    struct Storage {
        mapping(address => uint256) claimable;
        // One word (issue 13): an escrow drawn from a balance (`collect`, then TreasuryLib.addEscrow) moves value
        // from one total to the other, so a commit reads and writes one cold word for both, not two. 2^128 base
        // units is far above any token supply a contract can hold; every addition is checked (SafeCast).
        /// @dev Sum of `claimable`.
        uint128 totalClaimable;
        /// @dev The Rollup's tips, deposits and bonds held for live proposals (TreasuryLib's `escrowed`; always 0 in
        ///      the ProofAggregator, which escrows nothing through this ledger).
        uint128 totalEscrowed;
    }

    bytes32 internal constant STORAGE_SLOT = 0x9c5e9a8cb559a13928af2c846754f3c0b0c59ee0a92962c395897e401a518c00;

    function getStorage() internal pure returns (Storage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Owes `amount` more to `account` (no-op for 0).
    function credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        Storage storage $ = getStorage();
        $.claimable[account] += amount;
        $.totalClaimable = SafeCast.toUint128($.totalClaimable + amount);
    }

    /// @dev Owes each `amounts[i]` more to `accounts[i]`, one balance write per distinct account and one write of
    ///      the total: the same as crediting them one by one, for less gas. Zero amounts are skipped.
    function creditEach(address[5] memory accounts, uint256[5] memory amounts) internal {
        Storage storage $ = getStorage();
        uint256 total = 0;
        for (uint256 i = 0; i < 5; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            address account = accounts[i];
            for (uint256 j = i + 1; j < 5; ++j) {
                if (accounts[j] == account && amounts[j] != 0) {
                    amount += amounts[j];
                    amounts[j] = 0;
                }
            }
            $.claimable[account] += amount;
            total += amount;
        }
        if (total != 0) $.totalClaimable = SafeCast.toUint128($.totalClaimable + total);
    }

    /// @dev Pays `account` everything it is owed, in `token`; returns the amount.
    function withdraw(IERC20 token, address account) internal returns (uint256 amount) {
        Storage storage $ = getStorage();
        amount = $.claimable[account];
        if (amount == 0) revert Errors.PullPayments__NothingToClaim();
        $.claimable[account] = 0;
        $.totalClaimable = uint128($.totalClaimable - amount); // amount <= totalClaimable: checked, fits
        SafeERC20.safeTransfer(token, account, amount);
    }

    /// @dev Takes `amount` for escrow from `from`: first from its balance here (`claimable`, funded with
    ///      `fundBalance` or left by earlier credits: no token transfer, about 40k gas less per escrow), the rest
    ///      pulled with `transferFrom`. Returns what was taken (less than `amount` only with a fee-on-transfer token).
    function collect(IERC20 token, address from, uint256 amount) internal returns (uint256 received) {
        if (amount == 0) return 0;
        Storage storage $ = getStorage();
        uint256 held = $.claimable[from];
        uint256 fromBalance = held < amount ? held : amount;
        if (fromBalance != 0) {
            $.claimable[from] = held - fromBalance;
            $.totalClaimable = uint128($.totalClaimable - fromBalance); // checked, fits
        }
        received = fromBalance;
        if (fromBalance < amount) received += pull(token, from, amount - fromBalance);
    }

    /// @dev Pulls `amount` of `token` from `from` and returns what arrived (balance delta: a fee-on-transfer token
    ///      delivers less, and callers compare with what they required).
    function pull(IERC20 token, address from, uint256 amount) internal returns (uint256 received) {
        uint256 before = token.balanceOf(address(this));
        SafeERC20.safeTransferFrom(token, from, address(this), amount);
        received = token.balanceOf(address(this)) - before;
    }
}
