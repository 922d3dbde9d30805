// BN254 field arithmetic for the native Groth16 prover: 4 x 64-bit limbs, Montgomery form with R = 2^256 (the same
// representation ffjavascript/snarkjs store in .zkey files, little-endian), portable C++17 with unsigned __int128.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <algorithm>

namespace g16 {

typedef uint64_t u64;
typedef unsigned __int128 u128;

struct U256 {
  u64 v[4];
};

inline bool u256_is_zero(const U256& a) { return (a.v[0] | a.v[1] | a.v[2] | a.v[3]) == 0; }
inline bool u256_geq(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; i--) {
    if (a.v[i] != b.v[i]) return a.v[i] > b.v[i];
  }
  return true;
}
inline u64 u256_sub(U256& r, const U256& a, const U256& b) {
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a.v[i] - b.v[i] - borrow;
    r.v[i] = (u64)d;
    borrow = (u64)(d >> 64) ? 1 : 0;
  }
  return borrow;
}
inline u64 u256_add(U256& r, const U256& a, const U256& b) {
  u64 carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 s = (u128)a.v[i] + b.v[i] + carry;
    r.v[i] = (u64)s;
    carry = (u64)(s >> 64);
  }
  return carry;
}
inline int u256_bit(const U256& a, int i) { return (int)((a.v[i >> 6] >> (i & 63)) & 1); }

/** Decimal string of a 256-bit integer. */
inline std::string u256_to_dec(const U256& a) {
  U256 x = a;
  if (u256_is_zero(x)) return "0";
  std::string out;
  const u64 BASE = 10000000000000000000ULL;  // 10^19
  while (!u256_is_zero(x)) {
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
      u128 cur = (rem << 64) | x.v[i];
      x.v[i] = (u64)(cur / BASE);
      rem = cur % BASE;
    }
    u64 r = (u64)rem;
    char buf[20];
    bool more = !u256_is_zero(x);
    for (int k = 0; k < 19; k++) {
      buf[k] = (char)('0' + r % 10);
      r /= 10;
      if (!more && r == 0) {
        out.append(buf, buf + k + 1);
        goto next;
      }
    }
    out.append(buf, buf + 19);
  next:;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

/** Prime field with modulus P::p (4 limbs, top bit clear), Montgomery form. */
template <class P>
struct Fp {
  U256 m;  // Montgomery representation

  static U256 R1;    // R mod p (Montgomery one)
  static U256 R2;    // R^2 mod p
  static u64 INV;    // -p^{-1} mod 2^64

  static void init() {
    const U256& p = P::p;
    u64 x = 1;
    for (int i = 0; i < 7; i++) x *= 2 - p.v[0] * x;  // Newton: x = p^{-1} mod 2^64
    INV = (u64)0 - x;
    // R mod p and R^2 mod p by doubling 1 (256 resp. 512 times) modulo p.
    U256 t = {{1, 0, 0, 0}};
    for (int i = 0; i < 512; i++) {
      U256 d;
      u64 c = u256_add(d, t, t);
      if (c || u256_geq(d, p)) u256_sub(d, d, p);
      t = d;
      if (i == 255) R1 = t;
    }
    R2 = t;
  }

  static inline void mont_mul(U256& r, const U256& a, const U256& b) {
    const U256& p = P::p;
    u64 t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
      u128 c = 0;
      for (int j = 0; j < 4; j++) {
        c = (u128)a.v[j] * b.v[i] + t[j] + (u64)(c >> 64);
        t[j] = (u64)c;
      }
      u128 s = (u128)t[4] + (u64)(c >> 64);
      t[4] = (u64)s;
      t[5] = (u64)(s >> 64);
      u64 m = t[0] * INV;
      c = (u128)m * p.v[0] + t[0];
      for (int j = 1; j < 4; j++) {
        c = (u128)m * p.v[j] + t[j] + (u64)(c >> 64);
        t[j - 1] = (u64)c;
      }
      s = (u128)t[4] + (u64)(c >> 64);
      t[3] = (u64)s;
      t[4] = t[5] + (u64)(s >> 64);
    }
    U256 res = {{t[0], t[1], t[2], t[3]}};
    if (t[4] || u256_geq(res, p)) u256_sub(res, res, p);
    r = res;
  }

  static Fp zero() { Fp z; z.m = U256{{0, 0, 0, 0}}; return z; }
  static Fp one() { Fp z; z.m = R1; return z; }
  /** From a standard-form integer (< p). */
  static Fp from_std(const U256& a) { Fp z; mont_mul(z.m, a, R2); return z; }
  static Fp from_u64(u64 a) { return from_std(U256{{a, 0, 0, 0}}); }
  static Fp from_mont(const U256& a) { Fp z; z.m = a; return z; }
  U256 to_std() const { U256 r; U256 one = {{1, 0, 0, 0}}; mont_mul(r, m, one); return r; }
  std::string to_dec() const { return u256_to_dec(to_std()); }

  bool is_zero() const { return u256_is_zero(m); }
  bool operator==(const Fp& o) const { return memcmp(m.v, o.m.v, 32) == 0; }
  bool operator!=(const Fp& o) const { return !(*this == o); }

  inline Fp operator+(const Fp& b) const {
    Fp r;
    u64 c = u256_add(r.m, m, b.m);
    if (c || u256_geq(r.m, P::p)) u256_sub(r.m, r.m, P::p);
    return r;
  }
  inline Fp operator-(const Fp& b) const {
    Fp r;
    if (u256_sub(r.m, m, b.m)) u256_add(r.m, r.m, P::p);
    return r;
  }
  inline Fp operator-() const { return zero() - *this; }
  inline Fp operator*(const Fp& b) const { Fp r; mont_mul(r.m, m, b.m); return r; }
  inline Fp sqr() const { return *this * *this; }
  inline Fp dbl() const { return *this + *this; }
  Fp pow(const U256& e) const {
    Fp r = one();
    for (int i = 255; i >= 0; i--) {
      r = r.sqr();
      if (u256_bit(e, i)) r = r * *this;
    }
    return r;
  }
  Fp inv() const {
    U256 e;
    U256 two = {{2, 0, 0, 0}};
    u256_sub(e, P::p, two);
    return pow(e);
  }
};
template <class P> U256 Fp<P>::R1;
template <class P> U256 Fp<P>::R2;
template <class P> u64 Fp<P>::INV;

struct FqParams {
  // 21888242871839275222246405745257275088696311157297823662689037894645226208583
  static constexpr U256 p = {{0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}};
};
struct FrParams {
  // 21888242871839275222246405745257275088548364400416034343698204186575808495617
  static constexpr U256 p = {{0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}};
};
typedef Fp<FqParams> Fq;
typedef Fp<FrParams> Fr;

/** Fq2 = Fq[u] / (u^2 + 1), stored (c0, c1) as ffjavascript does. */
struct Fq2 {
  Fq c0, c1;
  static Fq2 zero() { return Fq2{Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return Fq2{Fq::one(), Fq::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  inline Fq2 operator+(const Fq2& b) const { return Fq2{c0 + b.c0, c1 + b.c1}; }
  inline Fq2 operator-(const Fq2& b) const { return Fq2{c0 - b.c0, c1 - b.c1}; }
  inline Fq2 operator-() const { return Fq2{-c0, -c1}; }
  inline Fq2 operator*(const Fq2& b) const {
    Fq v0 = c0 * b.c0, v1 = c1 * b.c1;
    Fq t = (c0 + c1) * (b.c0 + b.c1);
    return Fq2{v0 - v1, t - v0 - v1};
  }
  inline Fq2 sqr() const {
    // (a + bu)^2 = (a+b)(a-b) + 2ab u
    Fq ab = c0 * c1;
    return Fq2{(c0 + c1) * (c0 - c1), ab + ab};
  }
  inline Fq2 dbl() const { return *this + *this; }
  Fq2 inv() const {
    Fq n = (c0.sqr() + c1.sqr()).inv();
    return Fq2{c0 * n, -(c1 * n)};
  }
};

}  // namespace g16
