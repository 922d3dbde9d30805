// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VM} from "./utils/Vm.sol";
import {RollupKeys} from "./utils/RollupSetup.sol";
import {DevToken} from "../../contracts/DevToken.sol";
import {Staking} from "../../contracts/Staking.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";

/// @title StakingHandler: drives random stakes (both roles), top-ups, VRF key registrations and rotations, exits,
///        withdrawals and slashes, with random amounts and block advances
/// @dev Keeps its own L1 block number (re-applied with vm.roll on every call). It is the Staking's rollup (the
///      only slasher). Four actors share the three known VRF keys (RollupKeys), so keys are contested and rotated.
///      Ghost counters: tokens deposited, withdrawn and slashed (in total and per actor) and each actor's key
///      history (current and previous key hash, block of registration). A rule the handler sees broken in a call
///      (an over-stake slash accepted, a non-rollup slash accepted, a key registered for a taken key) is counted in
///      `violations`: a failed assert in a handler would only be a discarded revert.
contract StakingHandler {
    uint256 internal constant E18 = 1e18;
    uint256 internal constant N = 4;
    uint256 public constant MIN_SEQ = 1000 * E18;
    uint256 public constant MIN_PROVER = 400 * E18;
    uint256 public constant EXIT_DELAY = 12;
    uint256 public constant INITIAL = 1_000_000 * E18;
    address public constant SINK = address(0x5117);

    DevToken public token;
    Staking public staking;
    address[N] internal _actors;
    bytes32[3] internal _keyHashes;

    uint256 public currentBlock;
    uint256 public totalDeposited;
    uint256 public totalWithdrawn;
    uint256 public totalSlashed;
    uint256 public violations;
    mapping(address => uint256) public depositedBy;
    mapping(address => uint256) public withdrawnBy;

    /// @dev Ghost key history per actor: the key in force and the one it replaced, with their registration blocks.
    struct KeyRecord {
        bytes32 current;
        uint256 currentFrom;
        bytes32 previous;
        uint256 previousFrom;
    }

    mapping(address => KeyRecord) internal _keys;
    uint256 public calls;
    uint256 public registrations;
    uint256 public slashes;
    uint256 public withdrawals;

    constructor() {
        currentBlock = 1000;
        VM.roll(currentBlock);
        token = new DevToken("Fernet Dev", "FDEV", address(this));
        staking = new Staking(token, MIN_SEQ, MIN_PROVER, EXIT_DELAY, address(this));
        staking.setRollup(address(this));
        for (uint256 i = 0; i < N; ++i) {
            address a = address(uint160(0xB000 + i));
            _actors[i] = a;
            token.mint(a, INITIAL);
            VM.prank(a);
            token.approve(address(staking), type(uint256).max);
        }
        for (uint256 k = 0; k < 3; ++k) {
            _keyHashes[k] = keccak256(abi.encode(RollupKeys.pk(k)));
        }
    }

    modifier step() {
        VM.roll(currentBlock);
        _;
        ++calls;
    }

    // ---------------------------------------------------------------------------------------------- views for tests

    function actor(uint256 i) external view returns (address) {
        return _actors[i];
    }

    function actorCount() external pure returns (uint256) {
        return N;
    }

    function keyHash(uint256 k) external view returns (bytes32) {
        return _keyHashes[k];
    }

    function keyRecord(address a) external view returns (KeyRecord memory) {
        return _keys[a];
    }

    // ---------------------------------------------------------------------------------------------- actions

    function advance(uint8 n) external step {
        // Mostly a few blocks, sometimes past the exit delay.
        currentBlock += n >= 200 ? EXIT_DELAY : 1 + (n % 5);
        VM.roll(currentBlock);
    }

    /// A first stake (or a top-up) in a random role with a random amount: below the minimum is refused on a
    /// first stake, a role change and a stake while exiting are refused.
    function stake(uint8 who, bool prover, uint96 amount) external step {
        address a = _actors[who % N];
        uint256 amt = 1 + (uint256(amount) % (2500 * E18));
        IStaking.Role role = prover ? IStaking.Role.Prover : IStaking.Role.Sequencer;
        VM.prank(a);
        try staking.stake(role, amt) {
            _deposited(a, amt);
        } catch {}
    }

    /// Adds to an existing stake in the account's own role.
    function topUp(uint8 who, uint96 amount) external step {
        address a = _actors[who % N];
        Staking.Staker memory s = staking.stakerOf(a);
        if (s.role == IStaking.Role.None) return;
        uint256 amt = 1 + (uint256(amount) % (500 * E18));
        VM.prank(a);
        try staking.stake(s.role, amt) {
            _deposited(a, amt);
        } catch {}
    }

    /// Registers (or rotates to) one of the three known keys, with a proof of possession bound to the actor.
    function registerKey(uint8 who, uint8 key) external step {
        address a = _actors[who % N];
        uint256 k = key % 3;
        bytes32 h = _keyHashes[k];
        address ownerBefore = staking.keyOwner(h);
        bytes memory popMsg = abi.encode("fernet-rollup/pop", block.chainid, address(staking), a);
        uint256[2] memory pop = RollupKeys.sign(RollupKeys.sk(k), popMsg);
        VM.prank(a);
        try staking.registerVrfKey(RollupKeys.pk(k), RollupKeys.pkG1(k), pop) {
            if (ownerBefore != address(0) && ownerBefore != a) ++violations; // a key serves one account only
            KeyRecord storage r = _keys[a];
            if (r.current != bytes32(0)) {
                r.previous = r.current;
                r.previousFrom = r.currentFrom;
            }
            r.current = h;
            r.currentFrom = currentBlock;
            ++registrations;
        } catch {}
    }

    /// A proof of possession made for another account is refused.
    function registerKeyWithStolenPop(uint8 who, uint8 victim, uint8 key) external step {
        address a = _actors[who % N];
        address v = _actors[victim % N];
        if (a == v) return;
        uint256 k = key % 3;
        bytes memory popMsg = abi.encode("fernet-rollup/pop", block.chainid, address(staking), v);
        uint256[2] memory pop = RollupKeys.sign(RollupKeys.sk(k), popMsg);
        VM.prank(a);
        try staking.registerVrfKey(RollupKeys.pk(k), RollupKeys.pkG1(k), pop) {
            ++violations;
        } catch {}
    }

    /// Exits a staked actor (the first from `who` on with a stake and no exit; `who` itself if none).
    function initiateExit(uint8 who) external step {
        address a = _firstActor(who, true);
        VM.prank(a);
        try staking.initiateExit() {} catch {}
    }

    /// Withdraws for an exiting actor (the first from `who` on with an exit; `who` itself if none): refused before
    /// its exit block.
    function withdraw(uint8 who) external step {
        address a = _firstActor(who, false);
        uint256 amount = staking.stakeOf(a);
        uint256 exitAt = staking.stakerOf(a).exitAt;
        VM.prank(a);
        try staking.withdraw() {
            if (exitAt == 0 || currentBlock < exitAt) ++violations; // withdrawn without (or before) its exit
            totalWithdrawn += amount;
            withdrawnBy[a] += amount;
            ++withdrawals;
        } catch {}
    }

    /// Slashes a random amount as the rollup; now and then more than the stake, which must be refused.
    function slash(uint8 who, uint96 amount, bool overStake) external step {
        address a = _actors[who % N];
        uint256 s = staking.stakeOf(a);
        uint256 amt = overStake ? s + 1 + (uint256(amount) % (100 * E18)) : (s == 0 ? 0 : uint256(amount) % (s + 1));
        try staking.slash(a, amt, SINK) {
            if (amt > s) ++violations;
            totalSlashed += amt;
            ++slashes;
        } catch {
            if (amt <= s) ++violations; // a slash within the stake, by the rollup, to a real recipient never fails
        }
    }

    /// Anyone but the rollup is refused.
    function slashAsStranger(uint8 who, uint8 by) external step {
        address a = _actors[who % N];
        VM.prank(_actors[by % N]);
        try staking.slash(a, 0, SINK) {
            ++violations;
        } catch {}
    }

    /// @dev The first actor from `who` on that can exit (`toExit`) or is exiting; actor `who` if none.
    function _firstActor(uint8 who, bool toExit) private view returns (address) {
        for (uint256 j = 0; j < N; ++j) {
            address a = _actors[(uint256(who) + j) % N];
            Staking.Staker memory s = staking.stakerOf(a);
            if (toExit ? (s.amount != 0 && s.exitAt == 0) : s.exitAt != 0) return a;
        }
        return _actors[who % N];
    }

    function _deposited(address a, uint256 amt) private {
        totalDeposited += amt;
        depositedBy[a] += amt;
    }
}

/// @title Invariants of the Staking contract under random stakes, keys, exits, withdrawals and slashes
contract StakingInvariantTest {
    StakingHandler internal handler;

    function setUp() public {
        handler = new StakingHandler();
    }

    /// @dev The fuzzer calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The contract holds exactly the sum of the stakes: token.balanceOf(staking) == totalStaked == sum of the
    /// actors' amounts; and value is conserved: deposited == staked + withdrawn + slashed (ghost counters), per
    /// actor too, and the slash recipient got exactly what was slashed.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_books() public view {
        Staking st = handler.staking();
        uint256 sum = 0;
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actor(i);
            uint256 amt = st.stakeOf(a);
            sum += amt;
            assert(st.stakerOf(a).amount == amt);
            // Each actor: what it paid in and got back; its stake is at most what it still has in.
            assert(handler.token().balanceOf(a) == handler.INITIAL() - handler.depositedBy(a) + handler.withdrawnBy(a));
            assert(amt <= handler.depositedBy(a) - handler.withdrawnBy(a));
        }
        assert(handler.token().balanceOf(address(st)) == st.totalStaked());
        assert(st.totalStaked() == sum);
        assert(handler.totalDeposited() == st.totalStaked() + handler.totalWithdrawn() + handler.totalSlashed());
        assert(handler.token().balanceOf(handler.SINK()) == handler.totalSlashed());
        assert(handler.violations() == 0);
    }

    /// An account with a pending exit (exitAt != 0) is never an active sequencer (nor an active prover);
    /// activeSince(account, role) is type(uint256).max iff the account is not active in that role (its role, no
    /// exit, the role's minimum, a VRF key), and otherwise is a block <= the current one, no earlier than its
    /// current key's registration. An account is an active sequencer iff activeSince(account, Sequencer) is set.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_activity() public view {
        Staking st = handler.staking();
        uint256 now_ = handler.currentBlock();
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actor(i);
            Staking.Staker memory s = st.stakerOf(a);
            if (s.exitAt != 0) assert(!st.isActiveSequencer(a) && !st.isActiveProver(a));
            _checkRole(st, a, s, IStaking.Role.Sequencer, st.minSequencerStake(), now_);
            _checkRole(st, a, s, IStaking.Role.Prover, st.minProverStake(), now_);
            bool seqActive = st.activeSince(a, IStaking.Role.Sequencer) != type(uint256).max;
            assert(st.isActiveSequencer(a) == seqActive);
            // An active prover with a key is exactly one with activeSince set (isActiveProver needs no key).
            bool proverSince = st.activeSince(a, IStaking.Role.Prover) != type(uint256).max;
            assert(proverSince == (st.isActiveProver(a) && s.keyHash != bytes32(0)));
        }
    }

    function _checkRole(Staking st, address a, Staking.Staker memory s, IStaking.Role role, uint256 min, uint256 now_)
        private
        view
    {
        bool active = s.role == role && s.exitAt == 0 && s.amount >= min && s.keyHash != bytes32(0);
        uint256 since = st.activeSince(a, role);
        if (!active) {
            assert(since == type(uint256).max);
        } else {
            assert(since != type(uint256).max);
            assert(since <= now_);
            assert(since >= s.keyFrom); // neither a stake nor a key can be backdated
        }
    }

    /// keyHashAt(account, b) for any b after the current key's registration is the current key's hash; between the
    /// previous and the current registration it is the previous key's hash; at or before the previous
    /// registration it is 0. keyOwner of each actor's current key hash is that actor, and every known key's
    /// owner (if any) holds it as its current key. All checked against the handler's ghost key history.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 60
    function invariant_keys() public view {
        Staking st = handler.staking();
        uint256 now_ = handler.currentBlock();
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actor(i);
            StakingHandler.KeyRecord memory r = handler.keyRecord(a);
            Staking.Staker memory s = st.stakerOf(a);
            assert(s.keyHash == r.current);
            if (r.current == bytes32(0)) {
                assert(st.keyHashAt(a, now_ + 1) == bytes32(0));
                continue;
            }
            assert(uint256(s.keyFrom) == r.currentFrom);
            assert(st.keyOwner(r.current) == a);
            assert(keccak256(abi.encode(st.vrfKeyOf(a))) == r.current);
            assert(st.keyHashAt(a, r.currentFrom + 1) == r.current);
            assert(st.keyHashAt(a, now_ + 1) == r.current);
            assert(st.keyHashAt(a, type(uint256).max) == r.current);
            if (r.previous != bytes32(0)) {
                assert(s.prevKeyHash == r.previous && uint256(s.prevKeyFrom) == r.previousFrom);
                if (r.previousFrom < r.currentFrom) assert(st.keyHashAt(a, r.currentFrom) == r.previous);
                assert(st.keyHashAt(a, r.previousFrom) == bytes32(0));
            } else {
                assert(st.keyHashAt(a, r.currentFrom) == bytes32(0));
            }
        }
        for (uint256 k = 0; k < 3; ++k) {
            bytes32 h = handler.keyHash(k);
            address o = st.keyOwner(h);
            if (o != address(0)) assert(st.stakerOf(o).keyHash == h);
        }
    }
}
