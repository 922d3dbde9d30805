// groth16-prove: a native Groth16 prover (BN254) for snarkjs .zkey files and circom .wtns witnesses.
//
// Why this exists: snarkjs proves in WebAssembly and is the bottleneck of the prover network (issue #2: 0.344 tx/s
// on 2 cores, target 0.7). The field's native prover, rapidsnark, is not installable on these machines (not on the
// npm registry nor in Debian, and there is no other internet access), and no Debian package offers BN254 MSM, so
// this is a small, self-contained C++17 prover in the way rapidsnark works: 64-bit Montgomery arithmetic with
// unsigned __int128 (field.hpp), Jacobian points and a multi-threaded Pippenger MSM (curve.hpp), a radix-2 NTT. It
// follows snarkjs's own algorithm (node_modules/snarkjs/src/groth16_prove.js) step by step, so that the proofs are
// exactly what snarkjs would produce with the same random r, s, and writes snarkjs's output formats.
//
// Usage:
//   groth16-prove [--threads N] [--timings] <circuit.zkey> <witness.wtns> <proof.json> <public.json>
//   groth16-prove [--threads N] --serve <circuit.zkey>
//       reads one job per line on stdin: "<witness.wtns>\t<proof.json>\t<public.json>" (the two outputs may be
//       empty: then nothing is written), and writes one JSON line per job on stdout:
//       {"ok":true,"proof":{...},"publicSignals":[...],"timings":{...}} or {"ok":false,"code":"...","error":"..."}.
//       The zkey is read and parsed once. A first line "ready" (as JSON) is written once the zkey is loaded.
// Exit codes: 0 ok, 2 usage, 3 bad zkey, 4 bad witness, 5 I/O error.
#include "curve.hpp"
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <map>
#include <sys/resource.h>

using namespace g16;

namespace {

struct ProveError : std::runtime_error {
  int exitCode;
  std::string code;
  ProveError(int e, const std::string& c, const std::string& m) : std::runtime_error(m), exitCode(e), code(c) {}
};
ProveError badZkey(const std::string& m) { return ProveError(3, "BAD_ZKEY", m); }
ProveError badWtns(const std::string& m) { return ProveError(4, "BAD_WITNESS", m); }
ProveError ioError(const std::string& m) { return ProveError(5, "IO", m); }

double cpuNow() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<uint8_t> readFile(const std::string& path, bool zkey) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    std::string m = "cannot open " + path + ": " + strerror(errno);
    throw zkey ? badZkey(m) : badWtns(m);
  }
  std::vector<uint8_t> data;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (size < 0) {
    fclose(f);
    throw ioError("cannot read " + path);
  }
  data.resize((size_t)size);
  if (size > 0 && fread(data.data(), 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    throw ioError("short read on " + path);
  }
  fclose(f);
  return data;
}

struct Section {
  size_t pos;
  uint64_t size;
};

/** snarkjs binary container ("zkey"/"wtns"): magic, version, sections (type u32, size u64, data). */
struct BinFile {
  std::string path;
  std::vector<uint8_t> data;
  std::map<uint32_t, std::vector<Section>> sections;
  bool isZkey;

  ProveError err(const std::string& m) const { return isZkey ? badZkey(path + ": " + m) : badWtns(path + ": " + m); }

  BinFile(const std::string& p, const char* type, uint32_t maxVersion, bool zk) : path(p), isZkey(zk) {
    data = readFile(p, zk);
    if (data.size() < 12) throw err("truncated file (" + std::to_string(data.size()) + " bytes)");
    if (memcmp(data.data(), type, 4) != 0) throw err(std::string("not a .") + type + " file (bad magic)");
    uint32_t version = u32(4), n = u32(8);
    if (version > maxVersion) throw err("unsupported version " + std::to_string(version));
    size_t pos = 12;
    for (uint32_t i = 0; i < n; i++) {
      if (pos + 12 > data.size()) throw err("truncated file (section table ends past the end of the file)");
      uint32_t t = u32(pos);
      uint64_t sz;
      memcpy(&sz, &data[pos + 4], 8);
      pos += 12;
      if (sz > data.size() - pos) throw err("truncated file (section " + std::to_string(t) + " needs " + std::to_string(sz) + " bytes, " + std::to_string(data.size() - pos) + " left)");
      sections[t].push_back(Section{pos, sz});
      pos += sz;
    }
  }
  uint32_t u32(size_t pos) const {
    uint32_t v;
    memcpy(&v, &data[pos], 4);
    return v;
  }
  const Section& section(uint32_t t) const {
    auto it = sections.find(t);
    if (it == sections.end()) throw err("missing section " + std::to_string(t) + " (truncated or not a Groth16 file)");
    if (it->second.size() != 1) throw err("section " + std::to_string(t) + " appears more than once");
    return it->second[0];
  }
  const Section& sectionSized(uint32_t t, uint64_t expected, const char* what) const {
    const Section& s = section(t);
    if (s.size != expected)
      throw err(std::string("section ") + std::to_string(t) + " (" + what + ") has " + std::to_string(s.size) + " bytes, expected " + std::to_string(expected) + " (truncated or corrupt zkey)");
    return s;
  }
};

bool eq256(const uint8_t* bytes, const U256& v) { return memcmp(bytes, v.v, 32) == 0; }

struct Coef {
  uint32_t m, c, s;
  U256 value;  // Montgomery form of (value * R) as snarkjs writes it
};

/** The parsed proving key (everything the prover needs, in native layout). */
struct ZKey {
  uint32_t nVars = 0, nPublic = 0, domainSize = 0, power = 0;
  G1A alpha1, beta1, delta1;
  G2A beta2, delta2;
  std::vector<Coef> coefs;
  std::vector<G1A> A, B1, C, H;
  std::vector<G2A> B2;
};

template <class T>
void copyPoints(std::vector<T>& out, const BinFile& f, const Section& s, size_t n) {
  static_assert(sizeof(T) == 64 || sizeof(T) == 128, "point layout");
  out.resize(n);
  memcpy(out.data(), &f.data[s.pos], n * sizeof(T));
}

ZKey loadZkey(const std::string& path) {
  BinFile f(path, "zkey", 1, true);
  const Section& h1 = f.section(1);
  if (h1.size < 4) throw f.err("header section too short");
  uint32_t protocol = f.u32(h1.pos);
  if (protocol != 1) throw f.err("not a Groth16 zkey (protocol id " + std::to_string(protocol) + ")");
  const Section& h = f.section(2);
  const size_t expectHeader = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3;
  if (h.size != expectHeader) throw f.err("Groth16 header has " + std::to_string(h.size) + " bytes, expected " + std::to_string(expectHeader) + " (not a BN254 zkey?)");
  size_t p = h.pos;
  if (f.u32(p) != 32 || !eq256(&f.data[p + 4], FqParams::p)) throw f.err("unsupported curve: the base field is not BN254's (only bn128 zkeys are supported)");
  p += 36;
  if (f.u32(p) != 32 || !eq256(&f.data[p + 4], FrParams::p)) throw f.err("unsupported curve: the scalar field is not BN254's");
  p += 36;
  ZKey z;
  z.nVars = f.u32(p);
  z.nPublic = f.u32(p + 4);
  z.domainSize = f.u32(p + 8);
  p += 12;
  if (z.domainSize == 0 || (z.domainSize & (z.domainSize - 1)) != 0) throw f.err("domain size " + std::to_string(z.domainSize) + " is not a power of 2");
  while ((1u << z.power) < z.domainSize) z.power++;
  if (z.power > 27) throw f.err("domain 2^" + std::to_string(z.power) + " is too large");
  if (z.nPublic + 1 > z.nVars) throw f.err("nPublic >= nVars");
  memcpy(&z.alpha1, &f.data[p], 64);
  memcpy(&z.beta1, &f.data[p + 64], 64);
  memcpy(&z.beta2, &f.data[p + 128], 128);
  // gamma2 at p + 256 is not needed by the prover
  memcpy(&z.delta1, &f.data[p + 384], 64);
  memcpy(&z.delta2, &f.data[p + 448], 128);

  const Section& sc = f.section(4);
  if (sc.size < 4) throw f.err("coefficient section too short");
  uint32_t nCoef = f.u32(sc.pos);
  f.sectionSized(4, 4 + (uint64_t)nCoef * 44, "coefficients");
  z.coefs.resize(nCoef);
  const uint8_t* cp = &f.data[sc.pos + 4];
  for (uint32_t i = 0; i < nCoef; i++, cp += 44) {
    Coef& c = z.coefs[i];
    memcpy(&c.m, cp, 4);
    memcpy(&c.c, cp + 4, 4);
    memcpy(&c.s, cp + 8, 4);
    memcpy(c.value.v, cp + 12, 32);
    if (c.m > 1 || c.c >= z.domainSize || c.s >= z.nVars) throw f.err("coefficient " + std::to_string(i) + " out of range (corrupt zkey)");
  }
  copyPoints(z.A, f, f.sectionSized(5, (uint64_t)z.nVars * 64, "A points"), z.nVars);
  copyPoints(z.B1, f, f.sectionSized(6, (uint64_t)z.nVars * 64, "B1 points"), z.nVars);
  copyPoints(z.B2, f, f.sectionSized(7, (uint64_t)z.nVars * 128, "B2 points"), z.nVars);
  size_t nC = z.nVars - z.nPublic - 1;
  copyPoints(z.C, f, f.sectionSized(8, (uint64_t)nC * 64, "C points"), nC);
  copyPoints(z.H, f, f.sectionSized(9, (uint64_t)z.domainSize * 64, "H points"), z.domainSize);
  return z;
}

std::vector<U256> loadWitness(const std::string& path, const ZKey& z) {
  BinFile f(path, "wtns", 2, false);
  const Section& h = f.section(1);
  if (h.size < 40) throw f.err("witness header too short");
  uint32_t n8 = f.u32(h.pos);
  if (n8 != 32 || !eq256(&f.data[h.pos + 4], FrParams::p)) throw f.err("the witness is not over BN254's scalar field (curve of the witness does not match the proving key)");
  uint32_t nWitness = f.u32(h.pos + 36);
  if (nWitness != z.nVars) throw f.err("invalid witness length: the circuit (zkey) has " + std::to_string(z.nVars) + " signals, the witness " + std::to_string(nWitness) + " (witness of another circuit?)");
  const Section& s = f.section(2);
  if (s.size != (uint64_t)nWitness * 32) throw f.err("witness values section has " + std::to_string(s.size) + " bytes, expected " + std::to_string((uint64_t)nWitness * 32) + " (truncated)");
  std::vector<U256> w(nWitness);
  memcpy(w.data(), &f.data[s.pos], (size_t)nWitness * 32);
  for (uint32_t i = 0; i < nWitness; i++) {
    if (u256_geq(w[i], FrParams::p)) throw f.err("witness value " + std::to_string(i) + " is not reduced modulo r");
  }
  U256 one = {{1, 0, 0, 0}};
  if (memcmp(w[0].v, one.v, 32) != 0) throw f.err("witness[0] is not 1 (not a circom witness)");
  return w;
}

// ------------------------------------------------------------------ NTT over Fr (same roots as ffjavascript)

/** Fr.w[k] of ffjavascript: a primitive 2^k-th root of unity, w[28] = nqr^t with nqr = 5, t = (r-1) / 2^28. */
Fr rootOfUnity(uint32_t k) {
  U256 t = FrParams::p;
  t.v[0] -= 1;
  for (int i = 0; i < 28; i++) {  // t >>= 28 (r - 1 = t * 2^28)
    for (int l = 0; l < 4; l++) t.v[l] = (t.v[l] >> 1) | (l < 3 ? (t.v[l + 1] << 63) : 0);
  }
  Fr w = Fr::from_u64(5).pow(t);
  for (uint32_t i = 28; i > k; i--) w = w.sqr();
  return w;
}

/** In-place radix-2 DIT NTT: a[i] <- sum_j a[j] w^(ij), w a primitive n-th root of unity. */
void ntt(std::vector<Fr>& a, const Fr& w) {
  size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  std::vector<Fr> tw(n / 2);
  if (n >= 2) {
    tw[0] = Fr::one();
    for (size_t i = 1; i < n / 2; i++) tw[i] = tw[i - 1] * w;
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    size_t half = len >> 1, step = n / len;
    for (size_t i = 0; i < n; i += len) {
      for (size_t j = 0; j < half; j++) {
        Fr u = a[i + j];
        Fr v = a[i + j + half] * tw[j * step];
        a[i + j] = u + v;
        a[i + j + half] = u - v;
      }
    }
  }
}

/** Evaluations on the domain -> evaluations on the odd coset (inc * w^i), as snarkjs: ifft, * inc^i, fft. */
void toOddCoset(std::vector<Fr>& a, const Fr& w, const Fr& wInv, const Fr& nInv, const Fr& inc) {
  ntt(a, wInv);
  Fr k = nInv;
  for (size_t i = 0; i < a.size(); i++) {
    a[i] = a[i] * k;
    k = k * inc;
  }
  ntt(a, w);
}

// ------------------------------------------------------------------ proof

struct Timings {
  std::vector<std::pair<std::string, double>> t;
  void add(const std::string& k, double v) { t.emplace_back(k, v); }
  std::string json() const {
    std::ostringstream o;
    o << "{";
    for (size_t i = 0; i < t.size(); i++) {
      char buf[64];
      snprintf(buf, sizeof buf, "%.4f", t[i].second);
      o << (i ? "," : "") << "\"" << t[i].first << "\":" << buf;
    }
    o << "}";
    return o.str();
  }
};

U256 randomScalar() {
  static FILE* f = fopen("/dev/urandom", "rb");
  if (!f) throw ioError("cannot open /dev/urandom");
  for (;;) {
    U256 k;
    if (fread(k.v, 1, 32, f) != 32) throw ioError("cannot read /dev/urandom");
    k.v[3] &= (1ULL << 62) - 1;  // < 2^254
    if (!u256_geq(k, FrParams::p)) return k;
  }
}

std::string g1Json(const G1& p) {
  G1A a = p.to_affine();
  if (a.is_zero()) return "[\"0\",\"1\",\"0\"]";
  return "[\"" + a.x.to_dec() + "\",\"" + a.y.to_dec() + "\",\"1\"]";
}
std::string g2Json(const G2& p) {
  G2A a = p.to_affine();
  if (a.is_zero()) return "[[\"0\",\"0\"],[\"1\",\"0\"],[\"0\",\"0\"]]";
  return "[[\"" + a.x.c0.to_dec() + "\",\"" + a.x.c1.to_dec() + "\"],[\"" + a.y.c0.to_dec() + "\",\"" + a.y.c1.to_dec() + "\"],[\"1\",\"0\"]]";
}

struct ProofOut {
  std::string proofJson;  // compact
  std::vector<std::string> publicSignals;
};

ProofOut prove(const ZKey& z, const std::vector<U256>& wit, int threads, Timings& tm) {
  const size_t N = z.domainSize;
  double t = now();
  // buildABC: A, B = coefficients x witness (Montgomery: coef is stored as value*R^2, the witness in standard form,
  // so mont_mul gives value*w in Montgomery form); C = A * B pointwise.
  std::vector<Fr> a(N, Fr::zero()), b(N, Fr::zero()), c(N);
  for (const Coef& cf : z.coefs) {
    Fr prod;
    Fr::mont_mul(prod.m, cf.value, wit[cf.s]);
    std::vector<Fr>& out = cf.m == 0 ? a : b;
    out[cf.c] = out[cf.c] + prod;
  }
  for (size_t i = 0; i < N; i++) c[i] = a[i] * b[i];
  tm.add("buildABC", now() - t);

  t = now();
  Fr w = rootOfUnity(z.power), wInv = w.inv();
  Fr inc = rootOfUnity(z.power + 1);
  Fr nInv = Fr::from_u64(N).inv();
  std::vector<Fr>* polys[3] = {&a, &b, &c};
  parallel_for(3, threads, [&](size_t i) { toOddCoset(*polys[i], w, wInv, nInv, inc); });
  tm.add("fft", now() - t);

  t = now();
  // joinABC: (A*B - C) on the odd coset, out of Montgomery form: the H points absorb the division by Z.
  std::vector<U256> h(N);
  for (size_t i = 0; i < N; i++) h[i] = (a[i] * b[i] - c[i]).to_std();
  std::vector<Fr>().swap(a);
  std::vector<Fr>().swap(b);
  std::vector<Fr>().swap(c);
  tm.add("joinABC", now() - t);

  t = now();
  G1 piA = msm(z.A.data(), wit.data(), z.nVars, threads);
  tm.add("msmA", now() - t);
  t = now();
  G1 pib1 = msm(z.B1.data(), wit.data(), z.nVars, threads);
  tm.add("msmB1", now() - t);
  t = now();
  G2 piB = msm(z.B2.data(), wit.data(), z.nVars, threads);
  tm.add("msmB2", now() - t);
  t = now();
  G1 piC = msm(z.C.data(), wit.data() + z.nPublic + 1, z.nVars - z.nPublic - 1, threads);
  tm.add("msmC", now() - t);
  t = now();
  G1 resH = msm(z.H.data(), h.data(), N, threads);
  tm.add("msmH", now() - t);

  t = now();
  U256 r = randomScalar(), s = randomScalar();
  G1 delta1 = G1::from_affine(z.delta1);
  piA = piA.add_affine(z.alpha1).add(delta1.mul(r));
  piB = piB.add_affine(z.beta2).add(G2::from_affine(z.delta2).mul(s));
  pib1 = pib1.add_affine(z.beta1).add(delta1.mul(s));
  piC = piC.add(resH);
  piC = piC.add(piA.mul(s));
  piC = piC.add(pib1.mul(r));
  Fr rs = Fr::from_std(r) * Fr::from_std(s);
  piC = piC.add(delta1.mul((-rs).to_std()));

  ProofOut out;
  out.proofJson = "{\"pi_a\":" + g1Json(piA) + ",\"pi_b\":" + g2Json(piB) + ",\"pi_c\":" + g1Json(piC) + ",\"protocol\":\"groth16\",\"curve\":\"bn128\"}";
  for (uint32_t i = 1; i <= z.nPublic; i++) out.publicSignals.push_back(u256_to_dec(wit[i]));
  tm.add("finish", now() - t);
  return out;
}

std::string publicJson(const std::vector<std::string>& sig) {
  std::string s = "[";
  for (size_t i = 0; i < sig.size(); i++) s += (i ? "," : "") + std::string("\"") + sig[i] + "\"";
  return s + "]";
}

// snarkjs's CLI writes JSON.stringify(x, null, 1); the same layout here.
std::string pretty(const std::string& compact) {
  std::string o;
  int depth = 0;
  bool inStr = false;
  auto nl = [&]() { o += '\n'; o.append((size_t)depth, ' '); };
  for (size_t i = 0; i < compact.size(); i++) {
    char ch = compact[i];
    if (inStr) {
      o += ch;
      if (ch == '"') inStr = false;
      continue;
    }
    if (ch == '"') { inStr = true; o += ch; }
    else if (ch == '{' || ch == '[') { o += ch; depth++; nl(); }
    else if (ch == '}' || ch == ']') { depth--; nl(); o += ch; }
    else if (ch == ',') { o += ch; nl(); }
    else if (ch == ':') { o += ": "; }
    else o += ch;
  }
  return o;
}

void writeText(const std::string& path, const std::string& text) {
  if (path.empty()) return;
  std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (!f) throw ioError("cannot write " + path + ": " + strerror(errno));
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) throw ioError("cannot write " + path);
}

std::string jsonEscape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') { o += '\\'; o += ch; }
    else if ((unsigned char)ch < 0x20) o += ' ';
    else o += ch;
  }
  return o;
}

const char* USAGE =
    "usage: groth16-prove [--threads N] [--timings] <circuit.zkey> <witness.wtns> <proof.json> <public.json>\n"
    "       groth16-prove [--threads N] --serve <circuit.zkey>   (jobs on stdin: wtns<TAB>proof.json<TAB>public.json)\n";

}  // namespace

int main(int argc, char** argv) {
  Fq::init();
  Fr::init();
  int threads = (int)std::thread::hardware_concurrency();
  if (threads < 1) threads = 1;
  bool serve = false, timings = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = atoi(argv[++i]);
      if (threads < 1 || threads > 256) {
        fprintf(stderr, "groth16-prove: --threads must be 1..256\n");
        return 2;
      }
    } else if (a == "--serve") serve = true;
    else if (a == "--timings") timings = true;
    else if (a == "-h" || a == "--help") {
      fputs(USAGE, stdout);
      return 0;
    } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "groth16-prove: unknown option %s\n%s", a.c_str(), USAGE);
      return 2;
    } else args.push_back(a);
  }
  if ((serve && args.size() != 1) || (!serve && args.size() != 4)) {
    fputs(USAGE, stderr);
    return 2;
  }
  try {
    double t0 = now();
    ZKey z = loadZkey(args[0]);
    double readZkey = now() - t0;
    if (!serve) {
      Timings tm;
      tm.add("readZkey", readZkey);
      double t = now();
      std::vector<U256> wit = loadWitness(args[1], z);
      tm.add("readWitness", now() - t);
      ProofOut p = prove(z, wit, threads, tm);
      tm.add("cpu", cpuNow());
      writeText(args[2], pretty(p.proofJson) + "\n");
      writeText(args[3], pretty(publicJson(p.publicSignals)) + "\n");
      if (timings) fprintf(stderr, "%s\n", tm.json().c_str());
      return 0;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.4f", readZkey);
    printf("{\"ready\":true,\"nVars\":%u,\"nPublic\":%u,\"domainSize\":%u,\"threads\":%d,\"readZkey\":%s}\n", z.nVars, z.nPublic, z.domainSize, threads, buf);
    fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::vector<std::string> parts;
      size_t start = 0;
      for (;;) {
        size_t tab = line.find('\t', start);
        parts.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      std::string reply;
      try {
        if (parts.size() > 3) throw ProveError(2, "USAGE", "a job line is wtns<TAB>proof.json<TAB>public.json");
        Timings tm;
        double t = now(), c0 = cpuNow();
        std::vector<U256> wit = loadWitness(parts[0], z);
        tm.add("readWitness", now() - t);
        ProofOut p = prove(z, wit, threads, tm);
        tm.add("cpu", cpuNow() - c0);
        if (parts.size() > 1) writeText(parts[1], pretty(p.proofJson) + "\n");
        if (parts.size() > 2) writeText(parts[2], pretty(publicJson(p.publicSignals)) + "\n");
        reply = "{\"ok\":true,\"proof\":" + p.proofJson + ",\"publicSignals\":" + publicJson(p.publicSignals) + ",\"timings\":" + tm.json() + "}";
      } catch (const ProveError& e) {
        reply = "{\"ok\":false,\"code\":\"" + e.code + "\",\"error\":\"" + jsonEscape(e.what()) + "\"}";
      } catch (const std::exception& e) {
        reply = "{\"ok\":false,\"code\":\"INTERNAL\",\"error\":\"" + jsonEscape(e.what()) + "\"}";
      }
      printf("%s\n", reply.c_str());
      fflush(stdout);
    }
    return 0;
  } catch (const ProveError& e) {
    fprintf(stderr, "groth16-prove: error [%s]: %s\n", e.code.c_str(), e.what());
    return e.exitCode;
  } catch (const std::bad_alloc&) {
    fprintf(stderr, "groth16-prove: error: out of memory\n");
    return 5;
  } catch (const std::exception& e) {
    fprintf(stderr, "groth16-prove: error: %s\n", e.what());
    return 5;
  }
}
