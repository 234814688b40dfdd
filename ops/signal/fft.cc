#include "ops/signal/fft.h"

#include <cmath>
#include <numbers>
#include <utility>

#include "onnxi/error.h"

namespace onnxi::signal {

namespace {
bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }
}  // namespace

FftPlan::FftPlan(int64_t n, bool inverse) : n_(n), pow2_(is_pow2(n)) {
  if (n <= 0) throw Error(Stage::Run, "DFT length must be positive");
  const double sign = inverse ? 1.0 : -1.0;
  if (pow2_) {
    twiddles_.resize(static_cast<size_t>(n / 2));
    for (int64_t k = 0; k < n / 2; ++k) {
      const double a = sign * 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
      twiddles_[k] = {std::cos(a), std::sin(a)};
    }
    return;
  }
  // X_k = conj(b_k) * sum_j (x_j conj(b_j)) b_{k-j} with b_j = exp(-sign * pi i j^2 / n): a
  // circular convolution of length m >= 2n - 1 done with power-of-two transforms.
  m_ = 1;
  while (m_ < 2 * n - 1) m_ *= 2;
  chirp_.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    // j^2 mod 2n keeps the angle small and exact.
    const int64_t q =
        static_cast<int64_t>((static_cast<unsigned __int128>(j) * j) % (2 * static_cast<uint64_t>(n)));
    const double a = -sign * std::numbers::pi * static_cast<double>(q) / static_cast<double>(n);
    chirp_[j] = {std::cos(a), std::sin(a)};
  }
  fwd_ = std::make_unique<FftPlan>(m_, false);
  inv_ = std::make_unique<FftPlan>(m_, true);
  chirp_fft_.assign(static_cast<size_t>(m_), {0, 0});
  chirp_fft_[0] = chirp_[0];
  for (int64_t j = 1; j < n; ++j) chirp_fft_[j] = chirp_fft_[m_ - j] = chirp_[j];
  fwd_->transform(chirp_fft_.data());
  work_.resize(static_cast<size_t>(m_));
}

FftPlan::~FftPlan() = default;

void FftPlan::transform(std::complex<double>* data) {
  if (n_ == 1) return;
  if (pow2_) {
    radix2(data);
    return;
  }
  std::fill(work_.begin(), work_.end(), std::complex<double>(0, 0));
  for (int64_t j = 0; j < n_; ++j) work_[j] = data[j] * std::conj(chirp_[j]);
  fwd_->transform(work_.data());
  for (int64_t i = 0; i < m_; ++i) work_[i] *= chirp_fft_[i];
  inv_->transform(work_.data());
  const double scale = 1.0 / static_cast<double>(m_);
  for (int64_t k = 0; k < n_; ++k) data[k] = work_[k] * scale * std::conj(chirp_[k]);
}

void FftPlan::radix2(std::complex<double>* data) const {
  const int64_t n = n_;
  for (int64_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t half = len / 2, step = n / len;
    for (int64_t start = 0; start < n; start += len)
      for (int64_t k = 0; k < half; ++k) {
        const std::complex<double> t = data[start + k + half] * twiddles_[k * step];
        data[start + k + half] = data[start + k] - t;
        data[start + k] += t;
      }
  }
}

}  // namespace onnxi::signal
