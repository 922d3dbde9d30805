// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LedgerLib} from "../libraries/LedgerLib.sol";
import {Errors} from "../errors/Errors.sol";

/// @title PullPayments: each account's balance held by a contract: what it is owed, and what it deposited to use
/// @notice The one pull-payment ledger of the Rollup and the ProofAggregator (LedgerLib holds the books). Payments
///         are credited here and withdrawn by the account (`claim`); an account may also fund its balance
///         (`fundBalance`) so that escrow (tips, deposits) is drawn from it without a token transfer per height.
/// @dev The reentrancy guard is EIP-1153 transient storage (Cancun): no storage slot written per call.
abstract contract PullPayments is ReentrancyGuardTransient {
    /// @notice Tokens were withdrawn from `claimable`.
    event Claimed(address indexed account, uint256 amount);
    /// @notice `account` added `amount` to its balance (`claimable`).
    event BalanceFunded(address indexed account, uint256 amount);

    /// @dev The token the ledger is kept in.
    function _ledgerToken() internal view virtual returns (IERC20);

    /// @notice Withdraws everything the sender is owed.
    function claim() external nonReentrant {
        uint256 amount = LedgerLib.withdraw(_ledgerToken(), msg.sender);
        emit Claimed(msg.sender, amount);
    }

    /// @notice Adds tokens to the sender's balance here (balance delta), from which escrow is drawn before any
    ///         token transfer; `claim` withdraws whatever is left.
    /// @param amount tokens to pull from the sender
    function fundBalance(uint256 amount) external nonReentrant {
        if (amount == 0) revert Errors.PullPayments__ZeroAmount();
        uint256 received = LedgerLib.pull(_ledgerToken(), msg.sender, amount);
        LedgerLib.credit(msg.sender, received);
        emit BalanceFunded(msg.sender, received);
    }

    /// @notice Tokens owed to `account` (its balance here).
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
