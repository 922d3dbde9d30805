// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IStaking: what the Rollup needs from the Staking contract
interface IStaking {
    /// @notice Roles a staker can take. One role per account.
    enum Role {
        None,
        Sequencer,
        Prover
    }

    /// @notice The staking token (also the protocol token for tips, deposits and rewards).
    function token() external view returns (IERC20);

    /// @notice True iff `account` is a sequencer with at least the minimum stake, a VRF key, and no pending exit.
    function isActiveSequencer(address account) external view returns (bool);

    /// @notice The L1 block since which `account` is active in `role` (stake at the minimum, a VRF key, no pending
    ///         exit) with its current VRF key; type(uint256).max if it is not active in that role.
    function activeSince(address account, Role role) external view returns (uint256);

    /// @notice The registered VRF public key of `account` ([x.c1, x.c0, y.c1, y.c0]; zeros if none).
    function vrfKeyOf(address account) external view returns (uint256[4] memory);

    /// @notice The G1 twin of `account`'s registered VRF key (sk * G1gen, [x, y]; zeros if none), checked at
    ///         registration against the G2 key: the leading commit's cheap VRF check (`VrfLib.verifyDleq`) uses it.
    function vrfG1KeyOf(address account) external view returns (uint256[2] memory);

    /// @notice keccak256 of the VRF key `account` had in force at `l1Block` (registered before it): the current key,
    ///         or the one it replaced; 0 if unknown.
    function keyHashAt(address account, uint256 l1Block) external view returns (bytes32);

    /// @notice The stake of `account` (0 if none).
    function stakeOf(address account) external view returns (uint256);

    /// @notice Slashes `amount` of `account`'s stake and sends it to `recipient`. Only the rollup.
    function slash(address account, uint256 amount, address recipient) external;
}
