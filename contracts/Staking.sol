// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {VrfLib} from "./libraries/VrfLib.sol";
import {Errors} from "./errors/Errors.sol";

/// @title Staking: stakes of sequencers (and provers, for later designs), VRF keys, exit queue, slashing
/// @notice Stake is an ERC-20 amount. Books count what actually arrived (balance delta), so a fee-on-transfer
///         token cannot make the contract owe more than it holds. Exits wait `exitDelay` L1 blocks so that a
///         staker cannot run from a slash for something it did in a height that is still being settled.
contract Staking is IStaking, Errors, Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice One staker's record. Slot 0 holds everything the Rollup's eligibility check reads (`activeSince`:
    ///         role, stake, exit, key registered, activation block), so a proposal reads one cold slot of it, not
    ///         five; the key history (`keyHashAt`) and where the key is stored (`keyCode`) follow it.
    struct Staker {
        Role role;
        /// @dev Whether a VRF key is registered (`keyHash != 0`), kept in slot 0 for `activeSince`.
        bool hasKey;
        /// @dev The stake (SafeCast: a stake above 2^128 - 1 base units reverts).
        uint128 amount;
        /// @dev L1 block from which `withdraw` is allowed; 0 = no exit requested (exitDelay is at most 2^32 - 1).
        uint48 exitAt;
        /// @dev L1 block since which the account is active in its role with its current VRF key: set when the
        ///      stake first reaches the minimum (or again after falling below it) and at every key registration.
        ///      The Rollup counts an account for a height only if this block is before the height's randomness
        ///      could be known (`activeSince`), so neither a key nor a stake can be chosen after seeing it.
        uint48 activeFrom;
        /// @dev keccak256 of the VRF public key; 0 = none.
        bytes32 keyHash;
        /// @dev L1 block at which the current key was registered.
        uint48 keyFrom;
        /// @dev L1 block at which the previous key was registered (0 = none).
        uint48 prevKeyFrom;
        /// @dev The contract whose code holds the current key (`_storeKey`; zero = none).
        address keyCode;
        /// @dev The key the current one replaced: a claim made under it can still be judged (`keyHashAt`).
        bytes32 prevKeyHash;
    }

    /// @notice Largest `exitDelay`: exit blocks are stored in 48 bits.
    uint256 public constant MAX_EXIT_DELAY = type(uint32).max;

    IERC20 private immutable _token;
    /// @notice Minimum stake to be an active sequencer.
    uint256 public immutable minSequencerStake;
    /// @notice Minimum stake to be an active prover.
    uint256 public immutable minProverStake;
    /// @notice L1 blocks between `initiateExit` and `withdraw`.
    uint256 public immutable exitDelay;
    /// @notice The only contract allowed to slash (set once).
    address public rollup;
    /// @notice Sum of all stakes: equals the token balance held for stakers.
    uint256 public totalStaked;

    mapping(address => Staker) private _stakers;
    /// @notice Owner of each registered VRF key hash (a key serves one account only).
    mapping(bytes32 => address) public keyOwner;

    /// @notice Stake added.
    event Staked(address indexed account, Role role, uint256 received, uint256 newAmount);
    /// @notice VRF key registered (replacing any previous one).
    event VrfKeyRegistered(address indexed account, bytes32 indexed keyHash, uint256[4] pk, uint256[2] pkG1);
    /// @notice Exit requested; stake leaves the active set now and can be withdrawn from `availableAt`.
    event ExitInitiated(address indexed account, uint256 amount, uint256 availableAt);
    /// @notice Stake withdrawn.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Stake slashed by the rollup.
    event Slashed(address indexed account, uint256 amount, address indexed recipient);
    /// @notice The rollup (the only slasher) was set.
    event RollupSet(address indexed rollup);

    /// @param token_ the staking token
    /// @param minSequencerStake_ minimum stake for a sequencer
    /// @param minProverStake_ minimum stake for a prover
    /// @param exitDelay_ L1 blocks between initiateExit and withdraw
    /// @param owner_ the account allowed to set the rollup once
    constructor(
        IERC20 token_,
        uint256 minSequencerStake_,
        uint256 minProverStake_,
        uint256 exitDelay_,
        address owner_
    ) Ownable(owner_) {
        if (address(token_) == address(0)) revert Staking__ZeroAddress();
        if (minSequencerStake_ == 0 || minProverStake_ == 0) revert Staking__InvalidConfig("minStake");
        if (exitDelay_ > MAX_EXIT_DELAY) revert Staking__InvalidConfig("exitDelay");
        _token = token_;
        minSequencerStake = minSequencerStake_;
        minProverStake = minProverStake_;
        exitDelay = exitDelay_;
    }

    /// @notice Sets the rollup, the only contract allowed to slash. Once, by the owner.
    /// @param rollup_ the Rollup contract
    function setRollup(address rollup_) external onlyOwner {
        if (rollup != address(0)) revert Staking__RollupAlreadySet();
        if (rollup_ == address(0)) revert Staking__ZeroAddress();
        rollup = rollup_;
        emit RollupSet(rollup_);
    }

    /// @inheritdoc IStaking
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice Adds stake for `role`. The first stake must reach the role's minimum.
    /// @dev Counts what arrived (balance delta). Staking again while exiting is refused: exit first, then re-stake.
    /// @param role Sequencer or Prover (an account keeps one role)
    /// @param amount tokens to pull from the caller (needs approval)
    function stake(Role role, uint256 amount) external nonReentrant {
        if (amount == 0) revert Staking__ZeroAmount();
        if (role == Role.None) revert Staking__RoleMismatch(Role.None, Role.None);
        Staker storage s = _stakers[msg.sender];
        if (s.role != Role.None && s.role != role) revert Staking__RoleMismatch(s.role, role);
        if (s.exitAt != 0) revert Staking__ExitAlreadyRequested(msg.sender);
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        uint256 newAmount = s.amount + received;
        uint256 minimum = _minimum(role);
        if (newAmount < minimum) revert Staking__StakeBelowMinimum(newAmount, minimum);
        // Becoming active (first stake, or topping up after a slash took it below the minimum) starts the clock.
        if (s.amount < minimum || s.role != role) s.activeFrom = uint48(block.number);
        s.role = role;
        s.amount = SafeCast.toUint128(newAmount);
        totalStaked += received;
        emit Staked(msg.sender, role, received, newAmount);
    }

    /// @notice Registers the caller's VRF public key, with a proof of possession bound to the caller. The key
    ///         counts for a height only if registered before that height's randomness could be known
    ///         (`activeSince`); a rotated key makes the account sit out the heights whose randomness is already open.
    ///         The key's G1 twin is checked against it here, once (a pairing), so that every leading commit can check
    ///         its VRF proof with the cheaper DLEQ test (`VrfLib.verifyDleq`).
    /// @param pk public key in G2 [x.c1, x.c0, y.c1, y.c0]
    /// @param pkG1 the same secret times the G1 generator, [x, y]
    /// @param pop BLS signature over ("fernet-rollup/pop", chainid, this contract, caller)
    function registerVrfKey(uint256[4] calldata pk, uint256[2] calldata pkG1, uint256[2] calldata pop) external {
        bytes32 keyHash = keccak256(abi.encode(pk));
        address owner_ = keyOwner[keyHash];
        if (owner_ != address(0) && owner_ != msg.sender) revert Staking__VrfKeyTaken(keyHash);
        if (!VrfLib.verifyPossession(pk, msg.sender, pop)) revert Staking__InvalidProofOfPossession();
        if (!VrfLib.verifyKeyPair(pk, pkG1)) revert Staking__VrfKeyPairMismatch();
        Staker storage s = _stakers[msg.sender];
        if (s.keyHash != bytes32(0)) {
            // One rotation per exitDelay: two quick rotations would lose the key a pending VRF claim was made under
            // (keyHashAt keeps one previous key), and with it the means to judge (and slash) a false claim.
            if (s.prevKeyHash != bytes32(0) && block.number < uint256(s.keyFrom) + exitDelay) {
                revert Staking__KeyRotationTooSoon(uint256(s.keyFrom) + exitDelay);
            }
            delete keyOwner[s.keyHash];
            s.prevKeyHash = s.keyHash;
            s.prevKeyFrom = s.keyFrom;
        }
        s.keyFrom = uint48(block.number);
        s.keyHash = keyHash;
        s.keyCode = _storeKey(pk, pkG1);
        keyOwner[keyHash] = msg.sender;
        s.hasKey = true;
        s.activeFrom = uint48(block.number);
        emit VrfKeyRegistered(msg.sender, keyHash, pk, pkG1);
    }

    /// @notice Leaves the active set now; the stake can be withdrawn after `exitDelay` L1 blocks.
    function initiateExit() external {
        Staker storage s = _stakers[msg.sender];
        if (s.amount == 0) revert Staking__NotStaked(msg.sender);
        if (s.exitAt != 0) revert Staking__ExitAlreadyRequested(msg.sender);
        s.exitAt = uint48(block.number + exitDelay); // exitDelay <= MAX_EXIT_DELAY (2^32 - 1): fits until block 2^48 - 2^32
        emit ExitInitiated(msg.sender, s.amount, s.exitAt);
    }

    /// @notice Withdraws the whole remaining stake once the exit delay has passed.
    function withdraw() external nonReentrant {
        Staker storage s = _stakers[msg.sender];
        if (s.exitAt == 0) revert Staking__ExitNotRequested(msg.sender);
        if (block.number < s.exitAt) revert Staking__WithdrawTooEarly(block.number, s.exitAt);
        uint256 amount = s.amount;
        s.amount = 0;
        s.exitAt = 0;
        s.role = Role.None;
        totalStaked -= amount;
        if (amount != 0) _token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function slash(address account, uint256 amount, address recipient) external nonReentrant {
        if (msg.sender != rollup) revert Staking__Unauthorized(msg.sender);
        if (recipient == address(0)) revert Staking__ZeroAddress();
        Staker storage s = _stakers[account];
        if (amount > s.amount) revert Staking__SlashExceedsStake(amount, s.amount);
        s.amount -= uint128(amount); // amount <= s.amount, checked above
        totalStaked -= amount;
        if (amount != 0) _token.safeTransfer(recipient, amount);
        emit Slashed(account, amount, recipient);
    }

    /// @inheritdoc IStaking
    function isActiveSequencer(address account) external view returns (bool) {
        Staker storage s = _stakers[account];
        return s.role == Role.Sequencer && s.exitAt == 0 && s.amount >= minSequencerStake && s.hasKey;
    }

    /// @notice True iff `account` is a prover with at least the minimum stake and no pending exit.
    /// @param account the account
    /// @return active whether it is an active prover
    function isActiveProver(address account) external view returns (bool active) {
        Staker storage s = _stakers[account];
        return s.role == Role.Prover && s.exitAt == 0 && s.amount >= minProverStake;
    }

    /// @inheritdoc IStaking
    function activeSince(address account, Role role) external view returns (uint256) {
        Staker storage s = _stakers[account];
        // One storage slot: role, hasKey, amount, exitAt and activeFrom are packed together.
        if (s.role != role || s.exitAt != 0 || s.amount < _minimum(role) || !s.hasKey) {
            return type(uint256).max;
        }
        return s.activeFrom;
    }

    /// @inheritdoc IStaking
    function keyHashAt(address account, uint256 l1Block) external view returns (bytes32) {
        Staker storage s = _stakers[account];
        if (s.keyHash != bytes32(0) && s.keyFrom < l1Block) return s.keyHash;
        if (s.prevKeyHash != bytes32(0) && s.prevKeyFrom < l1Block) return s.prevKeyHash;
        return bytes32(0);
    }

    /// @inheritdoc IStaking
    function vrfKeyOf(address account) external view returns (uint256[4] memory pk) {
        address keyCode = _stakers[account].keyCode;
        if (keyCode == address(0)) return pk;
        assembly ("memory-safe") {
            extcodecopy(keyCode, pk, 1, 128) // skip the leading STOP byte
        }
    }

    /// @inheritdoc IStaking
    function vrfG1KeyOf(address account) external view returns (uint256[2] memory pkG1) {
        address keyCode = _stakers[account].keyCode;
        if (keyCode == address(0)) return pkG1;
        assembly ("memory-safe") {
            extcodecopy(keyCode, pkG1, 129, 64) // after the STOP byte and the G2 key
        }
    }

    /// @inheritdoc IStaking
    function stakeOf(address account) external view returns (uint256) {
        return _stakers[account].amount;
    }

    /// @notice A staker's record.
    /// @param account the account
    /// @return the record (role, hasKey, amount, exitAt, activeFrom, keyHash, keyFrom, prevKeyFrom, keyCode,
    ///         prevKeyHash)
    function stakerOf(address account) external view returns (Staker memory) {
        return _stakers[account];
    }

    /// @dev Stores `pk` and `pkG1` as the code of a new contract (SSTORE2): a leading STOP byte (a call to it does
    ///      nothing), then the 128 G2 key bytes and the 64 G1 key bytes. Reading the G1 key back (`vrfG1KeyOf`, in
    ///      every leading commit's VRF check) costs one cold account access (2.6k gas) instead of two cold storage
    ///      words, and writing it less than six fresh words. The creation code returns everything after its own 11
    ///      bytes as the new contract's code.
    function _storeKey(uint256[4] calldata pk, uint256[2] calldata pkG1) private returns (address keyCode) {
        bytes memory creation = abi.encodePacked(hex"600B5981380380925939F3", hex"00", pk, pkG1);
        assembly ("memory-safe") {
            keyCode := create(0, add(creation, 32), mload(creation))
        }
        // CREATE returns 0 when it runs out of gas: never record a key that could not be read back.
        if (keyCode == address(0)) revert Staking__KeyStoreFailed();
    }

    function _minimum(Role role) private view returns (uint256) {
        return role == Role.Sequencer ? minSequencerStake : minProverStake;
    }
}
