// The pseudo-random source of the random generator ops (and training-mode Dropout): a
// 64-bit Mersenne Twister, seeded from the node's `seed` attribute when given (the same
// seed gives the same sequence on every platform) or from std::random_device otherwise.
// The sequences are not numpy's: outputs match the distributions, not numpy's values.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>

#include "runtime/kernel.h"

namespace onnxi {

class RandomEngine {
 public:
  explicit RandomEngine(std::optional<uint64_t> seed) {
    if (seed) {
      gen_.seed(*seed);
    } else {
      std::random_device rd;
      gen_.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
    }
  }

  // Uniform in [0, 1), with 53 random bits.
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1p-53; }

  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  std::mt19937_64 gen_;
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
