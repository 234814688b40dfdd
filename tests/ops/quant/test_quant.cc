// Quantization kernels against references written here: QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv.
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun qnode(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
              int64_t opset = 13) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  r.provider = "ref";
  return r;
}

double rint_even(double v) { return std::nearbyint(v); }
double sat(double v, DType t) {
  return t == DType::UInt8 ? std::clamp(v, 0.0, 255.0) : std::clamp(v, -128.0, 127.0);
}

Tensor scalar_f(float v) { return Tensor::scalar<float>(v); }
Tensor scalar_q(DType t, double v) { return make_tensor(t, {}, {v}); }

}  // namespace

TEST_CASE("QuantizeLinear: rounding half to even, saturation, per-axis", "[quant]") {
  // Ties go to even; values saturate.
  Tensor x = Tensor::from_vector<float>({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 1000.f, -1000.f, 3.7f}, {9});
  Tensor y = run_all(qnode("QuantizeLinear", {x, scalar_f(1.0f), scalar_q(DType::UInt8, 10)}));
  REQUIRE(y.dtype() == DType::UInt8);
  require_values(y, {10, 12, 12, 10, 8, 8, 255, 0, 14});
  Tensor yi = run_all(qnode("QuantizeLinear", {x, scalar_f(0.5f), scalar_q(DType::Int8, -3)}));
  REQUIRE(yi.dtype() == DType::Int8);
  require_values(yi, {-2, 0, 2, -4, -6, -8, 127, -128, 4});
  // No zero point: uint8, zero point 0; opset 10.
  Tensor y10 = run_all(qnode("QuantizeLinear", {x, scalar_f(2.0f)}, {}, 10));
  require_values(y10, {0, 1, 1, 0, 0, 0, 255, 0, 2});

  // Per-axis along axis 1 and -1 against a reference.
  Tensor xa = random_float({2, 3, 4}, 7, -20, 20);
  for (int64_t axis : {1, -1, 0}) {
    const int64_t n = xa.dim(static_cast<size_t>(axis < 0 ? axis + 3 : axis));
    std::vector<float> scales;
    std::vector<double> zps;
    for (int64_t i = 0; i < n; ++i)
      scales.push_back(0.05f + 0.1f * i), zps.push_back(static_cast<double>(i * 7 - 5));
    Tensor s = Tensor::from_vector<float>(scales, {n});
    Tensor z = make_tensor(DType::Int8, {n}, zps);
    Tensor q = run_all(qnode("QuantizeLinear", {xa, s, z}, {attr_int("axis", axis)}));
    std::vector<double> want;
    const float* xp = xa.data<float>();
    for (int64_t i = 0; i < xa.numel(); ++i) {
      int64_t idx[3] = {i / 12, (i / 4) % 3, i % 4};
      const int64_t c = idx[axis < 0 ? axis + 3 : axis];
      want.push_back(sat(rint_even(xp[i] / scales[c]) + zps[c], DType::Int8));
    }
    require_values(q, want);
  }
  // Per-axis scale before opset 13, or of the wrong length, is an error.
  REQUIRE_THROWS_AS(
      run_all(qnode("QuantizeLinear", {xa, Tensor::from_vector<float>({1, 2, 3}, {3})}, {}, 10)), Error);
  expect_error_all(qnode("QuantizeLinear", {xa, Tensor::from_vector<float>({1, 2}, {2})}));
}

TEST_CASE("DequantizeLinear: per tensor, per axis, int32", "[quant]") {
  Tensor x = make_tensor(DType::UInt8, {2, 3}, {0, 3, 128, 255, 10, 20});
  Tensor y = run_all(qnode("DequantizeLinear", {x, scalar_f(0.5f), scalar_q(DType::UInt8, 128)}));
  REQUIRE(y.dtype() == DType::Float);
  require_values(y, {-64, -62.5, 0, 63.5, -59, -54});
  Tensor xi = make_tensor(DType::Int8, {2, 3}, {-128, -1, 0, 1, 127, 5});
  Tensor s = Tensor::from_vector<float>({1.0f, 2.0f, 0.25f}, {3});
  Tensor z = make_tensor(DType::Int8, {3}, {0, 1, -2});
  check_all(qnode("DequantizeLinear", {xi, s, z}), {-128, -4, 0.5, 1, 252, 1.75});
  Tensor s0 = Tensor::from_vector<float>({1.0f, 3.0f}, {2});
  check_all(qnode("DequantizeLinear", {xi, s0}, {attr_int("axis", 0)}), {-128, -1, 0, 3, 381, 15});
  Tensor x32 = Tensor::from_vector<int32_t>({-100000, 7}, {2});
  check_all(qnode("DequantizeLinear", {x32, scalar_f(0.5f)}, {}, 10), {-50000, 3.5});
  expect_error_all(qnode("DequantizeLinear", {x32, scalar_f(0.5f), Tensor::scalar<int32_t>(3)}));
}

TEST_CASE("DynamicQuantizeLinear: scale, zero point and values", "[quant]") {
  for (uint64_t seed : {1, 2, 3}) {
    const double lo_in = seed == 2 ? 0.5 : -3, hi_in = seed == 3 ? -0.5 : 2;
    Tensor x = random_float({3, 5}, seed, lo_in, hi_in);
    NodeRun r = qnode("DynamicQuantizeLinear", {x});
    r.num_outputs = 3;
    NodeResult res = run_node(r);
    const float* p = x.data<float>();
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < x.numel(); ++i) lo = std::min(lo, p[i]), hi = std::max(hi, p[i]);
    const float scale = (hi - lo) / 255.0f;
    const double zp = sat(rint_even((0 - lo) / scale), DType::UInt8);
    require_values(res.outputs[1], {scale});
    require_values(res.outputs[2], {zp});
    std::vector<double> want;
    for (int64_t i = 0; i < x.numel(); ++i) want.push_back(sat(rint_even(p[i] / scale) + zp, DType::UInt8));
    require_values(res.outputs[0], want);
  }
  // All zeros: scale 0, zero point 0.
  NodeRun r = qnode("DynamicQuantizeLinear", {Tensor(DType::Float, {4})});
  r.num_outputs = 3;
  NodeResult res = run_node(r);
  require_values(res.outputs[0], {0, 0, 0, 0});
  require_values(res.outputs[1], {0});
}

namespace {

// Reference integer matmul over broadcast batches (2-D or more A and B).
std::vector<double> ref_int_matmul(const Tensor& a, const Tensor& b, const std::vector<double>& a_zp,
                                   const std::vector<double>& b_zp, Shape* out_shape) {
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  Shape ba(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2), batch;
  REQUIRE(test_broadcast(ba, bb, &batch));
  *out_shape = batch;
  out_shape->push_back(M);
  out_shape->push_back(N);
  int64_t nb = 1;
  for (int64_t d : batch) nb *= d;
  std::vector<double> out;
  for (int64_t i = 0; i < nb; ++i) {
    const int64_t ia = broadcast_index(ba, batch, i), ib = broadcast_index(bb, batch, i);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k)
          acc += (get_value(a, (ia * M + m) * K + k) - a_zp[a_zp.size() == 1 ? 0 : m]) *
                 (get_value(b, (ib * K + k) * N + n) - b_zp[b_zp.size() == 1 ? 0 : n]);
        out.push_back(acc);
      }
  }
  return out;
}

}  // namespace

TEST_CASE("MatMulInteger: zero points, batch broadcasting, int8 and uint8", "[quant]") {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3}, {3, 4}}, {{2, 1, 3, 5}, {4, 5, 2}}, {{3, 4, 2}, {2, 6}}, {{1, 1}, {1, 1}}, {{0, 3}, {3, 2}}};
  uint64_t seed = 1;
  for (const auto& [sa, sb] : shapes)
    for (DType ta : {DType::UInt8, DType::Int8})
      for (DType tb : {DType::UInt8, DType::Int8}) {
        INFO(shape_to_string(sa) << " x " << shape_to_string(sb));
        const double lo_a = ta == DType::UInt8 ? 0 : -128, hi_a = ta == DType::UInt8 ? 255 : 127;
        const double lo_b = tb == DType::UInt8 ? 0 : -128, hi_b = tb == DType::UInt8 ? 255 : 127;
        Tensor a = random_tensor(ta, sa, seed++, lo_a, hi_a);
        Tensor b = random_tensor(tb, sb, seed++, lo_b, hi_b);
        const int64_t M = sa[sa.size() - 2], N = sb.back();
        // Per-row a zero points when M > 1, scalar b zero point.
        std::vector<double> azp, bzp{ta == tb ? 3.0 : -2.0};
        for (int64_t m = 0; m < std::max<int64_t>(M, 1); ++m) azp.push_back(static_cast<double>(m * 5 % 50));
        if (M == 0) azp = {7};
        Tensor az = make_tensor(ta, {static_cast<int64_t>(azp.size())}, azp);
        if (azp.size() == 1) az = make_tensor(ta, {}, azp);
        Tensor bz = make_tensor(tb, {}, {tb == DType::UInt8 ? 3.0 : -2.0});
        bzp = {get_value(bz, 0)};
        Shape want_shape;
        std::vector<double> want = ref_int_matmul(a, b, azp, bzp, &want_shape);
        Tensor y = run_all(qnode("MatMulInteger", {a, b, az, bz}, {}, 10));
        REQUIRE(y.dtype() == DType::Int32);
        REQUIRE(y.shape() == want_shape);
        require_values(y, want);
        (void)N;
      }
  // Without zero points; 1-D operands.
  Tensor a = make_tensor(DType::UInt8, {3}, {1, 2, 3});
  Tensor b = make_tensor(DType::UInt8, {3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = run_all(qnode("MatMulInteger", {a, b}, {}, 10));
  REQUIRE(y.shape() == Shape{2});
  require_values(y, {22, 28});
  // Per-column b zero point.
  Tensor bz = make_tensor(DType::UInt8, {2}, {1, 2});
  check_all(qnode("MatMulInteger", {a, b, Tensor(), bz}, {}, 10), {16, 16});
  REQUIRE_THROWS_AS(
      run_all(qnode("MatMulInteger", {a, make_tensor(DType::UInt8, {2, 2}, {1, 2, 3, 4})}, {}, 10)),
      Error);
  REQUIRE_THROWS_AS(
      run_all(qnode("MatMulInteger", {a, b, Tensor(), make_tensor(DType::UInt8, {3}, {1, 2, 3})}, {}, 10)),
      Error);
}

TEST_CASE("QLinearMatMul: the ONNX example and a reference", "[quant]") {
  Tensor a = make_tensor(DType::UInt8, {2, 4}, {208, 236, 0, 238, 3, 214, 255, 29});
  Tensor b = make_tensor(DType::UInt8, {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247});
  auto one = [](float v) { return Tensor::from_vector<float>({v}, {1}); };
  auto oneq = [](DType t, double v) { return make_tensor(t, {1}, {v}); };
  Tensor y = run_all(qnode("QLinearMatMul",
                        {a, one(0.0066f), oneq(DType::UInt8, 113), b, one(0.00705f), oneq(DType::UInt8, 114),
                         one(0.0107f), oneq(DType::UInt8, 118)},
                        {}, 10));
  require_values(y, {168, 115, 255, 1, 66, 151});

  // int8 with a reference.
  Tensor ai = random_tensor(DType::Int8, {2, 3, 5}, 4, -128, 127);
  Tensor bi = random_tensor(DType::Int8, {5, 4}, 5, -128, 127);
  Shape shape;
  std::vector<double> acc = ref_int_matmul(ai, bi, {-3}, {2}, &shape);
  const float sa = 0.02f, sb = 0.03f, sy = 0.5f;
  std::vector<double> want;
  for (double v : acc)
    want.push_back(sat(rint_even(static_cast<float>(v) * (sa * sb / sy)) + 10, DType::Int8));
  Tensor yi = run_all(qnode("QLinearMatMul",
                         {ai, scalar_f(sa), scalar_q(DType::Int8, -3), bi, scalar_f(sb),
                          scalar_q(DType::Int8, 2), scalar_f(sy), scalar_q(DType::Int8, 10)},
                         {}, 10));
  REQUIRE(yi.shape() == shape);
  require_values(yi, want);
}

namespace {

struct ConvCase {
  Shape x, w;
  std::vector<int64_t> pads, strides, dilations;
  int64_t group = 1;
};

// Reference 2-D integer convolution (pads: top, left, bottom, right).
std::vector<double> ref_int_conv(const ConvCase& c, const Tensor& x, double xzp, const Tensor& w,
                                 const std::vector<double>& wzp, Shape* out_shape) {
  const int64_t N = c.x[0], C = c.x[1], H = c.x[2], W = c.x[3], M = c.w[0], KH = c.w[2], KW = c.w[3];
  const int64_t Cg = C / c.group, Mg = M / c.group;
  std::vector<int64_t> pads = c.pads.empty() ? std::vector<int64_t>{0, 0, 0, 0} : c.pads;
  std::vector<int64_t> st = c.strides.empty() ? std::vector<int64_t>{1, 1} : c.strides;
  std::vector<int64_t> dl = c.dilations.empty() ? std::vector<int64_t>{1, 1} : c.dilations;
  const int64_t OH = (H + pads[0] + pads[2] - ((KH - 1) * dl[0] + 1)) / st[0] + 1;
  const int64_t OW = (W + pads[1] + pads[3] - ((KW - 1) * dl[1] + 1)) / st[1] + 1;
  *out_shape = {N, M, OH, OW};
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = 0;
          const int64_t g = m / Mg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * st[0] + kh * dl[0] - pads[0], iw = ow * st[1] + kw * dl[1] - pads[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += (get_value(x, ((n * C + g * Cg + c) * H + ih) * W + iw) - xzp) *
                       (get_value(w, ((m * Cg + c) * KH + kh) * KW + kw) - wzp[wzp.size() == 1 ? 0 : m]);
              }
          out.push_back(acc);
        }
  return out;
}

std::vector<Attribute> conv_attrs(const ConvCase& c) {
  std::vector<Attribute> a;
  if (!c.pads.empty()) a.push_back(attr_ints("pads", c.pads));
  if (!c.strides.empty()) a.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) a.push_back(attr_ints("dilations", c.dilations));
  if (c.group != 1) a.push_back(attr_int("group", c.group));
  return a;
}

const std::vector<ConvCase> kConvCases = {
    {{1, 1, 3, 3}, {1, 1, 2, 2}, {}, {}, {}, 1},
    {{1, 1, 3, 3}, {1, 1, 2, 2}, {1, 1, 1, 1}, {}, {}, 1},
    {{2, 4, 5, 6}, {6, 2, 3, 2}, {1, 0, 2, 1}, {2, 1}, {1, 2}, 2},
    {{1, 3, 4, 4}, {2, 3, 1, 1}, {}, {}, {}, 1},
};

}  // namespace

TEST_CASE("ConvInteger: padding, strides, dilations, groups, per-channel w zero point", "[quant]") {
  uint64_t seed = 1;
  for (const ConvCase& c : kConvCases)
    for (DType tx : {DType::UInt8, DType::Int8}) {
      Tensor x =
          random_tensor(tx, c.x, seed++, tx == DType::UInt8 ? 0 : -128, tx == DType::UInt8 ? 255 : 127);
      Tensor w = random_tensor(DType::Int8, c.w, seed++, -128, 127);
      std::vector<double> wzp;
      for (int64_t m = 0; m < c.w[0]; ++m) wzp.push_back(static_cast<double>(m * 3 - 4));
      Tensor xz = scalar_q(tx, tx == DType::UInt8 ? 128 : -1);
      Tensor wz = make_tensor(DType::Int8, {c.w[0]}, wzp);
      Shape shape;
      std::vector<double> want = ref_int_conv(c, x, get_value(xz, 0), w, wzp, &shape);
      Tensor y = run_all(qnode("ConvInteger", {x, w, xz, wz}, conv_attrs(c), 10));
      REQUIRE(y.dtype() == DType::Int32);
      REQUIRE(y.shape() == shape);
      require_values(y, want);
    }
  // The ONNX example: x 1..9 with zero point 1, w all ones.
  Tensor x = make_tensor(DType::UInt8, {1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor w = make_tensor(DType::UInt8, {1, 1, 2, 2}, {1, 1, 1, 1});
  check_all(qnode("ConvInteger", {x, w, scalar_q(DType::UInt8, 1)}, {}, 10), {12, 16, 24, 28});
  REQUIRE_THROWS_AS(
      run_all(qnode("ConvInteger", {x, make_tensor(DType::UInt8, {1, 2, 1, 1}, {1, 1})}, {}, 10)), Error);
}

TEST_CASE("QLinearConv: requantization with bias and per-channel scales", "[quant]") {
  uint64_t seed = 50;
  for (const ConvCase& c : kConvCases) {
    Tensor x = random_tensor(DType::UInt8, c.x, seed++, 0, 255);
    Tensor w = random_tensor(DType::Int8, c.w, seed++, -128, 127);
    const int64_t M = c.w[0];
    std::vector<float> ws;
    std::vector<double> wzp(1, 0.0);
    std::vector<int32_t> bias;
    for (int64_t m = 0; m < M; ++m)
      ws.push_back(0.01f * static_cast<float>(m + 1)), bias.push_back(static_cast<int32_t>(m * 100 - 150));
    const float xs = 0.02f, ys = 0.75f;
    Shape shape;
    std::vector<double> acc = ref_int_conv(c, x, 120, w, wzp, &shape);
    const int64_t spatial = shape[2] * shape[3];
    std::vector<double> want;
    for (size_t i = 0; i < acc.size(); ++i) {
      const int64_t m = (static_cast<int64_t>(i) / spatial) % M;
      const float mult = xs * ws[m] / ys;
      want.push_back(sat(rint_even(static_cast<float>(acc[i] + bias[m]) * mult) + 100, DType::UInt8));
    }
    Tensor y = run_all(qnode("QLinearConv",
                          {x, scalar_f(xs), scalar_q(DType::UInt8, 120), w,
                           Tensor::from_vector<float>(ws, {M}), scalar_q(DType::Int8, 0), scalar_f(ys),
                           scalar_q(DType::UInt8, 100), Tensor::from_vector<int32_t>(bias, {M})},
                          conv_attrs(c), 10));
    REQUIRE(y.dtype() == DType::UInt8);
    REQUIRE(y.shape() == shape);
    require_values(y, want);
  }
}
