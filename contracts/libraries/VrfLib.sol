// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Errors} from "../errors/Errors.sol";

/// @title VrfLib: a VRF from BLS signatures on BN254, with a DLEQ proof for the cheap check
/// @notice Gamma = sk * H(message) in G1 (a BLS signature), public key pk = sk * G2gen in G2 and its twin
///         pkG1 = sk * G1gen, output = keccak256(Gamma). A BLS signature is unique per (key, message), so the
///         output is too. A proof is [Gamma.x, Gamma.y, c, s]: (c, s) is a Chaum-Pedersen proof that
///         log_G1gen(pkG1) = log_H(Gamma), checked with four scalar multiplications (`verifyDleq`, about 30k gas,
///         the leading commit's check) instead of a pairing (113k). The pairing (`verify`) judges Gamma alone, so a
///         challenger cannot make an honest claim look false by sending a bad (c, s); Staking checks once, at key
///         registration, that pkG1 and pk share their secret (`verifyKeyPair`), so both checks accept the same Gamma.
/// @dev Hand-rolled on purpose: there is no maintained npm Solidity library for BLS on BN254 available to this
///      project. The TypeScript twin is `src/vrf/index.ts`; `test/vrf/vectors.json` holds the two together.
///      Encodings: pk = [x.c1, x.c0, y.c1, y.c0] (imaginary part first, as the precompile wants), G1 points [x, y].
///      Hash to G1 is try-and-increment (see `hashToG1`), NOT RFC 9380; messages are public so its variable
///      running time leaks nothing. See docs/vrf.md.
library VrfLib {
    /// @dev BN254 base field modulus.
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// @dev (P + 1) / 4: since P = 3 mod 4, a^((P+1)/4) is a square root of a when a is a square.
    uint256 internal constant SQRT_EXP = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;
    /// @dev Low 254 bits of a hash word give the x candidate (P < 2^254, so rejection keeps x uniform).
    uint256 internal constant X_MASK = (1 << 254) - 1;

    /// @dev The G2 generator (EIP-197), imaginary part first.
    uint256 internal constant G2_X1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 internal constant G2_X0 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 internal constant G2_Y1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 internal constant G2_Y0 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;

    /// @dev Each try succeeds with probability about 3/4 * 1/2; 256 tries all fail with probability < 2^-170.
    uint256 internal constant MAX_TRIES = 256;
    /// @dev Exact EIP-1108 price of a 2-pair pairing check. A failing precompile burns all gas it was given, so it
    ///      gets only what it needs: bad input then costs this much instead of 63/64 of the caller's gas.
    uint256 internal constant PAIRING_2_GAS = 45_000 + 2 * 34_000;

    /// @dev BN254 group order r (the scalar field).
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// @dev Exact EIP-1108 prices of ecMul (0x07) and ecAdd (0x06): a failing precompile burns what it was given.
    uint256 internal constant ECMUL_GAS = 6_000;
    uint256 internal constant ECADD_GAS = 150;

    /// @dev Domain tags: a VRF proof can never double as a proof of possession, and vice versa.
    string internal constant VRF_DOMAIN = "fernet-rollup/vrf";
    string internal constant POP_DOMAIN = "fernet-rollup/pop";


    /// @notice Checks a VRF proof for (randomness, height) under `pk`, bound to this chain and the calling contract.
    /// @dev message = abi.encode("fernet-rollup/vrf", block.chainid, address(this), randomness, height).
    ///      `address(this)` is the contract using the library (internal functions run in its context).
    /// @param pk public key in G2, [x.c1, x.c0, y.c1, y.c0]
    /// @param randomness the L1 randomness the lottery uses for this height
    /// @param height the L2 block height
    /// @param proof [Gamma.x, Gamma.y, c, s]; only Gamma is judged here (the pairing needs no (c, s))
    /// @return true iff Gamma = sk * H(message) for pk = sk * G2gen; false (never a revert) on malformed input
    function verify(uint256[4] memory pk, uint256 randomness, uint256 height, uint256[4] memory proof)
        internal
        view
        returns (bool)
    {
        return verifySignature(pk, vrfMessage(randomness, height), [proof[0], proof[1]]);
    }

    /// @notice Checks a VRF proof for (randomness, height) under `pkG1` by its DLEQ part: Gamma is on G1, c and s are
    ///         below r, and c = keccak256(pkG1, H, Gamma, s * G1gen - c * pkG1, s * H - c * Gamma) mod r.
    /// @dev Sound only for a pkG1 that `verifyKeyPair` tied to a G2 key (Staking does at registration): then it
    ///      accepts exactly the Gamma that `verify` accepts. Costs four ecMul (24k) plus the hash to G1.
    /// @param pkG1 the key's G1 twin sk * G1gen, [x, y]
    /// @param randomness the L1 randomness the lottery uses for this height
    /// @param height the L2 block height
    /// @param proof [Gamma.x, Gamma.y, c, s]
    /// @return true iff the DLEQ proof holds; false (never a revert) on malformed input
    function verifyDleq(uint256[2] memory pkG1, uint256 randomness, uint256 height, uint256[4] memory proof)
        internal
        view
        returns (bool)
    {
        uint256 c = proof[2];
        uint256 s = proof[3];
        uint256[2] memory gamma = [proof[0], proof[1]];
        if (c >= R || s >= R) return false;
        if (!isOnG1(gamma) || !isOnG1(pkG1)) return false;
        uint256[2] memory h;
        bool found;
        (h[0], h[1], found) = tryHashToG1(vrfMessage(randomness, height));
        if (!found) return false;
        // -c mod r is R - c (c = 0 gives r, whose multiple is the identity: still correct).
        (bool ok1, uint256[2] memory u) = _linearCombination([uint256(1), 2], s, pkG1, R - c);
        (bool ok2, uint256[2] memory v) = _linearCombination(h, s, gamma, R - c);
        return ok1 && ok2 && c == dleqChallenge(pkG1, h, gamma, u, v);
    }

    /// @notice The DLEQ challenge: uint256(keccak256(abi.encodePacked(pkG1, H, Gamma, U, V))) mod r.
    /// @dev H is bound to the chain, the contract, the randomness and the height through the hashed message.
    function dleqChallenge(
        uint256[2] memory pkG1,
        uint256[2] memory h,
        uint256[2] memory gamma,
        uint256[2] memory u,
        uint256[2] memory v
    ) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(pkG1, h, gamma, u, v))) % R;
    }

    /// @notice Checks that pkG1 (in G1) and pk (in G2) share their secret: e(pkG1, G2gen) == e(G1gen, pk).
    /// @param pk public key in G2, [x.c1, x.c0, y.c1, y.c0]
    /// @param pkG1 its claimed G1 twin, [x, y]
    /// @return true iff pkG1 = sk * G1gen for pk = sk * G2gen; false (never a revert) on malformed input
    function verifyKeyPair(uint256[4] memory pk, uint256[2] memory pkG1) internal view returns (bool) {
        if (!isOnG1(pkG1) || !_isG2KeyEncoding(pk)) return false;
        return _pairsWithG2Gen(pkG1, 1, 2, pk); // e(pkG1, G2gen) == e(G1gen, pk)
    }

    /// @notice The VRF output of a proof: uint256(keccak256(abi.encodePacked(Gamma.x, Gamma.y))).
    /// @dev Only meaningful for a proof that `verify` or `verifyDleq` accepted.
    /// @param proof [Gamma.x, Gamma.y, c, s]
    /// @return the output as an integer
    function output(uint256[4] memory proof) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(proof[0], proof[1])));
    }

    /// @dev a * A + b * B on G1 with the ecMul and ecAdd precompiles, each given exactly its price.
    function _linearCombination(uint256[2] memory pa, uint256 a, uint256[2] memory pb, uint256 b)
        private
        view
        returns (bool ok, uint256[2] memory out)
    {
        uint256 ax = pa[0];
        uint256 ay = pa[1];
        uint256 bx = pb[0];
        uint256 by = pb[1];
        uint256 x;
        uint256 y;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, ax)
            mstore(add(m, 0x20), ay)
            mstore(add(m, 0x40), a)
            ok := staticcall(ECMUL_GAS, 0x07, m, 0x60, m, 0x40) // m[0..64) = a * A
            mstore(add(m, 0x40), bx)
            mstore(add(m, 0x60), by)
            mstore(add(m, 0x80), b)
            ok := and(ok, staticcall(ECMUL_GAS, 0x07, add(m, 0x40), 0x60, add(m, 0x40), 0x40)) // m[64..128) = b * B
            ok := and(ok, staticcall(ECADD_GAS, 0x06, m, 0x80, m, 0x40))
            x := mload(m)
            y := mload(add(m, 0x20))
        }
        out = [x, y];
    }

    /// @notice Checks a proof of possession: a BLS signature by pk over ("fernet-rollup/pop", chainid, this, owner).
    /// @dev Binding `owner` stops someone registering a key they do not control or copying another staker's key.
    /// @param pk public key in G2, [x.c1, x.c0, y.c1, y.c0]
    /// @param owner the account the key is registered for
    /// @param pop the signature in G1, [x, y]
    /// @return true iff the signature is valid; false (never a revert) on malformed input
    function verifyPossession(uint256[4] memory pk, address owner, uint256[2] memory pop)
        internal
        view
        returns (bool)
    {
        return verifySignature(pk, popMessage(owner), pop);
    }

    /// @notice The message a VRF proof signs.
    /// @param randomness the L1 randomness for this height
    /// @param height the L2 block height
    /// @return abi.encode("fernet-rollup/vrf", block.chainid, address(this), randomness, height)
    function vrfMessage(uint256 randomness, uint256 height) internal view returns (bytes memory) {
        return abi.encode(VRF_DOMAIN, block.chainid, address(this), randomness, height);
    }

    /// @notice The message a proof of possession signs.
    /// @param owner the account the key is registered for
    /// @return abi.encode("fernet-rollup/pop", block.chainid, address(this), owner)
    function popMessage(address owner) internal view returns (bytes memory) {
        return abi.encode(POP_DOMAIN, block.chainid, address(this), owner);
    }

    /// @notice Checks a BLS signature: e(sig, G2gen) == e(H(message), pk), as one 2-pair pairing call.
    /// @dev Rejects: coordinates >= P, sig at infinity or off the curve, the identity pk. pk off the twist or
    ///      outside the order-r subgroup makes the precompile fail, which is reported as false.
    /// @param pk public key in G2, [x.c1, x.c0, y.c1, y.c0]
    /// @param message the signed bytes (hashed to G1 here)
    /// @param sig the signature in G1, [x, y]
    /// @return true iff the signature is valid
    function verifySignature(uint256[4] memory pk, bytes memory message, uint256[2] memory sig)
        internal
        view
        returns (bool)
    {
        if (!isOnG1(sig) || !_isG2KeyEncoding(pk)) return false;
        (uint256 hx, uint256 hy, bool found) = tryHashToG1(message);
        if (!found) return false;
        return _pairsWithG2Gen(sig, hx, hy, pk); // e(sig, G2gen) == e(H(m), pk)
    }

    /// @dev Coordinates below P and not the identity: the identity pk would make e(., pk) 1 for every message.
    ///      (Off the twist or outside G2, the pairing precompile fails, which the callers report as false.)
    function _isG2KeyEncoding(uint256[4] memory pk) private pure returns (bool) {
        if (pk[0] >= P || pk[1] >= P || pk[2] >= P || pk[3] >= P) return false;
        return (pk[0] | pk[1] | pk[2] | pk[3]) != 0;
    }

    /// @dev e(a, G2gen) == e((bx, by), pk), asked as e(a, G2gen) * e(-(bx, by), pk) == 1 in one 2-pair precompile
    ///      call given exactly its price. by != 0 (G1 has odd order, so no finite point has y = 0).
    function _pairsWithG2Gen(uint256[2] memory a, uint256 bx, uint256 by, uint256[4] memory pk)
        private
        view
        returns (bool)
    {
        uint256[12] memory input = [a[0], a[1], G2_X1, G2_X0, G2_Y1, G2_Y0, bx, P - by, pk[0], pk[1], pk[2], pk[3]];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(PAIRING_2_GAS, 0x08, input, 384, out, 32)
        }
        return ok && out[0] == 1;
    }

    /// @notice Whether p is a finite point of G1 (on y^2 = x^3 + 3 with coordinates < P; G1 has cofactor 1).
    /// @param p the point [x, y]
    /// @return true iff p is a valid non-identity G1 point
    function isOnG1(uint256[2] memory p) internal pure returns (bool) {
        uint256 x = p[0];
        uint256 y = p[1];
        if (x >= P || y >= P) return false;
        if ((x | y) == 0) return false; // the precompile's encoding of infinity
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    /// @notice Hashes bytes to a G1 point by try-and-increment. Reverts in the (< 2^-100) case of no point found.
    /// @dev h0 = keccak256(message); for i = 0, 1, ...: w = keccak256(abi.encodePacked(h0, uint256(i)));
    ///      x = w & (2^254 - 1), skipped if x >= P; skipped unless x^3 + 3 is a square; y = sqrt(x^3 + 3), negated if
    ///      needed so that y's parity equals bit 255 of w. The TypeScript twin is `hashToG1` in src/vrf/index.ts.
    /// @param message the bytes to hash
    /// @return x the x coordinate
    /// @return y the y coordinate
    function hashToG1(bytes memory message) internal view returns (uint256 x, uint256 y) {
        bool found;
        (x, y, found) = tryHashToG1(message);
        if (!found) revert Errors.VrfLib__HashToCurveFailed();
    }

    /// @notice `hashToG1` that reports failure instead of reverting (so verification can return false).
    /// @param message the bytes to hash
    /// @return x the x coordinate (0 if not found)
    /// @return y the y coordinate (0 if not found)
    /// @return found whether a point was found within MAX_TRIES tries
    function tryHashToG1(bytes memory message) internal view returns (uint256 x, uint256 y, bool found) {
        bytes32 h0 = keccak256(message);
        for (uint256 i = 0; i < MAX_TRIES; ++i) {
            uint256 w = uint256(keccak256(abi.encodePacked(h0, i)));
            x = w & X_MASK;
            if (x >= P) continue;
            uint256 rhs = addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
            y = _sqrtCandidate(rhs);
            if (mulmod(y, y, P) != rhs) continue;
            if ((y & 1) != (w >> 255)) y = P - y;
            return (x, y, true);
        }
        return (0, 0, false);
    }

    /// @dev a^((P+1)/4) mod P via the modexp precompile (0x05); a square root of a iff a is a square.
    function _sqrtCandidate(uint256 a) private view returns (uint256 r) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 32) // base length
            mstore(add(m, 0x20), 32) // exponent length
            mstore(add(m, 0x40), 32) // modulus length
            mstore(add(m, 0x60), a)
            mstore(add(m, 0x80), SQRT_EXP)
            mstore(add(m, 0xa0), P)
            ok := staticcall(gas(), 0x05, m, 0xc0, m, 0x20)
            r := mload(m)
        }
        // Only out-of-gas can make modexp fail; surface it rather than return a wrong root.
        if (!ok) revert Errors.VrfLib__ModExpFailed();
    }
}
