// BN254 G1 (over Fq) and G2 (over Fq2) in Jacobian coordinates (a = 0 formulas from the Explicit-Formulas
// Database: dbl-2009-l, add-2007-bl, madd-2007-bl), and a multi-threaded Pippenger multi-scalar multiplication.
#pragma once
#include "field.hpp"
#include <vector>
#include <thread>
#include <atomic>
#include <functional>

namespace g16 {

/** Affine point as ffjavascript stores it (x, y); the point at infinity is (0, 0). */
template <class F>
struct Affine {
  F x, y;
  bool is_zero() const { return x.is_zero() && y.is_zero(); }
};

template <class F>
struct Jac {
  F X, Y, Z;
  static Jac zero() { return Jac{F::one(), F::one(), F::zero()}; }
  bool is_zero() const { return Z.is_zero(); }
  static Jac from_affine(const Affine<F>& a) {
    if (a.is_zero()) return zero();
    return Jac{a.x, a.y, F::one()};
  }

  Jac dbl() const {
    if (is_zero()) return *this;
    F A = X.sqr(), B = Y.sqr(), C = B.sqr();
    F D = ((X + B).sqr() - A - C).dbl();
    F E = A.dbl() + A;
    F Fv = E.sqr();
    Jac r;
    r.X = Fv - D.dbl();
    F C8 = C.dbl().dbl().dbl();
    r.Y = E * (D - r.X) - C8;
    r.Z = (Y * Z).dbl();
    return r;
  }

  /** this + affine point (mixed addition). */
  Jac add_affine(const Affine<F>& q) const {
    if (q.is_zero()) return *this;
    if (is_zero()) return from_affine(q);
    F Z1Z1 = Z.sqr();
    F U2 = q.x * Z1Z1;
    F S2 = q.y * Z * Z1Z1;
    F H = U2 - X;
    F rr = (S2 - Y).dbl();
    if (H.is_zero()) {
      if (rr.is_zero()) return dbl();
      return zero();
    }
    F HH = H.sqr();
    F I = HH.dbl().dbl();
    F J = H * I;
    F V = X * I;
    Jac r;
    r.X = rr.sqr() - J - V.dbl();
    r.Y = rr * (V - r.X) - (Y * J).dbl();
    r.Z = (Z + H).sqr() - Z1Z1 - HH;
    return r;
  }

  Jac add(const Jac& q) const {
    if (q.is_zero()) return *this;
    if (is_zero()) return q;
    F Z1Z1 = Z.sqr(), Z2Z2 = q.Z.sqr();
    F U1 = X * Z2Z2, U2 = q.X * Z1Z1;
    F S1 = Y * q.Z * Z2Z2, S2 = q.Y * Z * Z1Z1;
    F H = U2 - U1;
    F rr = (S2 - S1).dbl();
    if (H.is_zero()) {
      if (rr.is_zero()) return dbl();
      return zero();
    }
    F I = H.dbl().sqr();
    F J = H * I;
    F V = U1 * I;
    Jac r;
    r.X = rr.sqr() - J - V.dbl();
    r.Y = rr * (V - r.X) - (S1 * J).dbl();
    r.Z = ((Z + q.Z).sqr() - Z1Z1 - Z2Z2) * H;
    return r;
  }

  Jac neg() const { return Jac{X, -Y, Z}; }

  /** k * this, k a standard-form integer. */
  Jac mul(const U256& k) const {
    Jac r = zero();
    for (int i = 255; i >= 0; i--) {
      r = r.dbl();
      if (u256_bit(k, i)) r = r.add(*this);
    }
    return r;
  }

  Affine<F> to_affine() const {
    if (is_zero()) return Affine<F>{F::zero(), F::zero()};
    F zi = Z.inv();
    F zi2 = zi.sqr();
    return Affine<F>{X * zi2, Y * zi2 * zi};
  }
};

typedef Affine<Fq> G1A;
typedef Jac<Fq> G1;
typedef Affine<Fq2> G2A;
typedef Jac<Fq2> G2;

/** Runs fn(task) for task in [0, n) on `threads` threads (work queue). */
inline void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn) {
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; i++) fn(i);
    return;
  }
  std::atomic<size_t> next(0);
  auto work = [&]() {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= n) break;
      fn(i);
    }
  };
  std::vector<std::thread> ts;
  int nt = (int)std::min<size_t>((size_t)threads, n);
  for (int t = 1; t < nt; t++) ts.emplace_back(work);
  work();
  for (auto& t : ts) t.join();
}

inline uint32_t scalar_window(const U256& s, int bit, int c) {
  int limb = bit >> 6, off = bit & 63;
  u64 w = s.v[limb] >> off;
  if (off + c > 64 && limb + 1 < 4) w |= s.v[limb + 1] << (64 - off);
  return (uint32_t)(w & ((1ULL << c) - 1));
}

/**
 * Pippenger MSM: sum scalars[i] * bases[i] (scalars in standard form, < 2^254). Windows of c bits; the windows
 * (and, when there are more threads than windows would keep busy, chunks of the points) are spread over the threads.
 */
template <class F>
Jac<F> msm(const Affine<F>* bases, const U256* scalars, size_t n, int threads) {
  typedef Jac<F> J;
  if (n == 0) return J::zero();
  int maxBits = 0;
  for (size_t i = 0; i < n; i++) {
    for (int l = 3; l >= 0; l--) {
      if (scalars[i].v[l]) {
        int b = l * 64 + 64 - __builtin_clzll(scalars[i].v[l]);
        if (b > maxBits) maxBits = b;
        break;
      }
    }
  }
  if (maxBits == 0) return J::zero();
  // Window size minimising (bits / c) * (n + 2^(c+1)).
  int c = 2;
  double best = 1e300;
  for (int cc = 2; cc <= 20; cc++) {
    double cost = (double)((maxBits + cc - 1) / cc) * ((double)n + (double)(2ULL << cc));
    if (cost < best) {
      best = cost;
      c = cc;
    }
  }
  int nWindows = (maxBits + c - 1) / c;
  // Split the points into chunks too when there are few windows per thread (keeps both cores busy).
  int nChunks = 1;
  if (threads > 1) nChunks = threads;
  size_t chunkLen = (n + nChunks - 1) / nChunks;
  size_t nTasks = (size_t)nWindows * nChunks;
  std::vector<J> partial(nTasks, J::zero());
  size_t nBuckets = (1ULL << c) - 1;
  parallel_for(nTasks, threads, [&](size_t task) {
    int w = (int)(task / nChunks);
    size_t ch = task % nChunks;
    size_t lo = ch * chunkLen, hi = std::min(n, lo + chunkLen);
    std::vector<J> buckets(nBuckets, J::zero());
    int bit = w * c;
    for (size_t i = lo; i < hi; i++) {
      uint32_t d = scalar_window(scalars[i], bit, c);
      if (d) buckets[d - 1] = buckets[d - 1].add_affine(bases[i]);
    }
    J running = J::zero(), acc = J::zero();
    for (size_t b = nBuckets; b-- > 0;) {
      running = running.add(buckets[b]);
      acc = acc.add(running);
    }
    partial[task] = acc;
  });
  J res = J::zero();
  for (int w = nWindows - 1; w >= 0; w--) {
    for (int k = 0; k < c; k++) res = res.dbl();
    for (int ch = 0; ch < nChunks; ch++) res = res.add(partial[(size_t)w * nChunks + ch]);
  }
  return res;
}

}  // namespace g16
