// DFT, STFT, the window functions and MelWeightMatrix against references written here
// (a naive O(n^2) DFT in double).
#include <cmath>
#include <complex>
#include <numbers>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

using cd = std::complex<double>;

std::vector<cd> naive_dft(const std::vector<cd>& x, bool inverse) {
  const size_t n = x.size();
  std::vector<cd> y(n);
  const double sign = inverse ? 1 : -1;
  for (size_t k = 0; k < n; ++k) {
    cd s = 0;
    for (size_t j = 0; j < n; ++j)
      s += x[j] * std::polar(1.0, sign * 2 * std::numbers::pi * double(j * k % n) / double(n));
    y[k] = inverse ? s / double(n) : s;
  }
  return y;
}

NodeRun snode(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
              int64_t opset = 17) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  r.provider = "ref";
  return r;
}

}  // namespace

TEST_CASE("DFT: lengths (radix-2 and Bluestein), axes, inverse, onesided, dft_length", "[signal][dft]") {
  struct Case {
    Shape x;
    int64_t axis;
    bool inverse, onesided;
    int64_t dft_length;  // 0 = none
  };
  const std::vector<Case> cases = {{{2, 8, 1}, 1, false, false, 0},      {{1, 10, 2}, 1, false, false, 0},
                                   {{1, 7, 3, 2}, 1, true, false, 0},    {{2, 3, 12, 1}, 2, false, true, 0},
                                   {{2, 3, 12, 1}, -2, false, false, 0}, {{1, 5, 1}, 1, false, false, 8},
                                   {{1, 9, 2}, 1, false, false, 6},      {{1, 1, 1}, 1, false, false, 0},
                                   {{1, 13, 2}, 1, true, false, 0},      {{3, 16, 1}, 1, false, true, 0},
                                   {{1, 6, 4, 2}, 0, false, false, 0}};
  uint64_t seed = 1;
  for (const Case& c : cases) {
    INFO("x " << shape_to_string(c.x) << " axis " << c.axis);
    Tensor x = random_float(c.x, seed++, -2, 2);
    const size_t r = c.x.size();
    const size_t axis = static_cast<size_t>(c.axis < 0 ? c.axis + static_cast<int64_t>(r) : c.axis);
    const int64_t comps = c.x.back(), in_len = c.x[axis], n = c.dft_length ? c.dft_length : in_len;
    std::vector<Attribute> attrs{attr_int("axis", c.axis)};
    if (c.inverse) attrs.push_back(attr_int("inverse", 1));
    if (c.onesided) attrs.push_back(attr_int("onesided", 1));
    std::vector<Tensor> in{x};
    if (c.dft_length) in.push_back(Tensor::scalar<int64_t>(c.dft_length));
    Tensor y = run_all(snode("DFT", in, attrs));
    Shape want_shape = c.x;
    want_shape[axis] = c.onesided ? n / 2 + 1 : n;
    want_shape.back() = 2;
    REQUIRE(y.shape() == want_shape);
    // Reference line by line.
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < axis; ++i) outer *= c.x[i];
    for (size_t i = axis + 1; i + 1 < r; ++i) inner *= c.x[i];
    const int64_t out_len = want_shape[axis];
    std::vector<double> want(static_cast<size_t>(y.numel()));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t l = 0; l < inner; ++l) {
        std::vector<cd> line(static_cast<size_t>(n), 0);
        for (int64_t k = 0; k < std::min(n, in_len); ++k) {
          const int64_t idx = ((o * in_len + k) * inner + l) * comps;
          line[k] = {get_value(x, idx), comps == 2 ? get_value(x, idx + 1) : 0.0};
        }
        std::vector<cd> f = naive_dft(line, c.inverse);
        for (int64_t k = 0; k < out_len; ++k) {
          const int64_t idx = ((o * out_len + k) * inner + l) * 2;
          want[idx] = f[k].real();
          want[idx + 1] = f[k].imag();
        }
      }
    require_values(y, want, 1e-4, 1e-4);
  }
  // A long prime length through Bluestein, in double.
  Tensor xd(DType::Double, {1, 101, 2});
  for (int64_t i = 0; i < xd.numel(); ++i) set_value(xd, i, std::sin(0.37 * double(i)) + 0.1 * double(i % 7));
  Tensor yd = run_all(snode("DFT", {xd}));
  std::vector<cd> line(101);
  for (int64_t k = 0; k < 101; ++k) line[k] = {get_value(xd, 2 * k), get_value(xd, 2 * k + 1)};
  std::vector<cd> f = naive_dft(line, false);
  std::vector<double> want;
  for (const cd& v : f) want.push_back(v.real()), want.push_back(v.imag());
  require_values(yd, want, 1e-9, 1e-9);

  Tensor x = random_float({1, 4, 1}, 3);
  expect_error_all(snode("DFT", {x}, {attr_int("axis", 2)}));
  expect_error_all(snode("DFT", {x}, {attr_int("axis", -1)}));
  expect_error_all(snode("DFT", {x, Tensor::scalar<int64_t>(0)}));
  expect_error_all(snode("DFT", {random_float({1, 4, 3}, 3)}));
  expect_error_all(snode("DFT", {random_float({1, 4, 2}, 3)}, {attr_int("onesided", 1)}));
}

TEST_CASE("STFT: frames, windows, onesided and complex signals", "[signal][stft]") {
  struct Case {
    Shape x;
    int64_t step, frame_length;
    bool window, onesided;
  };
  const std::vector<Case> cases = {{{1, 128, 1}, 8, 16, false, true},
                                   {{2, 50, 1}, 7, 10, true, true},
                                   {{1, 40, 2}, 5, 12, true, false},
                                   {{1, 9, 1}, 3, 9, false, false}};
  uint64_t seed = 10;
  for (const Case& c : cases) {
    Tensor x = random_float(c.x, seed++, -1, 1);
    Tensor w = random_float({c.frame_length}, seed++, 0, 1);
    std::vector<Tensor> in{x, Tensor::scalar<int64_t>(c.step)};
    in.push_back(c.window ? w : Tensor());
    if (!c.window || seed % 2) in.push_back(Tensor::scalar<int64_t>(c.frame_length));
    std::vector<Attribute> attrs;
    if (!c.onesided) attrs.push_back(attr_int("onesided", 0));
    Tensor y = run_all(snode("STFT", in, attrs));
    const int64_t frames = (c.x[1] - c.frame_length) / c.step + 1;
    const int64_t bins = c.onesided ? c.frame_length / 2 + 1 : c.frame_length;
    REQUIRE(y.shape() == Shape{c.x[0], frames, bins, 2});
    std::vector<double> want;
    const int64_t comps = c.x[2];
    for (int64_t b = 0; b < c.x[0]; ++b)
      for (int64_t f = 0; f < frames; ++f) {
        std::vector<cd> line(static_cast<size_t>(c.frame_length));
        for (int64_t k = 0; k < c.frame_length; ++k) {
          const int64_t idx = (b * c.x[1] + f * c.step + k) * comps;
          const double wk = c.window ? get_value(w, k) : 1.0;
          line[k] = cd(get_value(x, idx), comps == 2 ? get_value(x, idx + 1) : 0.0) * wk;
        }
        std::vector<cd> F = naive_dft(line, false);
        for (int64_t k = 0; k < bins; ++k) want.push_back(F[k].real()), want.push_back(F[k].imag());
      }
    require_values(y, want, 1e-4, 1e-4);
  }
  Tensor x = random_float({1, 10, 1}, 1);
  expect_error_all(snode("STFT", {x, Tensor::scalar<int64_t>(2)}));  // no length
  REQUIRE_THROWS_AS(
      run_all(snode("STFT", {x, Tensor::scalar<int64_t>(0), Tensor(), Tensor::scalar<int64_t>(4)})),
      Error);
  REQUIRE_THROWS_AS(
      run_all(snode("STFT", {x, Tensor::scalar<int64_t>(1), Tensor(), Tensor::scalar<int64_t>(11)})),
      Error);
  REQUIRE_THROWS_AS(
      run_all(snode("STFT", {x, Tensor::scalar<int64_t>(1), random_float({5}, 2), Tensor::scalar<int64_t>(4)})),
      Error);
}

TEST_CASE("Hann, Hamming and Blackman windows: periodic, symmetric, dtypes", "[signal][window]") {
  struct W {
    const char* op;
    double a0, a1, a2;
  };
  for (const W& w : {W{"HannWindow", 0.5, 0.5, 0}, W{"HammingWindow", 25.0 / 46, 21.0 / 46, 0},
                     W{"BlackmanWindow", 0.42, 0.5, 0.08}})
    for (int64_t size : {1, 2, 10, 17})
      for (bool periodic : {true, false}) {
        INFO(w.op << " size " << size << " periodic " << periodic);
        const double N = double(periodic ? size : size - 1);
        std::vector<double> want;
        for (int64_t n = 0; n < size; ++n) {
          const double x = 2 * std::numbers::pi * double(n) / N;
          want.push_back(N == 0 ? 1.0 : w.a0 - w.a1 * std::cos(x) + w.a2 * std::cos(2 * x));
        }
        Tensor y = run_all(snode(w.op, {Tensor::scalar<int32_t>(static_cast<int32_t>(size))},
                              {attr_int("periodic", periodic)}));
        REQUIRE(y.dtype() == DType::Float);
        REQUIRE(y.shape() == Shape{size});
        require_values(y, want, 1e-6, 1e-7);
        Tensor yd = run_all(snode(w.op, {Tensor::scalar<int64_t>(size)},
                               {attr_int("periodic", periodic), attr_int("output_datatype", 11)}));
        REQUIRE(yd.dtype() == DType::Double);
        require_values(yd, want, 1e-12, 1e-12);
      }
  REQUIRE(run_all(snode("HannWindow", {Tensor::scalar<int64_t>(0)})).shape() == Shape{0});
  expect_error_all(snode("HannWindow", {Tensor::scalar<int64_t>(-1)}));
  REQUIRE_THROWS_AS(
      run_all(snode("HannWindow", {Tensor::scalar<int64_t>(3)}, {attr_int("output_datatype", 8)})),
      Error);
}

TEST_CASE("MelWeightMatrix: triangular filters", "[signal][mel]") {
  auto mel_ref = [](int64_t bins, int64_t dft, int64_t rate, double lo, double hi) {
    const int64_t spec = dft / 2 + 1;
    auto mel = [](double f) { return 2595 * std::log10(1 + f / 700); };
    const double step = (mel(hi) - mel(lo)) / double(bins + 2);
    std::vector<int64_t> pts;
    for (int64_t i = 0; i < bins + 2; ++i) {
      double hz = 700 * (std::pow(10.0, (double(i) * step + mel(lo)) / 2595) - 1);
      pts.push_back(static_cast<int64_t>(std::floor(double(dft + 1) * hz / double(rate))));
    }
    std::vector<double> out(static_cast<size_t>(spec * bins), 0);
    for (int64_t i = 0; i < bins; ++i) {
      const int64_t l = pts[i], c = pts[i + 1], h = pts[i + 2];
      if (c == l)
        out[c * bins + i] = 1;
      else
        for (int64_t j = l; j <= c; ++j) out[j * bins + i] = double(j - l) / double(c - l);
      for (int64_t j = c; j < h; ++j) out[j * bins + i] = double(h - j) / double(h - c);
    }
    return out;
  };
  struct Case {
    int64_t bins, dft, rate;
    float lo, hi;
  };
  for (const Case& c :
       {Case{8, 16, 8192, 0, 4096}, Case{10, 64, 16000, 100, 7000}, Case{4, 30, 1000, 20, 450}}) {
    Tensor y = run_all(snode("MelWeightMatrix", {Tensor::scalar<int32_t>(static_cast<int32_t>(c.bins)),
                                              Tensor::scalar<int64_t>(c.dft), Tensor::scalar<int64_t>(c.rate),
                                              Tensor::scalar<float>(c.lo), Tensor::scalar<float>(c.hi)}));
    REQUIRE(y.shape() == Shape{c.dft / 2 + 1, c.bins});
    require_values(y, mel_ref(c.bins, c.dft, c.rate, c.lo, c.hi), 1e-6, 1e-7);
  }
  expect_error_all(snode("MelWeightMatrix", {Tensor::scalar<int64_t>(4), Tensor::scalar<int64_t>(16),
                                                   Tensor::scalar<int64_t>(100), Tensor::scalar<float>(10),
                                                   Tensor::scalar<float>(80)}));  // upper edge above the Nyquist frequency
}
