// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool and the onnxi::Nhwc* pooling
// variants, both providers, against a direct double-precision reference.
#include <catch2/catch.hpp>
#include <limits>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

struct PoolCase {
  std::string name;
  Shape x;
  std::vector<int64_t> kernel, strides, dilations, pads;  // empty = attribute absent
  std::string auto_pad;
  bool ceil_mode = false;
  bool count_include_pad = false;
};

struct PoolRef {
  Shape shape;
  std::vector<double> y;
  std::vector<double> indices;  // MaxPool only
};

// Direct pooling over up to 3 spatial dims; the padding and output size are worked out
// here from the ONNX formulas (ceil_mode drops a last window that would start in the end
// padding, as PyTorch and later ONNX versions specify).
PoolRef reference_pool(const PoolCase& c, bool is_max, const std::vector<double>& x, int storage_order = 0) {
  const size_t r = c.kernel.size();
  std::vector<int64_t> in(3, 1), k(3, 1), s(3, 1), d(3, 1), pb(3, 0), pe(3, 0), out(3, 1);
  PoolRef res;
  res.shape = {c.x[0], c.x[1]};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in[j] = c.x[2 + i];
    k[j] = c.kernel[i];
    s[j] = c.strides.empty() ? 1 : c.strides[i];
    d[j] = c.dilations.empty() ? 1 : c.dilations[i];
    const int64_t ext = d[j] * (k[j] - 1) + 1;
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      out[j] = (in[j] + s[j] - 1) / s[j];
      const int64_t total = std::max<int64_t>(0, (out[j] - 1) * s[j] + ext - in[j]);
      pb[j] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe[j] = total - pb[j];
    } else if (c.auto_pad == "VALID") {
      out[j] = (in[j] - ext) / s[j] + 1;
    } else {
      pb[j] = c.pads.empty() ? 0 : c.pads[i];
      pe[j] = c.pads.empty() ? 0 : c.pads[i + r];
      const double exact = double(in[j] + pb[j] + pe[j] - ext) / double(s[j]) + 1;
      out[j] = static_cast<int64_t>(c.ceil_mode ? std::ceil(exact) : std::floor(exact));
      if (c.ceil_mode && (out[j] - 1) * s[j] >= in[j] + pb[j]) --out[j];
    }
    res.shape.push_back(out[j]);
  }
  const int64_t planes = c.x[0] * c.x[1], in_size = in[0] * in[1] * in[2];
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t o0 = 0; o0 < out[0]; ++o0)
      for (int64_t o1 = 0; o1 < out[1]; ++o1)
        for (int64_t o2 = 0; o2 < out[2]; ++o2) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int64_t best_i = -1, valid = 0, padded = 0;
          for (int64_t k0 = 0; k0 < k[0]; ++k0)
            for (int64_t k1 = 0; k1 < k[1]; ++k1)
              for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                const int64_t i0 = o0 * s[0] - pb[0] + k0 * d[0];
                const int64_t i1 = o1 * s[1] - pb[1] + k1 * d[1];
                const int64_t i2 = o2 * s[2] - pb[2] + k2 * d[2];
                const bool in_padded = i0 < in[0] + pe[0] && i1 < in[1] + pe[1] && i2 < in[2] + pe[2];
                padded += in_padded;
                if (i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2]) continue;
                const double v = x[p * in_size + (i0 * in[1] + i1) * in[2] + i2];
                ++valid;
                sum += v;
                if (v > best) {
                  best = v;
                  const int64_t local =
                      storage_order == 0 ? (i0 * in[1] + i1) * in[2] + i2 : (i2 * in[1] + i1) * in[0] + i0;
                  best_i = p * in_size + local;
                }
              }
          if (is_max) {
            res.y.push_back(best);
            res.indices.push_back(static_cast<double>(best_i));
          } else {
            res.y.push_back(sum / double(c.count_include_pad ? padded : valid));
          }
        }
  return res;
}

std::vector<Attribute> pool_attrs(const PoolCase& c) {
  std::vector<Attribute> a{attr_ints("kernel_shape", c.kernel)};
  if (!c.strides.empty()) a.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) a.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) a.push_back(attr_ints("pads", c.pads));
  if (!c.auto_pad.empty()) a.push_back(attr_string("auto_pad", c.auto_pad));
  if (c.ceil_mode) a.push_back(attr_int("ceil_mode", 1));
  if (c.count_include_pad) a.push_back(attr_int("count_include_pad", 1));
  return a;
}

const std::vector<PoolCase>& pool_cases() {
  static const std::vector<PoolCase> cases = {
      {"2x2 stride 2", {1, 3, 8, 8}, {2, 2}, {2, 2}, {}, {}, ""},
      {"3x3 stride 2 pad 1, batch 3", {3, 4, 9, 7}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, ""},
      {"3x2 asymmetric pads", {1, 2, 7, 9}, {3, 2}, {1, 2}, {}, {1, 0, 0, 1}, ""},
      {"ceil_mode stride 2", {2, 3, 10, 10}, {3, 3}, {2, 2}, {}, {}, "", true},
      {"ceil_mode with pads", {1, 2, 11, 8}, {3, 3}, {2, 2}, {}, {1, 1, 0, 0}, "", true},
      {"ceil_mode stride 3 > kernel", {1, 2, 10, 9}, {2, 2}, {3, 3}, {}, {}, "", true},
      {"ceil_mode drops a window in the end padding",
       {1, 2, 6, 6},
       {2, 2},
       {2, 2},
       {},
       {0, 0, 1, 1},
       "",
       true},
      {"stride larger than kernel", {1, 3, 11, 10}, {2, 3}, {3, 4}, {}, {}, ""},
      {"dilation 2", {1, 3, 9, 9}, {3, 3}, {}, {2, 2}, {}, ""},
      {"dilation with pads and stride", {2, 3, 9, 10}, {2, 3}, {2, 2}, {2, 1}, {1, 1, 1, 1}, ""},
      {"SAME_UPPER stride 2", {1, 2, 8, 7}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER stride 2 even kernel", {1, 2, 8, 7}, {4, 4}, {2, 2}, {}, {}, "SAME_LOWER"},
      {"SAME_LOWER stride 1", {2, 3, 5, 6}, {2, 3}, {}, {}, {}, "SAME_LOWER"},
      {"VALID stride 2", {1, 2, 8, 7}, {3, 2}, {2, 2}, {}, {}, "VALID"},
      {"7x7 whole image", {2, 5, 7, 7}, {7, 7}, {}, {}, {}, ""},
      {"count_include_pad with pads", {2, 3, 9, 7}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, "", false, true},
      {"count_include_pad with ceil_mode only", {2, 3, 10, 10}, {3, 3}, {2, 2}, {}, {}, "", true, true},
      {"count_include_pad SAME_UPPER", {1, 2, 8, 7}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER", false, true},
      {"1x1 stride 2", {1, 4, 7, 7}, {1, 1}, {2, 2}, {}, {}, ""},
      {"many channels", {1, 37, 6, 5}, {3, 3}, {1, 1}, {}, {1, 1, 1, 1}, ""},
      {"1-D", {2, 3, 11}, {3}, {2}, {}, {1, 0}, ""},
      {"1-D ceil_mode count_include_pad", {1, 2, 10}, {4}, {3}, {}, {1, 1}, "", true, true},
      {"3-D", {1, 2, 5, 6, 7}, {2, 3, 2}, {1, 2, 2}, {}, {0, 1, 1, 1, 0, 0}, ""},
      {"3-D dilation SAME_UPPER", {2, 2, 5, 5, 6}, {2, 2, 2}, {1, 1, 2}, {2, 1, 1}, {}, "SAME_UPPER"},
  };
  return cases;
}

bool has_nonzero(const std::vector<int64_t>& v) {
  return std::any_of(v.begin(), v.end(), [](int64_t p) { return p != 0; });
}

bool has_dilation(const PoolCase& c) {
  return std::any_of(c.dilations.begin(), c.dilations.end(), [](int64_t d) { return d != 1; });
}

// What the XNNPACK provider is expected to take: 2-D windows of more than one element;
// for averages no dilation, and count_include_pad only when no padding is applied.
bool xnnpack_expected(const PoolCase& c, bool is_max) {
  if (c.kernel.size() != 2 || c.kernel[0] * c.kernel[1] == 1) return false;
  if (is_max) return true;
  if (has_dilation(c)) return false;
  return !(c.count_include_pad && (has_nonzero(c.pads) || c.auto_pad.rfind("SAME", 0) == 0));
}

template <class T>
void check_pool(const PoolCase& c, bool is_max, uint32_t seed) {
  INFO(c.name << (is_max ? " MaxPool" : " AveragePool") << " [" << dtype_name(DTypeOf<T>::value) << "]");
  Tensor x = random_tensor<T>(c.x, seed);
  PoolRef want = reference_pool(c, is_max, to_doubles(x));
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  OpTester t(is_max ? "MaxPool" : "AveragePool", !is_max && has_dilation(c) ? 19 : 12);
  for (auto& a : pool_attrs(c)) t.attr(a);
  t.input(x).expect_values(want.y).tolerance(tol, tol).threads(2);
  // XNNPACK must take the float cases where it is exact, and decline the others.
  const bool xnn = std::is_same_v<T, float> && xnnpack_expected(c, is_max);
  if (xnn) t.require("xnnpack");
  auto res = t.run();
  REQUIRE(res.ref().shape() == want.shape);
  CHECK(std::count(res.providers.begin(), res.providers.end(), "xnnpack") == xnn);
}

}  // namespace

TEST_CASE("MaxPool and AveragePool on every provider match the direct reference", "[pool][xnnpack]") {
  uint32_t seed = 1;
  for (const auto& c : pool_cases()) {
    for (bool is_max : {true, false}) {
      if (is_max && c.count_include_pad) continue;
      check_pool<float>(c, is_max, seed);
      check_pool<double>(c, is_max, seed);
    }
    ++seed;
  }
}

TEST_CASE("MaxPool Indices output, row and column major", "[pool]") {
  TestThreadPool tp(2);
  uint32_t seed = 300;
  for (const auto& c : pool_cases()) {
    if (c.count_include_pad) continue;
    for (int order : {0, 1}) {
      INFO(c.name << " storage_order=" << order);
      Tensor x = random_tensor<float>(c.x, seed++);
      PoolRef want = reference_pool(c, true, to_doubles(x), order);
      NodeRun r{"MaxPool", "", 12, pool_attrs(c), {x}, {}, 2, ""};
      r.attributes.push_back(attr_int("storage_order", order));
      NodeResult res = run_node(r, order ? tp.pool : nullptr);
      CHECK(res.provider == "ref");
      expect_close(res.outputs[0], want.shape, want.y, 1e-6);
      REQUIRE(res.outputs[1].dtype() == DType::Int64);
      expect_close(res.outputs[1], want.shape, want.indices, 0);
    }
  }
}

TEST_CASE("MaxPool on 8-bit integers (ref)", "[pool]") {
  for (const auto& c : pool_cases()) {
    if (c.count_include_pad) continue;
    INFO(c.name);
    Tensor xu(DType::UInt8, c.x), xs(DType::Int8, c.x);
    for (int64_t i = 0; i < xu.numel(); ++i) {
      xu.data<uint8_t>()[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
      xs.data<int8_t>()[i] = static_cast<int8_t>((i * 53 + 7) % 256 - 128);
    }
    for (const Tensor& x : {xu, xs}) {
      PoolRef want = reference_pool(c, true, to_doubles(x));
      NodeRun r{"MaxPool", "", 12, pool_attrs(c), {x}, {}, 1, ""};
      NodeResult res = run_node(r);
      CHECK(res.provider == "ref");
      CHECK(res.outputs[0].dtype() == x.dtype());
      expect_close(res.outputs[0], want.shape, want.y, 0);
    }
  }
}

TEST_CASE("Pooling opset differences", "[pool]") {
  Tensor x = random_tensor<float>({1, 2, 10, 10}, 5);
  PoolCase c{"", {1, 2, 10, 10}, {3, 3}, {2, 2}, {}, {}, "", false};
  SECTION("MaxPool before opset 8 has no Indices output") {
    NodeRun r{"MaxPool", "", 7, pool_attrs(c), {x}, {}, 2, ""};
    CHECK_THROWS_AS(run_node(r), Error);
    r.opset = 8;
    CHECK(run_node(r).outputs[1].dtype() == DType::Int64);
  }
  SECTION("ceil_mode is read from opset 10") {
    PoolCase cc = c;
    cc.ceil_mode = true;
    for (int64_t opset : {9, 10}) {
      for (std::string op : {"MaxPool", "AveragePool"}) {
        INFO(op << " opset " << opset);
        NodeRun r{op, "", opset, pool_attrs(cc), {x}, {}, 1, ""};
        PoolRef want = reference_pool(opset >= 10 ? cc : c, op == "MaxPool", to_doubles(x));
        expect_close(run_node(r).outputs[0], want.shape, want.y, 1e-5);
      }
    }
  }
  SECTION("count_include_pad is read from opset 7") {
    PoolCase cc{"", {1, 2, 10, 10}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, "", false, true};
    for (int64_t opset : {6, 7}) {
      NodeRun r{"AveragePool", "", opset, pool_attrs(cc), {x}, {}, 1, ""};
      PoolCase ref_case = cc;
      ref_case.count_include_pad = opset >= 7;
      PoolRef want = reference_pool(ref_case, false, to_doubles(x));
      expect_close(run_node(r).outputs[0], want.shape, want.y, 1e-5);
    }
  }
}

TEST_CASE("Pooling kernels re-setup when shapes change", "[pool][xnnpack]") {
  // One kernel per provider over four input shapes, shapes known only when running.
  const std::vector<Shape> shapes = {{1, 3, 8, 8}, {3, 5, 9, 7}, {2, 3, 12, 5}, {1, 3, 8, 8}};
  for (bool is_max : {true, false}) {
    for (std::string auto_pad : {"", "SAME_UPPER"}) {
      INFO((is_max ? "MaxPool" : "AveragePool") << " auto_pad=" << auto_pad);
      PoolCase c{"", {}, {3, 3}, {2, 2}, {}, {}, auto_pad, auto_pad.empty()};
      if (auto_pad.empty()) c.pads = {1, 0, 0, 1};
      OpTester t(is_max ? "MaxPool" : "AveragePool", 12);
      for (Attribute& a : pool_attrs(c)) t.attr(a);
      uint32_t seed = 70;
      for (size_t k = 0; k < shapes.size(); ++k) {
        c.x = shapes[k];
        Tensor x = random_tensor<float>(c.x, seed++);
        PoolRef want = reference_pool(c, is_max, to_doubles(x));
        if (k == 0)
          t.input(x);
        else
          t.then({x});
        t.expect(make_tensor(DType::Float, want.shape, want.y));
      }
      t.tolerance(1e-5, 1e-5).dynamic_shapes().threads(2).require("xnnpack").run();
    }
  }
}

TEST_CASE("GlobalAveragePool and GlobalMaxPool", "[pool]") {
  TestThreadPool tp(2);
  for (Shape s : {Shape{2, 3, 5, 4}, Shape{1, 4, 7}, Shape{2, 3, 2, 3, 4}, Shape{3, 5}, Shape{1, 2, 1, 1}}) {
    for (bool is_max : {false, true}) {
      for (DType t : {DType::Float, DType::Double}) {
        INFO(shape_to_string(s) << (is_max ? " GlobalMaxPool " : " GlobalAveragePool ") << dtype_name(t));
        Tensor x = cast_tensor(random_tensor<double>(s, 9), t);
        std::vector<double> xd = to_doubles(x), want;
        const int64_t planes = s[0] * s[1], size = x.numel() / planes;
        for (int64_t p = 0; p < planes; ++p) {
          double acc = is_max ? -1e300 : 0;
          for (int64_t i = 0; i < size; ++i)
            acc = is_max ? std::max(acc, xd[p * size + i]) : acc + xd[p * size + i];
          want.push_back(is_max ? acc : acc / double(size));
        }
        Shape want_shape(s.size(), 1);
        want_shape[0] = s[0];
        want_shape[1] = s[1];
        NodeRun r{is_max ? "GlobalMaxPool" : "GlobalAveragePool", "", 1, {}, {x}, {}, 1, "ref"};
        NodeResult res = run_node(r, tp.pool);
        expect_close(res.outputs[0], want_shape, want, t == DType::Float ? 1e-5 : 1e-12);
      }
    }
  }
}

// ---- NHWC variants ----

TEST_CASE("NhwcMaxPool and NhwcAveragePool match the reference through transposes", "[pool][nhwc]") {
  uint32_t seed = 500;
  for (const auto& c : pool_cases()) {
    if (c.kernel.size() != 2) continue;
    for (bool is_max : {true, false}) {
      if (is_max && c.count_include_pad) continue;
      for (DType t : {DType::Float, DType::Double}) {
        INFO(c.name << (is_max ? " NhwcMaxPool" : " NhwcAveragePool") << " [" << dtype_name(t) << "]");
        Tensor x = cast_tensor(random_tensor<double>(c.x, seed++), t);
        PoolRef want = reference_pool(c, is_max, to_doubles(x));
        const double tol = t == DType::Float ? 1e-5 : 1e-12;
        OpTester op(is_max ? "NhwcMaxPool" : "NhwcAveragePool", 1, "onnxi");
        for (auto& a : pool_attrs(c)) op.attr(a);
        op.input(to_nhwc(x))
            .expect_values(values_of(to_nhwc(make_tensor(DType::Double, want.shape, want.y))))
            .tolerance(tol, tol)
            .threads(2);
        const bool xnn = t == DType::Float && xnnpack_expected(c, is_max);
        if (xnn) op.require("xnnpack");
        auto res = op.run();
        CHECK(std::count(res.providers.begin(), res.providers.end(), "xnnpack") == xnn);
      }
    }
  }
}

TEST_CASE("NhwcGlobalAveragePool", "[pool][nhwc]") {
  OpTester t("NhwcGlobalAveragePool", 1, "onnxi");
  uint32_t seed = 11;
  bool first = true;
  for (Shape s : {Shape{2, 16, 7, 7}, Shape{1, 3, 5, 3}, Shape{3, 64, 1, 1}, Shape{1, 5, 3, 4}}) {
    Tensor x = random_tensor<float>(s, seed++);
    std::vector<double> xd = to_doubles(x), want;
    const int64_t size = s[2] * s[3];
    for (int64_t p = 0; p < s[0] * s[1]; ++p) {
      double acc = 0;
      for (int64_t i = 0; i < size; ++i) acc += xd[p * size + i];
      want.push_back(acc / double(size));
    }
    if (first)
      t.input(to_nhwc(x));
    else
      t.then({to_nhwc(x)});
    first = false;
    t.expect(to_nhwc(make_tensor(DType::Float, {s[0], s[1], 1, 1}, want)));
  }
  t.tolerance(1e-5, 1e-5).dynamic_shapes().threads(2).require("xnnpack").run();
  Tensor xd = random_tensor<double>({2, 3, 3, 4}, 3);
  NodeRun rd{"NhwcGlobalAveragePool", "onnxi", 1, {}, {xd}, {}, 1, ""};
  CHECK(run_node(rd).provider == "ref");
}

TEST_CASE("NhwcAveragePool xnnpack re-setup when channels change", "[pool][nhwc][xnnpack]") {
  PoolCase c{"", {}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, ""};
  OpTester t("NhwcAveragePool", 1, "onnxi");
  for (Attribute& a : pool_attrs(c)) t.attr(a);
  uint32_t seed = 3;
  bool first = true;
  for (Shape s : {Shape{1, 3, 8, 8}, Shape{2, 5, 8, 8}, Shape{1, 3, 9, 6}}) {
    c.x = s;
    Tensor x = random_tensor<float>(s, seed++);
    PoolRef want = reference_pool(c, false, to_doubles(x));
    if (first)
      t.input(to_nhwc(x));
    else
      t.then({to_nhwc(x)});
    first = false;
    t.expect(to_nhwc(make_tensor(DType::Float, want.shape, want.y)));
  }
  t.tolerance(1e-5, 1e-5).dynamic_shapes().require("xnnpack").run();
}

// ---- errors ----

namespace {

void expect_pool_error(const std::string& op, Shape x, std::vector<Attribute> attrs, int64_t opset = 12,
                       size_t outputs = 1) {
  const bool nhwc = op.rfind("Nhwc", 0) == 0;
  INFO(op);
  NodeRun r{op, nhwc ? "onnxi" : "", opset, attrs, {random_tensor<float>(x, 1)}, {}, outputs, ""};
  expect_error_all(r);
  CHECK_THROWS_AS(run_node(r), Error);  // and the best provider, as a session picks it
}

}  // namespace

TEST_CASE("Pooling rejects invalid nodes with Error", "[pool][errors]") {
  for (std::string op : {"MaxPool", "AveragePool", "NhwcMaxPool", "NhwcAveragePool"}) {
    const Shape x{1, 3, 8, 8};
    expect_pool_error(op, x, {});  // no kernel_shape
    expect_pool_error(op, x, {attr_ints("kernel_shape", {})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 0})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {1})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {0, 1})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {0, 0, -1, 0})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1})});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_string("auto_pad", "FOO")});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3, 3}), attr_int("ceil_mode", 2)});
    expect_pool_error(op, x,
                      {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}),
                       attr_string("auto_pad", "SAME_UPPER")});
    expect_pool_error(op, x, {attr_ints("kernel_shape", {9, 9})});          // larger than the input
    expect_pool_error(op, {1, 3, 8}, {attr_ints("kernel_shape", {3, 3})});  // X rank
    expect_pool_error(op, x, {attr_ints("kernel_shape", {3})});             // kernel rank
  }
  expect_pool_error("AveragePool", {1, 3, 8, 8},
                    {attr_ints("kernel_shape", {3, 3}), attr_int("count_include_pad", 2)});
  expect_pool_error("MaxPool", {1, 3, 8, 8},
                    {attr_ints("kernel_shape", {3, 3}), attr_int("storage_order", 3)});
  expect_pool_error("MaxPool", {1, 3, 8, 8}, {attr_ints("kernel_shape", {3, 3})}, 7,
                    2);  // Indices before opset 8
  expect_pool_error("MaxPool", {1, 3, 8, 8}, {attr_ints("kernel_shape", {3, 3})}, 12, 3);
  expect_pool_error("NhwcMaxPool", {1, 8, 8, 3}, {attr_ints("kernel_shape", {3, 3})}, 1, 2);
  expect_pool_error("MaxPool", {1, 1, 3, 3, 3, 3},
                    {attr_ints("kernel_shape", {1, 1, 1, 1})});  // 4 spatial dims
  expect_pool_error("GlobalAveragePool", {3}, {});
  expect_pool_error("GlobalMaxPool", {3}, {});
  expect_pool_error("NhwcGlobalAveragePool", {3, 4, 5}, {});
}
