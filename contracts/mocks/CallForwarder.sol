// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CallForwarder: a minimal contract wallet (unit tests only)
/// @notice Forwards its owner's calls, so that a test can act as a sequencer whose transactions call the Rollup
///         through a contract (a multisig, a smart account): the Rollup then logs the data a reader could otherwise
///         only find in the node's call trace (`ProposedData`, `RevealedData`).
contract CallForwarder {
    /// @notice The account allowed to forward.
    address public immutable owner;

    error CallForwarder__NotOwner(address caller);

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `target` with `data` as this contract; bubbles a revert up unchanged.
    /// @param target the contract called
    /// @param data the calldata
    /// @return ret the call's return data
    function forward(address target, bytes calldata data) external returns (bytes memory ret) {
        if (msg.sender != owner) revert CallForwarder__NotOwner(msg.sender);
        bool ok;
        (ok, ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
