// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./Vm.sol";
import {DevToken} from "../../../contracts/DevToken.sol";
import {Staking} from "../../../contracts/Staking.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {Rollup} from "../../../contracts/Rollup.sol";
import {RollupConfig, ProvingDesign} from "../../../contracts/interfaces/IRollup.sol";
import {MockBlockVerifier} from "../../../contracts/mocks/MockBlockVerifier.sol";
import {IBlockVerifier} from "../../../contracts/interfaces/IBlockVerifier.sol";
import {VrfLib} from "../../../contracts/libraries/VrfLib.sol";

/// @title RollupSetup: deploys the system with three staked sequencers whose VRF keys are known
/// @dev Keys come from src/vrf `vrfKeyFromSeed("solidity-seq-i")`; signatures are made here with the ecMul
///      precompile over VrfLib.hashToG1 (the message is built for the contract that will verify it).
library RollupKeys {
    function sk(uint256 i) internal pure returns (uint256) {
        if (i == 0) return 10588798562894924034188312191613971910197915099900428742843446469186812233918;
        if (i == 1) return 5921675031127780856660540763226713456417282003364654858344772960427880177907;
        return 7720886207261220711738490605048253786039503855460124564198387472122125727711;
    }

    function pk(uint256 i) internal pure returns (uint256[4] memory) {
        if (i == 0) {
            return [
                uint256(15727532751481139798860526233489563461063377186211327270157708547949294009608),
                uint256(19651475269747682040789689769891334346055977224686007658598617680566341052248),
                uint256(17616712869884134960773267648870709913769738980977056207506787031568555776550),
                uint256(16634520975280900309703161252825067856301226134759112561251683646336054486688)
            ];
        }
        if (i == 1) {
            return [
                uint256(12061469537210674552875337574731838328755923218682690693244103617099022034388),
                uint256(19629459931778489892038523663055001547577094059784420214733855706500660025916),
                uint256(9722423087560359102949057875753000652375132988908107918085129146303661367763),
                uint256(12140992260257680316789696229363972486615918690904677366835114372477743640422)
            ];
        }
        return [
            uint256(10221545575647611803832690677795871539628656998834264426078811452214051119025),
            uint256(8362714298640744092919114630890597329436464326127820006498440229087184445596),
            uint256(6468689756876997118811558237423968067587655929819045196303140853257063374582),
            uint256(17847159142420806899154941991280054376298011893952207058333507250385185562996)
        ];
    }

    /// @notice The G1 twin of key i: sk * G1gen.
    function pkG1(uint256 i) internal view returns (uint256[2] memory) {
        return _mul(1, 2, sk(i));
    }

    /// @notice A VRF proof [Gamma, c, s] for `message` (Gamma = sk * H(message), (c, s) its DLEQ proof), made with the
    ///         precompiles. The nonce is keccak256(sk, message) mod r: deterministic, fine for tests.
    function prove(uint256 i, bytes memory message) internal view returns (uint256[4] memory proof) {
        uint256 secret = sk(i);
        (uint256 hx, uint256 hy) = VrfLib.hashToG1(message);
        uint256[2] memory gamma = _mul(hx, hy, secret);
        uint256 k = uint256(keccak256(abi.encode(secret, message))) % VrfLib.R;
        uint256[2] memory u = _mul(1, 2, k);
        uint256[2] memory v = _mul(hx, hy, k);
        uint256 c = VrfLib.dleqChallenge(pkG1(i), [hx, hy], gamma, u, v);
        proof = [gamma[0], gamma[1], c, addmod(k, mulmod(c, secret, VrfLib.R), VrfLib.R)];
    }

    function _mul(uint256 x, uint256 y, uint256 k) private view returns (uint256[2] memory out) {
        uint256[3] memory input = [x, y, k];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 96, out, 64)
        }
        require(ok, "ecMul");
    }

    /// @notice BLS signature sk * H(message) with the ecMul precompile.
    function sign(uint256 secret, bytes memory message) internal view returns (uint256[2] memory sig) {
        (uint256 x, uint256 y) = VrfLib.hashToG1(message);
        uint256[3] memory input = [x, y, secret];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 96, sig, 64)
        }
        require(ok, "ecMul");
    }
}

contract RollupSetup {
    uint256 internal constant E18 = 1e18;
    uint256 internal constant SLOTS = 2;
    uint256 internal constant GENESIS_ROOT = 0x1234;

    DevToken internal token;
    Staking internal staking;
    MockBlockVerifier internal verifier;
    Rollup internal rollup;
    address[3] internal seqs;

    function _deploy() internal {
        VM.roll(100);
        token = new DevToken("Fernet Dev", "FDEV", address(this));
        staking = new Staking(token, 1000 * E18, 1000 * E18, 50, address(this));
        verifier = new MockBlockVerifier();
        for (uint256 i = 0; i < 3; ++i) {
            address s = address(uint160(0xA000 + i));
            seqs[i] = s;
            token.mint(s, 1_000_000 * E18);
            VM.startPrank(s);
            token.approve(address(staking), type(uint256).max);
            staking.stake(IStaking.Role.Sequencer, 1000 * E18);
            bytes memory popMsg = abi.encode("fernet-rollup/pop", block.chainid, address(staking), s);
            staking.registerVrfKey(RollupKeys.pk(i), RollupKeys.pkG1(i), RollupKeys.sign(RollupKeys.sk(i), popMsg));
            VM.stopPrank();
        }
        RollupConfig memory c = RollupConfig({
            genesisBlock: 110,
            proposalBlocks: 3,
            revealBlocks: 3,
            commitBlocks: 3,
            provingWindow: 6,
            lateWindow: 4,
            slots: uint32(SLOTS),
            minFeeSplitBps: 0,
            maxFeeSplitBps: 10_000,
            maxProverRewardShareBps: 10_000,
            lateProverShareBps: 5_000,
            reorgBountyBps: 500,
            feeSplitScore: true,
            provingDesign: ProvingDesign.Sidecar,
            proverDeposit: uint96(100 * E18),
            units: 1,
            unitSoftCloseBlocks: 5,
            blockReward: 10 * E18,
            submissionReward: 1 * E18,
            genesisRoot: GENESIS_ROOT,
            maxPendingHeights: 32,
            vrfClaimSlash: 10 * E18,
            keyActivationDelay: 4
        });
        rollup = new Rollup(c, IStaking(address(staking)), IBlockVerifier(address(verifier)));
        staking.setRollup(address(rollup));
        for (uint256 i = 0; i < 3; ++i) {
            VM.prank(seqs[i]);
            token.approve(address(rollup), type(uint256).max);
        }
        token.mint(address(this), 1_000_000 * E18);
        token.approve(address(rollup), type(uint256).max);
        rollup.fundRewards(100_000 * E18);
        // Height 1's seed window is the 3 blocks before its proposal phase (110).
        VM.roll(107);
        rollup.recordRandomness(1);
    }

    function _vrfProof(uint256 i, uint256 height) internal view returns (uint256[4] memory) {
        uint256 randomness = rollup.randomnessOf(height);
        bytes memory m = abi.encode("fernet-rollup/vrf", block.chainid, address(rollup), randomness, height);
        return RollupKeys.prove(i, m);
    }

    function _pubdata(uint256 seed) internal pure returns (bytes memory) {
        // slot 0: from 1, to 2, amount seed, fee 3; slot 1: no-op
        return abi.encodePacked(uint32(1), uint32(2), uint64(seed), uint32(3), bytes20(0));
    }

    function _mockProof(uint256[] memory inputs) internal pure returns (uint256[8] memory p) {
        p[0] = uint256(keccak256(abi.encode(inputs)));
    }
}
