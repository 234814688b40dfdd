// GridSample against a direct double-precision reference of PyTorch's grid_sample.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

// A node with the given attributes and inputs (none constant), default provider.
inline onnxi::test::NodeRun op_node(const std::string& op, int64_t opset, std::vector<onnxi::Attribute> attrs,
                                    std::vector<onnxi::Tensor> inputs) {
  onnxi::test::NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.attributes = std::move(attrs);
  r.inputs = std::move(inputs);
  return r;
}

namespace {

// Reflects by repeated folding (independent of the kernel's fmod form).
double fold(double x, double lo, double hi) {
  if (hi <= lo) return 0;
  for (int i = 0; i < 1000 && (x < lo || x > hi); ++i) x = x < lo ? 2 * lo - x : 2 * hi - x;
  return x;
}

double pad_coord(double x, int64_t size, const std::string& padding, bool align) {
  const double hi = static_cast<double>(size - 1);
  if (padding == "border") return std::min(std::max(x, 0.0), hi);
  if (padding == "reflection") {
    x = align ? fold(x, 0, hi) : fold(x, -0.5, static_cast<double>(size) - 0.5);
    return std::min(std::max(x, 0.0), hi);
  }
  return x;
}

double keys(double d) {
  const double a = -0.75;
  d = std::fabs(d);
  if (d <= 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
  if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
  return 0;
}

std::vector<double> ref_grid_sample(const Tensor& x, const Tensor& grid, const std::string& mode,
                                    const std::string& padding, bool align) {
  const std::vector<double> xv = values_of(x), gv = values_of(grid);
  const int64_t n_b = x.dim(0), c_n = x.dim(1), h = x.dim(2), w = x.dim(3), ho = grid.dim(1),
                wo = grid.dim(2);
  std::vector<double> y(static_cast<size_t>(n_b * c_n * ho * wo));
  for (int64_t n = 0; n < n_b; ++n)
    for (int64_t c = 0; c < c_n; ++c) {
      auto px = [&](int64_t r, int64_t col) {
        if (r < 0 || r >= h || col < 0 || col >= w) return 0.0;
        return xv[static_cast<size_t>(((n * c_n + c) * h + r) * w + col)];
      };
      for (int64_t i = 0; i < ho; ++i)
        for (int64_t j = 0; j < wo; ++j) {
          const size_t g = static_cast<size_t>(((n * ho + i) * wo + j) * 2);
          const double gx = gv[g], gy = gv[g + 1];
          double ix = align ? (gx + 1) / 2 * (w - 1) : ((gx + 1) * w - 1) / 2;
          double iy = align ? (gy + 1) / 2 * (h - 1) : ((gy + 1) * h - 1) / 2;
          double v = 0;
          if (mode == "bicubic") {
            const double fx = std::floor(ix), fy = std::floor(iy);
            for (int a = -1; a <= 2; ++a)
              for (int b = -1; b <= 2; ++b) {
                const double tx = fx + b, ty = fy + a;
                const int64_t cx =
                    static_cast<int64_t>(padding == "zeros" ? tx : pad_coord(tx, w, padding, align));
                const int64_t cy =
                    static_cast<int64_t>(padding == "zeros" ? ty : pad_coord(ty, h, padding, align));
                v += keys(ix - tx) * keys(iy - ty) * px(cy, cx);
              }
          } else {
            ix = pad_coord(ix, w, padding, align);
            iy = pad_coord(iy, h, padding, align);
            if (mode == "nearest") {
              v = px(static_cast<int64_t>(std::nearbyint(iy)), static_cast<int64_t>(std::nearbyint(ix)));
            } else {
              const int64_t x0 = static_cast<int64_t>(std::floor(ix)),
                            y0 = static_cast<int64_t>(std::floor(iy));
              const double dx = ix - x0, dy = iy - y0;
              v = (1 - dx) * (1 - dy) * px(y0, x0) + dx * (1 - dy) * px(y0, x0 + 1) +
                  (1 - dx) * dy * px(y0 + 1, x0) + dx * dy * px(y0 + 1, x0 + 1);
            }
          }
          y[static_cast<size_t>(((n * c_n + c) * ho + i) * wo + j)] = v;
        }
    }
  return y;
}

}  // namespace

TEST_CASE("GridSample matches the reference for every mode, padding and align_corners", "[gridsample]") {
  TestThreadPool tp(2);
  Tensor x = random_float({2, 3, 4, 5}, 1);
  Tensor grid = random_float({2, 3, 6, 2}, 2, -1.6, 1.6);  // includes positions outside [-1, 1]
  // Exact corners, centres and half-pixel positions too (rounding ties).
  Tensor grid2 = Tensor::from_vector<float>(
      {-1, -1, 1, 1, 0, 0, -0.5f, 0.5f, 0.75f, -0.25f, 3, -3, 0.2f, 0.1f, -1, 1}, {1, 2, 4, 2});
  Tensor x2 = random_float({1, 2, 4, 4}, 3);
  uint32_t n = 0;
  for (const char* mode : {"bilinear", "nearest", "bicubic"})
    for (const char* padding : {"zeros", "border", "reflection"})
      for (int64_t align : {0, 1}) {
        INFO(mode << " " << padding << " align_corners " << align);
        auto node = [&](const Tensor& xt, const Tensor& g, DType t) {
          return op_node("GridSample", 16,
                         {attr_string("mode", mode), attr_string("padding_mode", padding),
                          attr_int("align_corners", align)},
                         {cast_tensor(xt, t), cast_tensor(g, t)});
        };
        for (DType t : {DType::Float, DType::Double}) {
          Tensor y = run_node(node(x, grid, t), ++n % 2 ? tp.pool : nullptr).outputs[0];
          expect_close(y, {2, 3, 3, 6}, ref_grid_sample(x, grid, mode, padding, align == 1),
                       t == DType::Float ? 1e-5 : 1e-12);
        }
        expect_close(run_node(node(x2, grid2, DType::Float)).outputs[0], {1, 2, 2, 4},
                     ref_grid_sample(x2, grid2, mode, padding, align == 1), 1e-5);
      }
}

TEST_CASE("GridSample default attributes, empty output and errors", "[gridsample][errors]") {
  Tensor x = random_float({1, 1, 3, 3}, 4);
  Tensor grid = random_float({1, 2, 2, 2}, 5, -1, 1);
  expect_close(run_node(op_node("GridSample", 16, {}, {x, grid})).outputs[0], {1, 1, 2, 2},
               ref_grid_sample(x, grid, "bilinear", "zeros", false), 1e-5);
  CHECK(run_node(op_node("GridSample", 16, {}, {x, random_float({1, 0, 2, 2}, 6)})).outputs[0].shape() ==
        Shape{1, 1, 0, 2});
  // NaN positions read nothing (zero), never out of bounds.
  Tensor nan_grid = Tensor::from_vector<float>({NAN, 0, 0, NAN}, {1, 1, 2, 2});
  for (const char* padding : {"zeros", "border", "reflection"})
    for (const char* mode : {"bilinear", "nearest", "bicubic"})
      CHECK_NOTHROW(run_node(op_node("GridSample", 16,
                                     {attr_string("mode", mode), attr_string("padding_mode", padding)},
                                     {x, nan_grid})));
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {attr_string("mode", "linear")}, {x, grid})), Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {attr_string("padding_mode", "wrap")}, {x, grid})),
                  Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {attr_int("align_corners", 2)}, {x, grid})), Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {}, {x, random_float({2, 2, 2, 2}, 7)})), Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {}, {x, random_float({1, 2, 2, 3}, 7)})), Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {}, {random_float({1, 3, 3}, 8), grid})), Error);
  CHECK_THROWS_AS(run_node(op_node("GridSample", 16, {}, {random_float({1, 1, 0, 3}, 8), grid})), Error);
}
