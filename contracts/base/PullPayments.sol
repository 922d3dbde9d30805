// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {LedgerLib} from "../libraries/LedgerLib.sol";

/// @title PullPayments: what a contract owes each account, withdrawn by the account (`claim`)
/// @notice The one pull-payment ledger of the Rollup and the ProofAggregator (LedgerLib holds the books).
abstract contract PullPayments is ReentrancyGuard {
    /// @notice Tokens were withdrawn from `claimable`.
    event Claimed(address indexed account, uint256 amount);

    /// @dev The token the ledger is kept in.
    function _ledgerToken() internal view virtual returns (IERC20);

    /// @notice Withdraws everything the sender is owed.
    function claim() external nonReentrant {
        uint256 amount = LedgerLib.withdraw(_ledgerToken(), msg.sender);
        emit Claimed(msg.sender, amount);
    }

    /// @notice Tokens owed to `account`.
    /// @param account the account
    /// @return the amount
    function claimable(address account) external view returns (uint256) {
        return LedgerLib.getStorage().claimable[account];
    }

    /// @notice Sum of `claimable` over all accounts.
    /// @return the amount
    function totalClaimable() external view returns (uint256) {
        return LedgerLib.getStorage().totalClaimable;
    }
}
