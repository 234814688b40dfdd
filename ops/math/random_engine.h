// The pseudo-random source of the random generator ops (and training-mode Dropout): the
// 32-bit Mersenne Twister with numpy's legacy RandomState draws, so that a seeded node
// gives exactly what ONNX's reference implementation (numpy.random.RandomState(seed))
// gives, on every platform: uniform() is RandomState.random_sample (53 bits from two
// draws), normal() its legacy polar Gaussian, bernoulli(p) its binomial(1, p) (inversion).
// Without a seed the generator is seeded from std::random_device. The ONNX spec names no
// generator; matching numpy's makes seeded outputs reproducible against the reference.
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>

#include "runtime/kernel.h"

namespace onnxi {

class RandomEngine {
 public:
  explicit RandomEngine(std::optional<uint64_t> seed) {
    if (seed) {
      gen_.seed(static_cast<uint32_t>(*seed));  // numpy's init_genrand(seed)
    } else {
      std::random_device rd;
      gen_.seed(rd());
    }
  }

  // Uniform in [0, 1), with 53 random bits (numpy's random_sample).
  double uniform() {
    const uint32_t a = static_cast<uint32_t>(gen_()) >> 5, b = static_cast<uint32_t>(gen_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // Standard normal (numpy's legacy_gauss: the polar method; the second value of each pair
  // is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * uniform() - 1.0;
      x2 = 2.0 * uniform() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    spare_ = f * x1;
    has_spare_ = true;
    return f * x2;
  }

  // 1 with probability p in [0, 1]: numpy's legacy binomial(1, p), the inversion
  // algorithm on the smaller of p and 1 - p (one draw, rarely more).
  bool bernoulli(double p) {
    const bool flip = p > 0.5;
    const double pp = flip ? 1.0 - p : p;
    const double q = 1.0 - pp;
    const double qn = std::exp(std::log(q));
    int64_t x = 0;
    double px = qn;
    double u = uniform();
    while (u > px) {
      if (++x > 1) {  // past the bound (1 for one trial): start over
        x = 0;
        px = qn;
        u = uniform();
      } else {
        u -= px;
        px = (pp * px) / q;
      }
    }
    return flip ? x == 0 : x == 1;
  }

 private:
  std::mt19937 gen_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// The kernel state of a node that draws random numbers: each execution context has a
// generator of its own, seeded alike (a seeded node gives every caller the same sequence).
struct RandomState : KernelState {
  RandomEngine engine;
  explicit RandomState(std::optional<uint64_t> seed) : engine(seed) {}
};

}  // namespace onnxi
