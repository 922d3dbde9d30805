// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockFeeOnTransferToken: burns `feeBps` of every transfer (unit tests of balance-delta accounting)
contract MockFeeOnTransferToken is ERC20 {
    /// @notice The fee in basis points taken from every transfer between non-zero accounts.
    uint256 public immutable feeBps;

    /// @param feeBps_ transfer fee in basis points
    constructor(uint256 feeBps_) ERC20("Fee Token", "FEE") {
        feeBps = feeBps_;
    }

    /// @notice Mints freely (test token).
    /// @param to recipient
    /// @param amount amount
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = (value * feeBps) / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}
