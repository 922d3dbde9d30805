// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlockVerifier} from "../interfaces/IBlockVerifier.sol";

/// @title SimBlockVerifier: the comparison's simulation-mode verifier stand-in
/// @notice NOT A VERIFIER. Accepts a "proof" iff proof[0] == uint256(keccak256(abi.encode(publicInputs))) (as
///         MockBlockVerifier) and burns the gas the generated Groth16 verifier spends on a statement of that many
///         public inputs (`baseGas` at `basePublicInputs`, plus `gasPerPublicInput` each beyond), measured in
///         bench/report.json. Only `npm run compare -- --mode sim` deploys it, and every output of such a run says so:
///         the simulation keeps the L1 cost of verification without making real proofs.
contract SimBlockVerifier is IBlockVerifier {
    uint256 public immutable baseGas;
    uint256 public immutable basePublicInputs;
    uint256 public immutable gasPerPublicInput;

    constructor(uint256 baseGas_, uint256 basePublicInputs_, uint256 gasPerPublicInput_) {
        baseGas = baseGas_;
        basePublicInputs = basePublicInputs_;
        gasPerPublicInput = gasPerPublicInput_;
    }

    /// @inheritdoc IBlockVerifier
    function verifyBlockProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view returns (bool) {
        uint256 n = publicInputs.length;
        uint256 target = n >= basePublicInputs
            ? baseGas + (n - basePublicInputs) * gasPerPublicInput
            : baseGas - (basePublicInputs - n) * gasPerPublicInput;
        uint256 start = gasleft();
        bool ok = proof[0] == uint256(keccak256(abi.encode(publicInputs)));
        // Burn the rest of the verifier's measured cost (a loop over gasleft: the pairing precompile's price).
        while (start - gasleft() < target) {}
        return ok;
    }
}
