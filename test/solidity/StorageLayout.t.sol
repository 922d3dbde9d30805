// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ConfigLib} from "../../contracts/libraries/ConfigLib.sol";
import {ChainLib} from "../../contracts/libraries/ChainLib.sol";
import {ProposalLib} from "../../contracts/libraries/ProposalLib.sol";
import {TreasuryLib} from "../../contracts/libraries/TreasuryLib.sol";
import {LedgerLib} from "../../contracts/libraries/LedgerLib.sol";
import {SidecarLib} from "../../contracts/coordination/SidecarLib.sol";
import {CooperativeLib} from "../../contracts/coordination/CooperativeLib.sol";
import {RandomnessLib} from "../../contracts/libraries/RandomnessLib.sol";

/// Each library's hard-coded storage slot is its ERC-7201 namespace slot (inline assembly takes only literals, so
/// the slots are written out; this test holds them to the formula and to each other: no two slices may overlap).
contract StorageLayoutTest {
    function _erc7201(string memory id) private pure returns (bytes32) {
        return keccak256(abi.encode(uint256(keccak256(bytes(id))) - 1)) & ~bytes32(uint256(0xff));
    }

    function test_namespacedSlots() public pure {
        require(ConfigLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Config"), "Config");
        require(ChainLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Chain"), "Chain");
        require(ProposalLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Proposals"), "Proposals");
        require(TreasuryLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Rewards"), "Rewards");
        require(LedgerLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Ledger"), "Ledger");
        require(SidecarLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Sidecar"), "Sidecar");
        require(CooperativeLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Cooperative"), "Cooperative");
        require(RandomnessLib.STORAGE_SLOT == _erc7201("fernet-rollup.storage.Randomness"), "Randomness");
    }
}
