// ConvTranspose, both providers, against a direct double-precision scatter reference.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

struct CtCase {
  std::string name;
  Shape x, w;  // w: [C, M/group, k...]
  int64_t group = 1;
  std::vector<int64_t> strides{}, dilations{}, pads{}, output_padding{}, output_shape{};  // empty = absent
  std::string auto_pad{};
  bool bias = true;
};

int64_t py_floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// Output size and leading padding per spatial dim, from the spec's formulas.
void ref_geometry(const CtCase& c, std::vector<int64_t>* out, std::vector<int64_t>* pad_begin) {
  const size_t r = c.x.size() - 2;
  out->clear();
  pad_begin->clear();
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = c.x[i + 2], k = c.w[i + 2];
    const int64_t s = c.strides.empty() ? 1 : c.strides[i];
    const int64_t d = c.dilations.empty() ? 1 : c.dilations[i];
    const int64_t op = c.output_padding.empty() ? 0 : c.output_padding[i];
    const int64_t natural = s * (in - 1) + op + (k - 1) * d + 1;
    int64_t o = 0, pb = 0;
    const bool same = c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER";
    if (!c.output_shape.empty() || same) {
      o = !c.output_shape.empty() ? c.output_shape[c.output_shape.size() - r + i] : in * s;
      const int64_t total = natural - o;
      pb = c.auto_pad == "SAME_UPPER" ? py_floor_div2(total) : total - py_floor_div2(total);
    } else if (c.auto_pad == "VALID") {
      o = natural;
    } else {
      pb = c.pads.empty() ? 0 : c.pads[i];
      o = natural - pb - (c.pads.empty() ? 0 : c.pads[i + r]);
    }
    out->push_back(o);
    pad_begin->push_back(pb);
  }
}

std::vector<double> reference_ct(const CtCase& c, const std::vector<double>& x, const std::vector<double>& w,
                                 const std::vector<double>* b, Shape* out_shape) {
  const size_t r = c.x.size() - 2;
  std::vector<int64_t> out, pb;
  ref_geometry(c, &out, &pb);
  // Lift to 3 spatial dims.
  std::array<int64_t, 3> in3{1, 1, 1}, k3{1, 1, 1}, s3{1, 1, 1}, d3{1, 1, 1}, o3{1, 1, 1}, p3{0, 0, 0};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in3[j] = c.x[i + 2];
    k3[j] = c.w[i + 2];
    s3[j] = c.strides.empty() ? 1 : c.strides[i];
    d3[j] = c.dilations.empty() ? 1 : c.dilations[i];
    o3[j] = out[i];
    p3[j] = pb[i];
  }
  const int64_t n_batch = c.x[0], channels = c.x[1], mg = c.w[1], m_total = mg * c.group,
                cg = channels / c.group;
  *out_shape = {n_batch, m_total};
  out_shape->insert(out_shape->end(), out.begin(), out.end());
  const int64_t out_size = o3[0] * o3[1] * o3[2], in_size = in3[0] * in3[1] * in3[2],
                ks = k3[0] * k3[1] * k3[2];
  std::vector<double> y(static_cast<size_t>(n_batch * m_total * out_size), 0.0);
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t m = 0; m < m_total; ++m)
      for (int64_t o = 0; o < out_size; ++o)
        y[static_cast<size_t>((n * m_total + m) * out_size + o)] = b ? (*b)[m] : 0;
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t ch = 0; ch < channels; ++ch) {
      const int64_t g = ch / cg;
      for (int64_t id = 0; id < in3[0]; ++id)
        for (int64_t ih = 0; ih < in3[1]; ++ih)
          for (int64_t iw = 0; iw < in3[2]; ++iw) {
            const double xv =
                x[static_cast<size_t>((n * channels + ch) * in_size + (id * in3[1] + ih) * in3[2] + iw)];
            for (int64_t m = 0; m < mg; ++m)
              for (int64_t kd = 0; kd < k3[0]; ++kd)
                for (int64_t kh = 0; kh < k3[1]; ++kh)
                  for (int64_t kw = 0; kw < k3[2]; ++kw) {
                    const int64_t od = id * s3[0] + kd * d3[0] - p3[0];
                    const int64_t oh = ih * s3[1] + kh * d3[1] - p3[1];
                    const int64_t ow = iw * s3[2] + kw * d3[2] - p3[2];
                    if (od < 0 || od >= o3[0] || oh < 0 || oh >= o3[1] || ow < 0 || ow >= o3[2]) continue;
                    const double wv =
                        w[static_cast<size_t>((ch * mg + m) * ks + (kd * k3[1] + kh) * k3[2] + kw)];
                    y[static_cast<size_t>((n * m_total + g * mg + m) * out_size + (od * o3[1] + oh) * o3[2] +
                                          ow)] += xv * wv;
                  }
          }
    }
  return y;
}

NodeRun ct_node(const CtCase& c, const Tensor& x, const Tensor& w, const Tensor& b, bool constant = true) {
  NodeRun r;
  r.op_type = "ConvTranspose";
  r.opset = 11;
  if (c.group != 1) r.attributes.push_back(attr_int("group", c.group));
  if (!c.strides.empty()) r.attributes.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) r.attributes.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) r.attributes.push_back(attr_ints("pads", c.pads));
  if (!c.output_padding.empty()) r.attributes.push_back(attr_ints("output_padding", c.output_padding));
  if (!c.output_shape.empty()) r.attributes.push_back(attr_ints("output_shape", c.output_shape));
  if (!c.auto_pad.empty()) r.attributes.push_back(attr_string("auto_pad", c.auto_pad));
  r.inputs = {x, w};
  r.constant = {false, constant, constant};
  if (c.bias) r.inputs.push_back(b);
  return r;
}

std::vector<CtCase> cases_2d() {
  return {
      {"plain 3x3", {1, 2, 4, 5}, {2, 3, 3, 3}},
      {"stride 2", {2, 3, 3, 4}, {3, 2, 3, 3}, 1, {2, 2}},
      {"stride 3x2 pads", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {1, 2, 1, 2}},
      {"dilation", {1, 2, 5, 4}, {2, 2, 2, 3}, 1, {1, 2}, {2, 1}},
      {"groups", {1, 4, 3, 3}, {4, 3, 3, 3}, 2, {2, 1}, {}, {0, 1, 1, 0}},
      {"depthwise", {2, 3, 4, 4}, {3, 1, 3, 3}, 3, {2, 2}, {}, {1, 1, 1, 1}},
      {"output_padding", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {1, 1}},
      {"output_shape larger than natural", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {}, {10, 8}},
      {"output_shape with N and C", {1, 2, 3, 3}, {2, 2, 3, 3}, 1, {2, 2}, {}, {}, {}, {1, 2, 6, 5}},
      {"output_shape smaller", {1, 2, 4, 4}, {2, 1, 3, 3}, 1, {2, 2}, {}, {}, {}, {6, 7}},
      {"SAME_UPPER", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER", {1, 2, 3, 4}, {2, 2, 2, 3}, 1, {2, 3}, {}, {}, {}, {}, "SAME_LOWER"},
      {"VALID", {1, 2, 3, 4}, {2, 2, 3, 2}, 1, {2, 1}, {}, {}, {}, {}, "VALID"},
      {"1x1 kernel no bias", {2, 3, 3, 3}, {3, 4, 1, 1}, 1, {}, {}, {}, {}, {}, "", false},
      {"kernel smaller than stride", {1, 2, 3, 3}, {2, 2, 2, 2}, 1, {3, 3}, {}, {1, 0, 0, 1}},
      // Output shorter than the stride: XNNPACK's strided path is avoided (it can crash).
      {"output shorter than stride", {1, 1, 1, 2}, {1, 2, 3, 4}, 1, {3, 4}, {}, {1, 2, 1, 2}},
  };
}

void check_case(const CtCase& c, DType t, const std::string& provider, uint32_t seed, pthreadpool_t pool) {
  INFO(c.name << " " << dtype_name(t) << " provider '" << provider << "'");
  Tensor x = cast_tensor(random_tensor<double>(c.x, seed), t);
  Tensor w = cast_tensor(random_tensor<double>(c.w, seed + 1), t);
  Tensor b = cast_tensor(random_tensor<double>({c.w[1] * c.group}, seed + 2), t);
  std::vector<double> bv = to_doubles(b);
  Shape out_shape;
  std::vector<double> want =
      reference_ct(c, to_doubles(x), to_doubles(w), c.bias ? &bv : nullptr, &out_shape);
  NodeRun r = ct_node(c, x, w, b);
  r.provider = provider;
  NodeResult res = run_node(r, pool);
  if (!provider.empty()) CHECK(res.provider == provider);
  expect_close(res.outputs[0], out_shape, want, t == DType::Float ? 1e-5 : 1e-12);
}

}  // namespace

TEST_CASE("ConvTranspose ref matches the direct reference (1-D, 2-D, 3-D; float and double)",
          "[convtranspose]") {
  TestThreadPool tp(2);
  uint32_t seed = 1;
  std::vector<CtCase> cases = cases_2d();
  cases.push_back({"1-D", {2, 3, 7}, {3, 2, 3}, 1, {2}, {}, {1, 0}, {1}});
  cases.push_back({"1-D dilated groups", {1, 4, 5}, {4, 1, 2}, 2, {3}, {2}});
  cases.push_back({"1-D output_shape", {1, 1, 4}, {1, 1, 3}, 1, {2}, {}, {}, {}, {11}});
  cases.push_back({"3-D", {1, 2, 3, 2, 3}, {2, 2, 2, 2, 2}, 1, {2, 1, 2}, {}, {0, 1, 0, 1, 0, 0}});
  cases.push_back(
      {"3-D same", {1, 1, 2, 3, 2}, {1, 2, 3, 2, 2}, 1, {2, 2, 1}, {1, 1, 2}, {}, {}, {}, "SAME_UPPER"});
  // Many output channels times taps: the column buffer is tiled, cutting rows.
  cases.push_back({"tiled 1-D", {1, 1, 3000}, {1, 64, 17}, 1, {2}, {}, {3, 4}});
  cases.push_back({"tiled 2-D", {1, 2, 20, 50}, {2, 64, 4, 5}, 1, {2, 1}, {}, {1, 0, 2, 1}});
  for (const CtCase& c : cases)
    for (DType t : {DType::Float, DType::Double}) {
      check_case(c, t, "ref", seed, seed % 2 ? tp.pool : nullptr);
      ++seed;
    }
}

TEST_CASE("ConvTranspose xnnpack matches the direct reference for 1-D and 2-D float",
          "[convtranspose][xnnpack]") {
  TestThreadPool tp(2);
  uint32_t seed = 100;
  std::vector<CtCase> cases = cases_2d();
  cases.push_back({"1-D", {2, 3, 7}, {3, 2, 3}, 1, {2}, {}, {1, 0}, {1}});
  cases.push_back({"1-D dilated groups", {1, 4, 5}, {4, 1, 2}, 2, {3}, {2}});
  cases.push_back({"1-D output_shape", {1, 1, 4}, {1, 1, 3}, 1, {2}, {}, {}, {}, {11}});
  cases.push_back({"1-D SAME_LOWER", {1, 2, 6}, {2, 3, 4}, 1, {3}, {}, {}, {}, {}, "SAME_LOWER"});
  for (const CtCase& c : cases) {
    check_case(c, DType::Float, "xnnpack", seed, seed % 2 ? tp.pool : nullptr);
    ++seed;
  }
}

TEST_CASE("ConvTranspose default provider and declines", "[convtranspose][xnnpack]") {
  CtCase c{"plain", {1, 2, 4, 4}, {2, 3, 3, 3}, 1, {2, 2}};
  Tensor x = random_tensor<float>(c.x, 1), w = random_tensor<float>(c.w, 2), b = random_tensor<float>({3}, 3);
  CHECK(run_node(ct_node(c, x, w, b)).provider == "xnnpack");
  // Weights not constant, double, or 1-D: the reference kernel.
  CHECK(run_node(ct_node(c, x, w, b, false)).provider == "ref");
  NodeRun d =
      ct_node(c, cast_tensor(x, DType::Double), cast_tensor(w, DType::Double), cast_tensor(b, DType::Double));
  CHECK(run_node(d).provider == "ref");
  CtCase c3{"3-D", {1, 2, 3, 3, 3}, {2, 3, 2, 2, 2}};
  CHECK(run_node(ct_node(c3, random_tensor<float>(c3.x, 4), random_tensor<float>(c3.w, 5), b)).provider ==
        "ref");
  // Opset 1 registration.
  NodeRun r1 = ct_node(c, x, w, b);
  r1.opset = 1;
  CHECK(run_node(r1).outputs[0].shape() == Shape{1, 3, 9, 9});
}

TEST_CASE("ConvTranspose kernels re-run across shapes", "[convtranspose][xnnpack]") {
  for (const std::string auto_pad : {"", "SAME_LOWER"}) {
    INFO("auto_pad=" << auto_pad);
    CtCase c{"reshape", {1, 2, 3, 3}, {2, 2, 3, 3}, 1, {2, 2}};
    c.auto_pad = auto_pad;
    if (auto_pad.empty()) c.pads = {1, 0, 0, 1};
    Tensor w = random_tensor<float>(c.w, 7), b = random_tensor<float>({2}, 8);
    std::vector<double> bv = to_doubles(b);
    std::unique_ptr<OpTester> t;
    uint32_t seed = 20;
    for (Shape s : {Shape{1, 2, 3, 3}, Shape{3, 2, 5, 2}, Shape{2, 2, 1, 4}, Shape{1, 2, 3, 3}}) {
      CtCase cs = c;
      cs.x = s;
      Tensor x = random_tensor<float>(s, seed++);
      Shape out_shape;
      std::vector<double> want = reference_ct(cs, to_doubles(x), to_doubles(w), &bv, &out_shape);
      if (!t)
        t = std::make_unique<OpTester>(ct_node(c, x, w, b));
      else
        t->then({x, w, b});
      t->expect(make_tensor(DType::Float, out_shape, want));
    }
    t->tolerance(1e-5, 1e-5).dynamic_shapes().threads(2).require("xnnpack").run();
  }
}

TEST_CASE("ConvTranspose with an empty batch", "[convtranspose]") {
  CtCase c{"empty", {0, 2, 3, 3}, {2, 3, 3, 3}};
  NodeRun r = ct_node(c, Tensor(DType::Float, c.x), random_tensor<float>(c.w, 1), random_tensor<float>({3}, 2));
  CHECK(OpTester(r).require("xnnpack").run().ref().shape() == Shape{0, 3, 5, 5});
}

TEST_CASE("ConvTranspose rejects invalid nodes with Error", "[convtranspose][errors]") {
  CtCase c{"base", {1, 2, 4, 4}, {2, 3, 3, 3}};
  Tensor x = random_tensor<float>(c.x, 1), w = random_tensor<float>(c.w, 2), b = random_tensor<float>({3}, 3);
  {
    // On every provider that accepts the node.
    auto run = [](NodeRun r) { expect_error_all(r); };
    // W's input channels differ from X's.
    run(ct_node(c, random_tensor<float>({1, 3, 4, 4}, 4), w, b));
    // Bias of the wrong size.
    run(ct_node(c, x, w, random_tensor<float>({2}, 5)));
    // Channels not divisible by group.
    CtCase g = c;
    g.group = 3;
    run(ct_node(g, x, w, b));
    // output_shape of the wrong length; negative output size; bad attribute values.
    CtCase os = c;
    os.output_shape = {5, 5, 5};
    run(ct_node(os, x, w, b));
    CtCase neg = c;
    neg.pads = {5, 5, 5, 5};
    run(ct_node(neg, x, w, b));
    CtCase st = c;
    st.strides = {0, 1};
    run(ct_node(st, x, w, b));
    CtCase op = c;
    op.output_padding = {-1, 0};
    run(ct_node(op, x, w, b));
    CtCase opl = c;
    opl.output_padding = {1};
    run(ct_node(opl, x, w, b));
    CtCase huge = c;
    huge.output_shape = {1 << 30, 1 << 30};
    run(ct_node(huge, x, w, b));
    // Mixed dtypes; rank 2 X.
    run(ct_node(c, cast_tensor(x, DType::Double), w, b));
    run(ct_node(c, random_tensor<float>({2, 4}, 6), w, b));
  }
}

TEST_CASE("ConvTranspose with random attributes either runs or throws Error", "[convtranspose][errors]") {
  TestRng rng(17);
  int ran = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t r = rng.integer(1, 3);
    const int64_t group = rng.integer(1, 3);
    Shape x{rng.integer(0, 2), group * rng.integer(1, 2)};
    Shape w{x[1] + (trial % 17 == 0 ? 1 : 0), rng.integer(0, 3)};
    CtCase c{"fuzz", x, w, group};
    for (int64_t i = 0; i < r; ++i) {
      c.x.push_back(rng.integer(0, 5));
      c.w.push_back(rng.integer(1, 4));
    }
    auto maybe = [&](int64_t n, int64_t lo, int64_t hi) {
      std::vector<int64_t> v;
      if (rng.integer(0, 2) == 0) return v;
      const int64_t len = n + (rng.integer(0, 9) == 0 ? 1 : 0);
      for (int64_t i = 0; i < len; ++i) v.push_back(rng.integer(lo, hi));
      return v;
    };
    c.strides = maybe(r, 0, 4);
    c.dilations = maybe(r, 0, 3);
    c.pads = maybe(2 * r, -1, 3);
    c.output_padding = maybe(r, -1, 3);
    c.output_shape = maybe(r, 0, 12);
    const char* pads[] = {"", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
    c.auto_pad = pads[rng.integer(0, 4)];
    c.bias = rng.integer(0, 1) == 1;
    Tensor xt = random_tensor<float>(c.x, static_cast<uint32_t>(trial));
    Tensor wt = random_tensor<float>(c.w, static_cast<uint32_t>(trial + 1));
    Tensor bt = random_tensor<float>({std::max<int64_t>(w[1] * group, 0)}, static_cast<uint32_t>(trial + 2));
    for (const std::string provider : {"ref", "xnnpack"}) {
      NodeRun node = ct_node(c, xt, wt, bt);
      node.provider = provider;
      try {
        NodeResult res = run_node(node);
        ++ran;
        // What ran must agree with the direct reference.
        std::vector<double> bv = to_doubles(bt);
        Shape out_shape;
        std::vector<double> want =
            reference_ct(c, to_doubles(xt), to_doubles(wt), c.bias ? &bv : nullptr, &out_shape);
        expect_close(res.outputs[0], out_shape, want, 1e-5);
      } catch (const Error&) {
      }
    }
  }
  CHECK(ran > 50);
}

TEST_CASE("ConvTranspose FLOP estimate on every provider", "[convtranspose][flops]") {
  // Every input element meets every weight of its group's output channels: W [C, M/g, kH, kW].
  CtCase c{"flops", {1, 2, 3, 3}, {2, 3, 3, 3}};
  NodeRun r = ct_node(c, random_tensor<float>(c.x, 1), random_tensor<float>(c.w, 2), random_tensor<float>({3}, 3));
  OpTester(r).require("xnnpack").expect_flops(2.0 * (2 * 3 * 3) * (3 * 3 * 3)).run();
}
