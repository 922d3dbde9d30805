// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title DevToken: the protocol's ERC-20 on local networks (stakes, tips, deposits, rewards)
/// @notice Mintable by its owner. For devnets and tests only; a real deployment points at a real token.
contract DevToken is ERC20, Ownable {
    /// @param name_ token name
    /// @param symbol_ token symbol
    /// @param owner_ the account allowed to mint
    constructor(string memory name_, string memory symbol_, address owner_) ERC20(name_, symbol_) Ownable(owner_) {}

    /// @notice Mints `amount` to `to`. Only the owner.
    /// @param to recipient
    /// @param amount amount in token units (18 decimals)
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
