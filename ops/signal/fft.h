// Complex discrete Fourier transforms of any length in double precision: iterative
// radix-2 for powers of two, Bluestein's chirp-z (through a power-of-two transform) for
// other lengths. A plan holds the twiddles for one length and direction.
#pragma once
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace onnxi::signal {

class FftPlan {
 public:
  // inverse: exponent sign +; no 1/n scaling either way. n must be positive.
  FftPlan(int64_t n, bool inverse);
  ~FftPlan();
  int64_t size() const { return n_; }
  // Transforms `data` (n values) in place. Not const: Bluestein's lengths use the plan's
  // work buffer, so one plan serves one caller at a time.
  void transform(std::complex<double>* data);

 private:
  void radix2(std::complex<double>* data) const;  // power-of-two n_ only

  int64_t n_;
  bool pow2_;
  std::vector<std::complex<double>> twiddles_;  // radix-2: exp(-+2 pi i k / n), k < n/2
  // Bluestein: chirp b_k (k < n) and the transform of the padded chirp.
  std::vector<std::complex<double>> chirp_, chirp_fft_;
  std::unique_ptr<FftPlan> fwd_, inv_;  // power-of-two plans of length m_
  int64_t m_ = 0;
  std::vector<std::complex<double>> work_;
};

}  // namespace onnxi::signal
