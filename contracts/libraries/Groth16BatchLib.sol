// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Errors} from "../errors/Errors.sol";

/// @title Groth16BatchLib
/// @notice Batched Groth16 verification on BN254 by a random linear combination, in ONE pairing-precompile call of
///         n + 3 pairs, plus the plain single-proof check with the same verification key.
/// @dev Why hand-rolled assembly: no maintained Solidity/npm library verifies a batch of Groth16 proofs; the
///      snarkjs verifier handles one proof with a fixed key. The math and the gas numbers are in
///      docs/batch-verification.md.
///
///      Batch check, with coefficients r_i from a Fiat-Shamir hash of the key id, every proof and every input:
///        prod_i e(-r_i A_i, B_i) * e(s alpha, beta) * e(vk_x, gamma) * e(sum_i r_i C_i, delta) == 1
///      where s = sum_i r_i and vk_x = s IC_0 + sum_j (sum_i r_i x_ij) IC_j (one MSM of nPub + 1 points, however
///      many proofs). r_0 = 1 (saves two scalar multiplications); r_i (i > 0) are 128-bit: an invalid proof
///      survives with probability <= 2^-128 per try, and the precompile charges the same for any scalar.
///
///      Result policy: anything wrong with the CONTENT of a proof or its public inputs (coordinate >= p, G1 point
///      not on the curve or at infinity, bad G2 point, input >= r) makes the check return false, never revert,
///      so that a posted invalid proof can be shown invalid on chain (curve membership of G1 and G2 points is
///      checked by the precompiles themselves; their failure becomes false). SHAPE errors (empty batch, input count,
///      malformed key) revert with custom errors. Every precompile call gets exactly its EIP-1108 price and the
///      caller must have enough gas for it (else `Groth16BatchLib__InsufficientGas`): a too-low gas limit can therefore never turn
///      a valid proof into "invalid" (which would slash an honest prover), and a bad G2 point burns only the
///      pairing price, not 63/64 of the transaction's gas.
library Groth16BatchLib {
    /// @notice A Groth16 verification key. G2 points as the precompile expects them: [x.c1, x.c0, y.c1, y.c0].
    /// @dev `ic` is flat: [IC_0.x, IC_0.y, IC_1.x, IC_1.y, ...], length 2 * (nPub + 1).
    struct VerifyingKey {
        uint256[2] alpha;
        uint256[4] beta;
        uint256[4] gamma;
        uint256[4] delta;
        uint256[] ic;
    }


    /// @notice BN254 base field modulus p (coordinates must be < p).
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @notice BN254 scalar field modulus r (public inputs must be < r).
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Domain tag of the Fiat-Shamir seed: keccak256("fernet-rollup/groth16-batch/v1").
    bytes32 internal constant BATCH_DOMAIN = 0x1754be2487a826d69ad2d907134a805739308c3841026ed7e1c4833dbe167c0d;

    // EIP-1108 precompile prices; each call is given exactly this much gas (see the contract NatSpec).
    uint256 private constant EC_ADD_GAS = 150;
    uint256 private constant EC_MUL_GAS = 6000;
    uint256 private constant PAIRING_BASE_GAS = 45000;
    uint256 private constant PAIRING_PAIR_GAS = 34000;

    /// @notice Identifier of a verification key: keccak256 of its words in the order alpha, beta, gamma, delta, ic.
    /// @param vk The verification key.
    /// @return id The key id (the generated BlockVk libraries carry it as VK_ID).
    function vkId(VerifyingKey memory vk) internal pure returns (bytes32 id) {
        // Same bytes as keccak256(abi.encodePacked(vk.alpha, vk.beta, vk.gamma, vk.delta, vk.ic)), copied by hand
        // into scratch memory (Solidity's packed encoding of the struct costs about 3k gas more).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let a := mload(vk)
            mstore(ptr, mload(a))
            mstore(add(ptr, 0x20), mload(add(a, 0x20)))
            for { let k := 1 } lt(k, 4) { k := add(k, 1) } {
                let g := mload(add(vk, shl(5, k)))
                let d := add(ptr, add(0x40, shl(7, sub(k, 1))))
                mstore(d, mload(g))
                mstore(add(d, 0x20), mload(add(g, 0x20)))
                mstore(add(d, 0x40), mload(add(g, 0x40)))
                mstore(add(d, 0x60), mload(add(g, 0x60)))
            }
            let ic := mload(add(vk, 0x80))
            let len := shl(5, mload(ic))
            mcopy(add(ptr, 0x1c0), add(ic, 0x20), len)
            id := keccak256(ptr, add(0x1c0, len))
        }
    }

    /// @notice Number of public inputs the key expects; reverts `BadVerifyingKey` on a malformed IC array.
    /// @param vk The verification key.
    /// @return nPub The number of public inputs per proof.
    function publicInputCount(VerifyingKey memory vk) internal pure returns (uint256 nPub) {
        uint256 len = vk.ic.length;
        if (len < 2 || len % 2 != 0) revert Errors.Groth16BatchLib__BadVerifyingKey(len);
        nPub = len / 2 - 1;
    }

    /// @notice Fiat-Shamir seed of a batch: keccak256(abi.encode(BATCH_DOMAIN, vkId, n, keccak256(proofs),
    ///         keccak256(publicInputs))), the proofs and inputs hashed as packed uint256 words.
    /// @dev The coefficients must be fixed by everything the aggregator controls, else it could pick them to
    ///      cancel an invalid proof's error term. The TypeScript twin is src/zk/batchVerify.ts `batchSeed`.
    /// @param id The key id (`vkId`).
    /// @param proofs The proofs, `uint256[8]` each.
    /// @param publicInputs All public inputs, row-major.
    /// @return seed The seed.
    function batchSeed(bytes32 id, uint256[8][] calldata proofs, uint256[] memory publicInputs)
        internal
        pure
        returns (bytes32 seed)
    {
        bytes32 proofsHash;
        bytes32 inputsHash;
        assembly ("memory-safe") {
            // Scratch copy past the free pointer, never reserved: only hashed here.
            let ptr := mload(0x40)
            let len := shl(8, proofs.length)
            calldatacopy(ptr, proofs.offset, len)
            proofsHash := keccak256(ptr, len)
            inputsHash := keccak256(add(publicInputs, 0x20), shl(5, mload(publicInputs)))
        }
        seed = keccak256(abi.encode(BATCH_DOMAIN, id, proofs.length, proofsHash, inputsHash));
    }

    /// @notice Coefficient r_i of proof i: 1 for i = 0, else the low 128 bits of keccak256(abi.encode(seed, i)).
    /// @param seed The batch seed (`batchSeed`).
    /// @param i The proof's index in the batch.
    /// @return The coefficient.
    function batchCoefficient(bytes32 seed, uint256 i) internal pure returns (uint256) {
        if (i == 0) return 1;
        return uint256(keccak256(abi.encode(seed, i))) & type(uint128).max;
    }

    /// @notice Verifies many Groth16 proofs for one key in one pairing check (random linear combination).
    /// @param vk The verification key.
    /// @param proofs The proofs, each [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    /// @param publicInputs The public inputs of all proofs, row-major (length proofs.length * nPub).
    /// @return True iff every proof is valid (up to probability 2^-128 of a false accept per try).
    function verifyBatch(VerifyingKey memory vk, uint256[8][] calldata proofs, uint256[] memory publicInputs)
        internal
        view
        returns (bool)
    {
        uint256 n = proofs.length;
        if (n == 0) revert Errors.Groth16BatchLib__EmptyBatch();
        uint256 nPub = publicInputCount(vk);
        if (publicInputs.length != n * nPub) revert Errors.Groth16BatchLib__PublicInputsLengthMismatch(n * nPub, publicInputs.length);
        bytes32 seed = n == 1 ? bytes32(0) : batchSeed(vkId(vk), proofs, publicInputs);
        uint256 offset;
        assembly {
            offset := proofs.offset
        }
        return _check(vk, offset, n, nPub, publicInputs, seed);
    }

    /// @notice Verifies one Groth16 proof (the plain check; used to show a single posted proof invalid).
    /// @param vk The verification key.
    /// @param proof The proof, [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    /// @param publicInputs Its public inputs (length nPub).
    /// @return True iff the proof is valid.
    function verifySingle(VerifyingKey memory vk, uint256[8] calldata proof, uint256[] memory publicInputs)
        internal
        view
        returns (bool)
    {
        uint256 nPub = publicInputCount(vk);
        if (publicInputs.length != nPub) revert Errors.Groth16BatchLib__PublicInputsLengthMismatch(nPub, publicInputs.length);
        uint256 offset;
        assembly {
            offset := proof
        }
        // One proof with r_0 = 1 is exactly the Groth16 equation; the seed is never used.
        return _check(vk, offset, 1, nPub, publicInputs, bytes32(0));
    }

    /// @dev The shared check over n proofs laid out contiguously in calldata at `offset` (256 bytes each).
    ///      Memory past the free pointer is used as scratch and never reserved (nothing outlives the call):
    ///        base + 0x00: accumulator G1 (sum r_i C_i, later vk_x)     base + 0x40: ecMul input (x, y, k)
    ///        base + 0xa0: keccak input (seed, i)                       base + 0xe0: nPub input accumulators
    ///        then the pairing input, (n + 3) pairs of 192 bytes.
    function _check(
        VerifyingKey memory vk,
        uint256 offset,
        uint256 n,
        uint256 nPub,
        uint256[] memory publicInputs,
        bytes32 seed
    ) private view returns (bool ok) {
        assembly ("memory-safe") {
            // Called only after a precompile call failed. Each call is given exactly its price `cost`; if the
            // caller could not afford that (EIP-150 keeps 1/64 back), at most cost/63 gas is left now, while a
            // real invalid-input failure leaves more. Starvation must revert, never read as "invalid".
            function starved(cost) {
                if lt(gas(), add(div(cost, 63), 1)) {
                    mstore(0, shl(224, 0x9c306a78)) // Errors.Groth16BatchLib__InsufficientGas()
                    revert(0, 4)
                }
            }
            // Copies a G2 point (4 words) of the key into a pair.
            function copyG2(dst, g2) {
                mstore(add(dst, 0x40), mload(g2))
                mstore(add(dst, 0x60), mload(add(g2, 0x20)))
                mstore(add(dst, 0x80), mload(add(g2, 0x40)))
                mstore(add(dst, 0xa0), mload(add(g2, 0x60)))
            }

            let base := mload(0x40)
            let pb := add(add(base, 0xe0), shl(5, nPub))
            for { let j := 0 } lt(j, nPub) { j := add(j, 1) } { mstore(add(base, add(0xe0, shl(5, j))), 0) }
            mstore(add(base, 0xa0), seed)
            ok := 1
            let s := 0
            let inBad := 0
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let src := add(offset, shl(8, i))
                let dst := add(pb, mul(i, 192))
                // B goes straight into the pair; the precompile checks curve and subgroup, we check range and
                // refuse infinity (a real proof never has it).
                calldatacopy(add(dst, 0x40), add(src, 0x40), 0x80)
                {
                    let b0 := mload(add(dst, 0x40))
                    let b1 := mload(add(dst, 0x60))
                    let b2 := mload(add(dst, 0x80))
                    let b3 := mload(add(dst, 0xa0))
                    if iszero(
                        and(and(and(lt(b0, P), lt(b1, P)), and(lt(b2, P), lt(b3, P))), iszero(iszero(or(or(b0, b1), or(b2, b3)))))
                    ) {
                        ok := 0
                        break
                    }
                }
                let r := 1
                if i {
                    mstore(add(base, 0xc0), i)
                    r := and(keccak256(add(base, 0xa0), 0x40), 0xffffffffffffffffffffffffffffffff)
                }
                s := add(s, r)
                // A and C need no explicit curve check: every G1 point goes through a precompile (ecMul, ecAdd or
                // the pairing) that fails on a coordinate >= p or a point off y^2 = x^3 + 3 (EIP-196/197), and a
                // failure is a clean false. -A is (x, P - y): y >= P wraps around to an invalid coordinate, and A at
                // infinity (0, 0) becomes (0, P), also invalid. C at infinity passes the precompiles, so it is
                // refused here (a real proof never has it). This saves two explicit checks per proof.
                mstore(add(base, 0x40), calldataload(src))
                mstore(add(base, 0x60), sub(P, calldataload(add(src, 0x20))))
                let x := calldataload(add(src, 0xc0))
                let y := calldataload(add(src, 0xe0))
                if iszero(or(x, y)) {
                    ok := 0
                    break
                }
                switch i
                case 0 {
                    mstore(dst, mload(add(base, 0x40)))
                    mstore(add(dst, 0x20), mload(add(base, 0x60)))
                    mstore(base, x)
                    mstore(add(base, 0x20), y)
                }
                default {
                    mstore(add(base, 0x80), r)
                    if iszero(staticcall(EC_MUL_GAS, 7, add(base, 0x40), 0x60, dst, 0x40)) {
                        starved(EC_MUL_GAS)
                        ok := 0
                        break
                    }
                    // sum r_i C_i accumulates in base[0..0x40).
                    mstore(add(base, 0x40), x)
                    mstore(add(base, 0x60), y)
                    if iszero(staticcall(EC_MUL_GAS, 7, add(base, 0x40), 0x60, add(base, 0x40), 0x40)) {
                        starved(EC_MUL_GAS)
                        ok := 0
                        break
                    }
                    if iszero(staticcall(EC_ADD_GAS, 6, base, 0x80, base, 0x40)) {
                        starved(EC_ADD_GAS)
                        ok := 0
                        break
                    }
                }
                // acc_j += r_i x_ij (mod R); an input >= R is remembered and rejects the batch after the loop.
                let inPtr := add(add(publicInputs, 0x20), shl(5, mul(i, nPub)))
                for { let j := 0 } lt(j, nPub) { j := add(j, 1) } {
                    let v := mload(add(inPtr, shl(5, j)))
                    inBad := or(inBad, iszero(lt(v, R)))
                    let a := add(base, add(0xe0, shl(5, j)))
                    mstore(a, addmod(mload(a), mulmod(r, v, R), R))
                }
            }
            if inBad { ok := 0 }
            if ok {
                // Pair n + 2: (sum r_i C_i, delta).
                let dst := add(pb, mul(add(n, 2), 192))
                mstore(dst, mload(base))
                mstore(add(dst, 0x20), mload(add(base, 0x20)))
                copyG2(dst, mload(add(vk, 0x60)))
                // Pair n: (s alpha, beta); s = 1 (one proof) needs no multiplication.
                dst := add(pb, mul(n, 192))
                let g1 := mload(vk)
                switch eq(s, 1)
                case 1 {
                    mstore(dst, mload(g1))
                    mstore(add(dst, 0x20), mload(add(g1, 0x20)))
                }
                default {
                    mstore(add(base, 0x40), mload(g1))
                    mstore(add(base, 0x60), mload(add(g1, 0x20)))
                    mstore(add(base, 0x80), s)
                    if iszero(staticcall(EC_MUL_GAS, 7, add(base, 0x40), 0x60, dst, 0x40)) {
                        starved(EC_MUL_GAS)
                        ok := 0
                    }
                }
                copyG2(dst, mload(add(vk, 0x20)))
                // Pair n + 1: (vk_x, gamma), vk_x = s IC_0 + sum_j acc_j IC_j.
                let ic := add(mload(add(vk, 0x80)), 0x20)
                switch eq(s, 1)
                case 1 {
                    mstore(base, mload(ic))
                    mstore(add(base, 0x20), mload(add(ic, 0x20)))
                }
                default {
                    mstore(add(base, 0x40), mload(ic))
                    mstore(add(base, 0x60), mload(add(ic, 0x20)))
                    mstore(add(base, 0x80), s)
                    if iszero(staticcall(EC_MUL_GAS, 7, add(base, 0x40), 0x60, base, 0x40)) {
                        starved(EC_MUL_GAS)
                        ok := 0
                    }
                }
                for { let j := 0 } lt(j, nPub) { j := add(j, 1) } {
                    let pt := add(ic, shl(6, add(j, 1)))
                    mstore(add(base, 0x40), mload(pt))
                    mstore(add(base, 0x60), mload(add(pt, 0x20)))
                    mstore(add(base, 0x80), mload(add(base, add(0xe0, shl(5, j)))))
                    if iszero(staticcall(EC_MUL_GAS, 7, add(base, 0x40), 0x60, add(base, 0x40), 0x40)) {
                        starved(EC_MUL_GAS)
                        ok := 0
                    }
                    if iszero(staticcall(EC_ADD_GAS, 6, base, 0x80, base, 0x40)) {
                        starved(EC_ADD_GAS)
                        ok := 0
                    }
                }
                dst := add(dst, 192)
                mstore(dst, mload(base))
                mstore(add(dst, 0x20), mload(add(base, 0x20)))
                copyG2(dst, mload(add(vk, 0x40)))
                // The one pairing check; a failed call (bad G2 point) is a clean false.
                if ok {
                    let pairs := add(n, 3)
                    let cost := add(PAIRING_BASE_GAS, mul(PAIRING_PAIR_GAS, pairs))
                    // Two statements: Yul evaluates arguments right to left, so the result is read after the call.
                    ok := staticcall(cost, 8, pb, mul(pairs, 192), base, 0x20)
                    if iszero(ok) { starved(cost) }
                    ok := and(ok, eq(mload(base), 1))
                }
            }
        }
    }
}
