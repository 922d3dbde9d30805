// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./Vm.sol";
import {RollupSetup} from "./RollupSetup.sol";
import {ProposeLib} from "../../../contracts/libraries/ProposeLib.sol";

/// @title HeightDriver: the propose / reveal / commit steps of the invariant handlers, with the real VRF
/// @dev Sequencer `i` proposes a block of its own for height `h` (remembered in `_blocks`), reveals it with a
///      length-correct signatures blob (one non-empty slot: 64 bytes) and names itself as prover. Every call is
///      tried: a step the phase or the chain refuses is simply not taken.
abstract contract HeightDriver is RollupSetup {
    struct Block {
        bool proposed;
        uint256 parent;
        uint256 newRoot;
        bytes32 salt;
        bytes pubdata;
    }

    uint256 public maxHeight;
    mapping(uint256 => mapping(uint256 => Block)) internal _blocks;

    function _proposeBlock(uint256 h, uint256 i, uint256 feeSplit, uint256 tip, uint256 share) internal {
        Block storage b = _blocks[h][i];
        if (b.proposed) return;
        b.proposed = true;
        b.parent = rollup.chainTip();
        b.newRoot = uint256(keccak256(abi.encode(h, i))) >> 8;
        b.salt = keccak256(abi.encode("salt", h, i));
        b.pubdata = _pubdata(h * 10 + i);
        if (h > maxHeight) maxHeight = h;
        bytes32 c = ProposeLib.commitment(seqs[i], h, b.parent, b.newRoot, keccak256(b.pubdata), b.salt);
        uint256[4] memory proof = _vrfProof(i, h);
        // Read before the prank: the prank applies to the next call only.
        uint256 randomness = rollup.randomnessOf(h);
        VM.prank(seqs[i]);
        try rollup.propose(h, proof, c, uint16(feeSplit), tip, uint16(share), randomness) {} catch {}
    }

    function _revealBlock(uint256 h, uint256 i) internal {
        Block storage b = _blocks[h][i];
        if (!b.proposed) return;
        VM.prank(seqs[i]);
        try rollup.reveal(h, b.parent, b.newRoot, b.pubdata, b.salt, new bytes(64)) {} catch {}
    }

    function _commitBlock(uint256 h, uint256 i) internal {
        if (!_blocks[h][i].proposed) return;
        uint256[4] memory proof = _vrfProof(i, h);
        VM.prank(seqs[i]);
        try rollup.commitProver(h, seqs[i], "", proof) {} catch {}
    }
}
