// Conv and onnxi::NhwcConv, both providers, against a direct double-precision reference.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// The NHWC convolution's providers in this build, from the kernel registry (oneDNN is
// optional: ONNXI_WITH_ONEDNN).
std::vector<std::string> nhwc_conv_providers() {
  std::vector<std::string> names;
  for (const KernelRegistration* r : KernelRegistry::global().find("onnxi", "NhwcConv", 1))
    names.insert(names.begin(), r->provider->name);  // lowest priority first: ref, xnnpack, onednn
  return names;
}
const std::vector<std::string> kNhwcConvProviders = nhwc_conv_providers();
bool has_test_provider(const std::string& name) {
  const auto names = test_providers();
  return std::find(names.begin(), names.end(), name) != names.end();
}

struct ConvCase {
  std::string name;
  Shape x, w;
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads;  // empty = attribute absent
  std::string auto_pad;                           // empty = attribute absent
  bool bias = true;
};

// Padding and output size per spatial dim, worked out independently of the kernels.
struct RefWindow {
  std::vector<int64_t> in, kernel, stride, dilation, pad_begin, out;
};

RefWindow ref_window(const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                     const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                     const std::vector<int64_t>& pads, const std::string& auto_pad) {
  const size_t r = in.size();
  RefWindow g;
  g.in = in;
  g.kernel = kernel;
  for (size_t i = 0; i < r; ++i) {
    const int64_t s = strides.empty() ? 1 : strides[i];
    const int64_t d = dilations.empty() ? 1 : dilations[i];
    const int64_t ext = d * (kernel[i] - 1) + 1;
    int64_t pb = 0, out = 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = (in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + ext - in[i]);
      pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (auto_pad == "VALID") {
      out = (in[i] - ext) / s + 1;
    } else {
      pb = pads.empty() ? 0 : pads[i];
      const int64_t pe = pads.empty() ? 0 : pads[i + r];
      out = (in[i] + pb + pe - ext) / s + 1;
    }
    g.stride.push_back(s);
    g.dilation.push_back(d);
    g.pad_begin.push_back(pb);
    g.out.push_back(out);
  }
  return g;
}

// Direct convolution over up to 3 spatial dims (lower ranks padded with unit dims).
std::vector<double> reference_conv(const ConvCase& c, const std::vector<double>& x,
                                   const std::vector<double>& w, const std::vector<double>* b,
                                   Shape* out_shape) {
  const size_t r = c.x.size() - 2;
  RefWindow g = ref_window(std::vector<int64_t>(c.x.begin() + 2, c.x.end()),
                           std::vector<int64_t>(c.w.begin() + 2, c.w.end()), c.strides, c.dilations, c.pads,
                           c.auto_pad);
  auto lift = [&](const std::vector<int64_t>& v, int64_t fill) {
    std::vector<int64_t> o(3 - r, fill);
    o.insert(o.end(), v.begin(), v.end());
    return o;
  };
  auto in = lift(g.in, 1), k = lift(g.kernel, 1), s = lift(g.stride, 1), d = lift(g.dilation, 1),
       p = lift(g.pad_begin, 0), o = lift(g.out, 1);
  const int64_t n_ = c.x[0], ci = c.x[1], co = c.w[0], cg = c.w[1], mg = co / c.group;
  *out_shape = {n_, co};
  out_shape->insert(out_shape->end(), g.out.begin(), g.out.end());
  std::vector<double> y;
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t m = 0; m < co; ++m)
      for (int64_t z = 0; z < o[0]; ++z)
        for (int64_t yy = 0; yy < o[1]; ++yy)
          for (int64_t xx = 0; xx < o[2]; ++xx) {
            double acc = b ? (*b)[m] : 0.0;
            const int64_t grp = m / mg;
            for (int64_t c2 = 0; c2 < cg; ++c2)
              for (int64_t kz = 0; kz < k[0]; ++kz)
                for (int64_t ky = 0; ky < k[1]; ++ky)
                  for (int64_t kx = 0; kx < k[2]; ++kx) {
                    const int64_t iz = z * s[0] + kz * d[0] - p[0];
                    const int64_t iy = yy * s[1] + ky * d[1] - p[1];
                    const int64_t ix = xx * s[2] + kx * d[2] - p[2];
                    if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                    const int64_t ch = grp * cg + c2;
                    acc += x[(((n * ci + ch) * in[0] + iz) * in[1] + iy) * in[2] + ix] *
                           w[(((m * cg + c2) * k[0] + kz) * k[1] + ky) * k[2] + kx];
                  }
            y.push_back(acc);
          }
  return y;
}

std::vector<Attribute> conv_attrs(const ConvCase& c) {
  std::vector<Attribute> a;
  if (c.group != 1) a.push_back(attr_int("group", c.group));
  if (!c.strides.empty()) a.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) a.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) a.push_back(attr_ints("pads", c.pads));
  if (!c.auto_pad.empty()) a.push_back(attr_string("auto_pad", c.auto_pad));
  return a;
}

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"3x3 pad 1", {1, 3, 7, 7}, {4, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, ""},
      {"batch 3, group 2, stride 2, asymmetric pads",
       {3, 4, 9, 8},
       {6, 2, 3, 3},
       2,
       {2, 2},
       {},
       {1, 0, 2, 1},
       ""},
      {"depthwise 3x3", {1, 8, 10, 10}, {8, 1, 3, 3}, 8, {}, {}, {1, 1, 1, 1}, ""},
      {"depthwise x2 5x5 stride 2", {2, 4, 9, 9}, {8, 1, 5, 5}, 4, {2, 2}, {}, {2, 2, 2, 2}, "", false},
      {"dilation 2", {1, 3, 11, 9}, {5, 3, 3, 3}, 1, {}, {2, 2}, {2, 2, 2, 2}, ""},
      {"dilation and stride mixed", {2, 2, 13, 13}, {3, 2, 3, 2}, 1, {2, 3}, {2, 1}, {0, 1, 2, 0}, ""},
      {"1x1 batch 3 no bias", {3, 16, 5, 5}, {8, 16, 1, 1}, 1, {}, {}, {}, "", false},
      {"1x1 stride 2", {1, 8, 7, 7}, {4, 8, 1, 1}, 1, {2, 2}, {}, {}, ""},
      {"7x7 stride 2 pad 3", {1, 3, 23, 23}, {8, 3, 7, 7}, 1, {2, 2}, {}, {3, 3, 3, 3}, ""},
      {"SAME_UPPER stride 2", {1, 2, 8, 7}, {3, 2, 3, 3}, 1, {2, 2}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER stride 2 even kernel", {1, 2, 8, 7}, {3, 2, 4, 4}, 1, {2, 2}, {}, {}, "SAME_LOWER"},
      {"SAME_UPPER stride 2 even kernel", {2, 2, 9, 6}, {3, 2, 4, 2}, 1, {2, 2}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER stride 1", {1, 3, 6, 6}, {2, 3, 2, 3}, 1, {}, {}, {}, "SAME_LOWER"},
      {"VALID stride 2", {1, 2, 8, 7}, {3, 2, 3, 2}, 1, {2, 2}, {}, {}, "VALID"},
      {"SAME_UPPER dilation 2", {1, 2, 9, 9}, {2, 2, 3, 3}, 1, {}, {2, 2}, {}, "SAME_UPPER"},
      {"odd channel counts", {1, 17, 6, 5}, {19, 17, 2, 3}, 1, {}, {}, {0, 1, 1, 0}, ""},
      {"group 2 SAME_UPPER batch 3", {3, 6, 5, 5}, {4, 3, 3, 3}, 2, {}, {}, {}, "SAME_UPPER"},
      {"wide output channels", {1, 5, 4, 4}, {70, 5, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, ""},
      {"1-D stride 2 dilation 2", {2, 3, 15}, {4, 3, 5}, 1, {2}, {2}, {2, 1}, ""},
      {"1-D group 3 SAME_UPPER", {1, 6, 10}, {3, 2, 4}, 3, {3}, {}, {}, "SAME_UPPER"},
      {"3-D group 2", {1, 4, 5, 6, 7}, {4, 2, 3, 3, 2}, 2, {1, 2, 1}, {}, {1, 0, 1, 1, 1, 0}, ""},
      {"3-D batch 3 dilation", {3, 2, 6, 5, 5}, {2, 2, 2, 2, 2}, 1, {}, {2, 1, 2}, {}, "", false},
  };
  return cases;
}

// Runs case `c` on every provider that accepts it (XNNPACK must, for 2-D float): each
// must match the direct reference, single-threaded and on a 2-thread pool.
template <class T>
void check_conv_case(const ConvCase& c, uint32_t seed) {
  INFO(c.name << " [" << dtype_name(DTypeOf<T>::value) << "]");
  Tensor x = random_tensor<T>(c.x, seed);
  Tensor w = random_tensor<T>(c.w, seed + 1);
  Tensor b = c.bias ? random_tensor<T>({c.w[0]}, seed + 2) : Tensor();
  std::vector<double> bd = c.bias ? to_doubles(b) : std::vector<double>();
  Shape want_shape;
  std::vector<double> want =
      reference_conv(c, to_doubles(x), to_doubles(w), c.bias ? &bd : nullptr, &want_shape);
  const double tol = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  OpTester t("Conv", 11);
  for (auto& a : conv_attrs(c)) t.attr(a);
  t.input(x).constant(w).constant(b).expect_values(want).tolerance(tol, tol).threads(2);
  if (std::is_same_v<T, float> && c.x.size() == 4) t.require("xnnpack");
  REQUIRE(t.run().ref().shape() == want_shape);
}

}  // namespace

TEST_CASE("Conv on every provider matches the direct reference (float and double)", "[conv][xnnpack]") {
  uint32_t seed = 100;
  for (const auto& c : conv_cases()) {
    check_conv_case<float>(c, seed);
    check_conv_case<double>(c, seed);
    seed += 10;
  }
}

TEST_CASE("Conv opset 1 and default provider", "[conv]") {
  const ConvCase& c = conv_cases()[1];
  Tensor x = random_tensor<float>(c.x, 1), w = random_tensor<float>(c.w, 2),
         b = random_tensor<float>({c.w[0]}, 3);
  std::vector<double> bd = to_doubles(b);
  Shape want_shape;
  std::vector<double> want = reference_conv(c, to_doubles(x), to_doubles(w), &bd, &want_shape);
  NodeRun r{"Conv", "", 1, conv_attrs(c), {x, w, b}, {false, true, true}, 1, ""};
  NodeResult res = run_node(r);
  CHECK(res.provider == "xnnpack");
  expect_close(res.outputs[0], want_shape, want, 1e-4);
  // kernel_shape given explicitly and matching W is accepted.
  r.attributes.push_back(attr_ints("kernel_shape", {3, 3}));
  expect_close(run_node(r).outputs[0], want_shape, want, 1e-4);
}

TEST_CASE("Conv xnnpack declines what it cannot do", "[conv][xnnpack]") {
  Tensor x = random_tensor<float>({1, 2, 6, 6}, 1), w = random_tensor<float>({3, 2, 3, 3}, 2);
  Tensor b = random_tensor<float>({3}, 3);
  Shape want_shape;
  std::vector<double> bd = to_doubles(b);
  ConvCase c{"", {1, 2, 6, 6}, {3, 2, 3, 3}, 1, {}, {}, {}, ""};
  std::vector<double> want = reference_conv(c, to_doubles(x), to_doubles(w), &bd, &want_shape);
  SECTION("weights not constant") {
    NodeRun r{"Conv", "", 13, {}, {x, w, b}, {false, false, true}, 1, ""};
    NodeResult res = run_node(r);
    CHECK(res.provider == "ref");
    expect_close(res.outputs[0], want_shape, want, 1e-4);
    r.provider = "xnnpack";
    CHECK_THROWS_AS(run_node(r), Error);  // the harness reports the forced provider declined
  }
  SECTION("bias not constant") {
    NodeRun r{"Conv", "", 13, {}, {x, w, b}, {false, true, false}, 1, ""};
    CHECK(run_node(r).provider == "ref");
  }
  SECTION("double") {
    NodeRun r{"Conv",
              "",
              13,
              {},
              {cast_tensor(x, DType::Double), cast_tensor(w, DType::Double), cast_tensor(b, DType::Double)},
              {false, true, true},
              1,
              ""};
    NodeResult res = run_node(r);
    CHECK(res.provider == "ref");
    expect_close(res.outputs[0], want_shape, want, 1e-10);
  }
}

TEST_CASE("Conv kernels re-setup when batch and spatial size change", "[conv][xnnpack]") {
  // One kernel per provider over four input shapes (symbolic dims: nothing known at
  // build), one and two threads.
  const std::vector<Shape> shapes = {{1, 3, 8, 8}, {3, 3, 9, 7}, {2, 3, 5, 12}, {1, 3, 8, 8}};
  for (std::string auto_pad : {"", "SAME_UPPER", "SAME_LOWER"}) {
    INFO("auto_pad=" << auto_pad);
    ConvCase c{"", {}, {4, 3, 3, 3}, 1, {2, 2}, {}, {}, auto_pad};
    if (auto_pad.empty()) c.pads = {1, 0, 0, 1};
    Tensor w = random_tensor<float>(c.w, 7), b = random_tensor<float>({4}, 8);
    std::vector<double> bd = to_doubles(b);
    OpTester t("Conv", 13);
    for (Attribute& a : conv_attrs(c)) t.attr(a);
    uint32_t seed = 20;
    for (size_t k = 0; k < shapes.size(); ++k) {
      c.x = shapes[k];
      Tensor x = random_tensor<float>(c.x, seed++);
      Shape want_shape;
      std::vector<double> want = reference_conv(c, to_doubles(x), to_doubles(w), &bd, &want_shape);
      if (k == 0)
        t.input(x).constant(w).constant(b);
      else
        t.then({x, Tensor(), Tensor()});
      t.expect(make_tensor(DType::Float, want_shape, want));
    }
    t.tolerance(1e-4, 1e-4).dynamic_shapes().threads(2).require("xnnpack").run();
  }
}

TEST_CASE("Conv with empty batch", "[conv]") {
  Tensor x(DType::Float, {0, 2, 5, 5});
  Tensor w = random_tensor<float>({3, 2, 3, 3}, 1);
  OpTester t("Conv", 13);
  t.input(x).constant(w).require("xnnpack");
  CHECK(t.run().ref().shape() == Shape{0, 3, 3, 3});
}

// ---- NhwcConv ----

TEST_CASE("NhwcConv matches the reference through NCHW transposes", "[conv][nhwc]") {
  const bool has_onednn = has_test_provider("onednn");
  uint32_t seed = 900;
  for (const auto& c : conv_cases()) {
    if (c.x.size() != 4) continue;
    for (bool clamp : {false, true}) {
      INFO(c.name << " clamp=" << clamp);
      Tensor x = random_tensor<float>(c.x, seed), w = random_tensor<float>(c.w, seed + 1);
      Tensor b = c.bias ? random_tensor<float>({c.w[0]}, seed + 2) : Tensor();
      std::vector<double> bd = c.bias ? to_doubles(b) : std::vector<double>();
      Shape want_shape;
      std::vector<double> want =
          reference_conv(c, to_doubles(x), to_doubles(w), c.bias ? &bd : nullptr, &want_shape);
      std::vector<Attribute> attrs = conv_attrs(c);
      if (clamp) {
        attrs.push_back(attr_float("activation_min", -0.25f));
        attrs.push_back(attr_float("activation_max", 0.5f));
        for (double& v : want) v = std::min(std::max(v, -0.25), 0.5);
      }
      const std::vector<double> want_nhwc = values_of(to_nhwc(make_tensor(DType::Double, want_shape, want)));
      OpTester t(NodeRun{"NhwcConv", "onnxi", 1, attrs, {to_nhwc(x), w, b}, {false, true, true}, 1, ""});
      t.expect_values(want_nhwc).tolerance(1e-4, 1e-4).threads(2).require("xnnpack");
      // oneDNN declines grouped convolutions (XNNPACK keeps them).
      if (has_onednn && c.group == 1) t.require("onednn");
      auto res = t.run();
      CHECK(res.providers.size() == 2u + (has_onednn && c.group == 1));

      // double, and weights that are not constant: the reference kernel only.
      NodeRun rd{"NhwcConv",
                 "onnxi",
                 1,
                 attrs,
                 {to_nhwc(cast_tensor(x, DType::Double)), cast_tensor(w, DType::Double),
                  c.bias ? cast_tensor(b, DType::Double) : Tensor()},
                 {false, false, false},
                 1,
                 ""};
      CHECK(OpTester(rd).expect_values(want_nhwc).tolerance(1e-10, 1e-10).run().providers.size() == 1);
      seed += 10;
    }
  }
}

TEST_CASE("NhwcConv with a residual input Z adds it before the clamp, on every provider", "[conv][nhwc]") {
  const bool has_onednn = has_test_provider("onednn");
  uint32_t seed = 1300;
  struct ZCase {
    ConvCase conv;
    Shape z;  // NCHW; broadcast against the convolution's output
  };
  const std::vector<ZCase> cases = {
      {{"3x3 pad 1", {2, 8, 6, 6}, {16, 8, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, ""}, {2, 16, 6, 6}},
      {{"1x1 stride 2", {1, 16, 7, 7}, {32, 16, 1, 1}, 1, {2, 2}, {}, {}, ""}, {1, 32, 4, 4}},
      {{"1x1 no bias", {1, 16, 5, 5}, {8, 16, 1, 1}, 1, {}, {}, {}, "", false}, {1, 8, 5, 5}},
      {{"group 2", {1, 4, 5, 5}, {6, 2, 3, 3}, 2, {}, {}, {1, 1, 1, 1}, ""}, {1, 6, 5, 5}},
      {{"Z per channel", {1, 8, 5, 5}, {16, 8, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, ""}, {1, 16, 1, 1}},
      {{"Z larger than the output", {2, 8, 3, 3}, {16, 8, 3, 3}, 1, {}, {}, {}, ""}, {2, 16, 2, 3}},
  };
  for (const auto& zc : cases) {
    const ConvCase& c = zc.conv;
    for (bool clamp : {false, true}) {
      {
        INFO(c.name << " clamp=" << clamp);
        Tensor x = random_tensor<float>(c.x, seed), w = random_tensor<float>(c.w, seed + 1);
        Tensor b = c.bias ? random_tensor<float>({c.w[0]}, seed + 2) : Tensor();
        Tensor z = random_tensor<float>(zc.z, seed + 3);
        std::vector<double> bd = c.bias ? to_doubles(b) : std::vector<double>();
        Shape conv_shape;
        std::vector<double> conv = reference_conv(c, to_doubles(x), to_doubles(w), c.bias ? &bd : nullptr, &conv_shape);
        // Broadcast conv (NCHW) and z to the output shape, add, clamp.
        Shape out_shape(4);
        for (size_t d = 0; d < 4; ++d) out_shape[d] = std::max(conv_shape[d], zc.z[d]);
        std::vector<double> zd = to_doubles(z), want;
        for (int64_t n = 0; n < out_shape[0]; ++n)
          for (int64_t ch = 0; ch < out_shape[1]; ++ch)
            for (int64_t h = 0; h < out_shape[2]; ++h)
              for (int64_t wi = 0; wi < out_shape[3]; ++wi) {
                auto at = [&](const Shape& s, const std::vector<double>& v) {
                  int64_t i = 0;
                  const int64_t idx[4] = {n, ch, h, wi};
                  for (size_t d = 0; d < 4; ++d) i = i * s[d] + (s[d] == 1 ? 0 : idx[d]);
                  return v[static_cast<size_t>(i)];
                };
                double v = at(conv_shape, conv) + at(zc.z, zd);
                if (clamp) v = std::min(std::max(v, -0.25), 0.5);
                want.push_back(v);
              }
        std::vector<Attribute> attrs = conv_attrs(c);
        if (clamp) {
          attrs.push_back(attr_float("activation_min", -0.25f));
          attrs.push_back(attr_float("activation_max", 0.5f));
        }
        OpTester t(NodeRun{"NhwcConv", "onnxi", 1, attrs, {to_nhwc(x), w, b, to_nhwc(z)}, {false, true, true, false}, 1, ""});
        t.expect_values(values_of(to_nhwc(make_tensor(DType::Double, out_shape, want))))
            .tolerance(1e-4, 1e-4)
            .threads(2)
            .require("xnnpack");
        if (has_onednn && c.group == 1) t.require("onednn");
        CHECK(t.run().providers.size() == 2u + (has_onednn && c.group == 1));
        seed += 10;
      }
    }
  }
}

namespace {
// An NhwcConv over several input shapes (NCHW here, NHWC to the kernel), one kernel per
// provider: the reshape step with packed weights.
void nhwc_conv_over_shapes(ConvCase c, const std::vector<Shape>& shapes, uint32_t seed, const std::string& require) {
  Tensor w = random_tensor<float>(c.w, 3), b = random_tensor<float>({c.w[0]}, 4);
  std::vector<double> bd = to_doubles(b);
  OpTester t("NhwcConv", 1, "onnxi");
  for (Attribute& a : conv_attrs(c)) t.attr(a);
  for (size_t k = 0; k < shapes.size(); ++k) {
    c.x = shapes[k];
    Tensor x = random_tensor<float>(c.x, seed++);
    Shape want_shape;
    std::vector<double> want = reference_conv(c, to_doubles(x), to_doubles(w), &bd, &want_shape);
    if (k == 0)
      t.input(to_nhwc(x)).constant(w).constant(b);
    else
      t.then({to_nhwc(x), Tensor(), Tensor()});
    t.expect(to_nhwc(make_tensor(DType::Float, want_shape, want)));
  }
  t.tolerance(1e-4, 1e-4).dynamic_shapes().require(require).run();
}
}  // namespace

TEST_CASE("NhwcConv onednn re-plans across input sizes with packed weights", "[conv][nhwc][onednn]") {
  if (!ProviderRegistry::global().find("onednn")) return;  // a build without oneDNN
  nhwc_conv_over_shapes(ConvCase{"", {}, {12, 6, 3, 3}, 1, {2, 1}, {}, {}, "SAME_LOWER"},
                        {{1, 6, 7, 7}, {3, 6, 8, 5}, {1, 6, 7, 7}, {2, 6, 16, 16}}, 60, "onednn");
}

TEST_CASE("NhwcConv xnnpack re-setup across shapes", "[conv][nhwc][xnnpack]") {
  nhwc_conv_over_shapes(ConvCase{"", {}, {6, 2, 3, 3}, 2, {2, 1}, {}, {}, "SAME_LOWER"},
                        {{1, 4, 7, 7}, {2, 4, 8, 5}, {1, 4, 7, 7}}, 40, "xnnpack");
}

// ---- errors ----

namespace {

NodeRun conv_node(Shape x, Shape w, std::vector<Attribute> attrs = {}, Shape b = {}) {
  NodeRun r;
  r.op_type = "Conv";
  r.attributes = std::move(attrs);
  r.inputs = {random_tensor<float>(std::move(x), 1), random_tensor<float>(std::move(w), 2)};
  r.constant = {false, true, true};
  if (!b.empty()) r.inputs.push_back(random_tensor<float>(std::move(b), 3));
  return r;
}

void expect_conv_error(NodeRun r) {
  expect_error_all(r);
  r.provider = "";  // and the best provider, as a session picks it
  CHECK_THROWS_AS(run_node(r), Error);
}

}  // namespace

TEST_CASE("Conv rejects invalid nodes with Error", "[conv][errors]") {
  SECTION("channels do not match W * group") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 2, 3, 3}, {attr_int("group", 2)}));
  }
  SECTION("output channels not divisible by group") {
    expect_conv_error(conv_node({1, 4, 5, 5}, {3, 2, 3, 3}, {attr_int("group", 2)}));
  }
  SECTION("group zero") { expect_conv_error(conv_node({1, 4, 5, 5}, {4, 4, 3, 3}, {attr_int("group", 0)})); }
  SECTION("X of rank 2") { expect_conv_error(conv_node({3, 5}, {4, 3, 3, 3})); }
  SECTION("W rank differs from X") { expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3})); }
  SECTION("unknown auto_pad") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_string("auto_pad", "SAME")}));
  }
  SECTION("zero stride") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("strides", {0, 1})}));
  }
  SECTION("strides of the wrong length") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("strides", {1})}));
  }
  SECTION("pads of the wrong length") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("pads", {1, 1, 1})}));
  }
  SECTION("negative pads") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("pads", {-1, 0, 0, 0})}));
  }
  SECTION("negative dilation") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("dilations", {-1, 1})}));
  }
  SECTION("kernel_shape disagrees with W") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_ints("kernel_shape", {3, 2})}));
  }
  SECTION("pads together with auto_pad") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3},
                                {attr_ints("pads", {1, 1, 1, 1}), attr_string("auto_pad", "VALID")}));
  }
  SECTION("bias of the wrong size") { expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {}, {5})); }
  SECTION("kernel larger than the input") { expect_conv_error(conv_node({1, 1, 2, 2}, {1, 1, 3, 3})); }
  SECTION("attribute of the wrong type") {
    expect_conv_error(conv_node({1, 3, 5, 5}, {4, 3, 3, 3}, {attr_float("group", 1.0f)}));
  }
  SECTION("W dtype differs from X") {
    NodeRun r = conv_node({1, 3, 5, 5}, {4, 3, 3, 3});
    r.inputs[1] = random_tensor<double>({4, 3, 3, 3}, 2);
    expect_conv_error(r);
  }
  SECTION("more than 3 spatial dims") {
    expect_conv_error(conv_node({1, 1, 2, 2, 2, 2}, {1, 1, 1, 1, 1, 1}));
  }
  SECTION("NhwcConv with a 3-D input") {
    NodeRun r = conv_node({1, 5, 3}, {4, 3, 3});
    r.op_type = "NhwcConv";
    r.domain = "onnxi";
    expect_conv_error(r);
  }
  SECTION("NhwcConv activation_min above activation_max") {
    NodeRun r = conv_node({1, 5, 5, 3}, {4, 3, 3, 3},
                          {attr_float("activation_min", 1.f), attr_float("activation_max", 0.f)});
    r.op_type = "NhwcConv";
    r.domain = "onnxi";
    expect_conv_error(r);
  }
}

TEST_CASE("Conv and NhwcConv FLOP estimates on every provider", "[conv][nhwc][flops]") {
  // Per output element, one multiply-add per weight of its output channel.
  ConvCase dense{"", {2, 3, 8, 8}, {4, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, ""};
  ConvCase depthwise{"", {1, 4, 8, 8}, {4, 1, 3, 3}, 4, {}, {}, {1, 1, 1, 1}, ""};
  for (const ConvCase& c : {dense, depthwise}) {
    const double want = 2.0 * double(c.x[0] * c.w[0] * 8 * 8) * double(c.w[1] * 9);
    Tensor x = random_tensor<float>(c.x, 1), w = random_tensor<float>(c.w, 2);
    OpTester conv("Conv", 13);
    for (Attribute& a : conv_attrs(c)) conv.attr(a);
    conv.input(x).constant(w).require("xnnpack").expect_flops(want).run();
    OpTester nhwc("NhwcConv", 1, "onnxi");
    for (Attribute& a : conv_attrs(c)) nhwc.attr(a);
    nhwc.input(to_nhwc(x)).constant(w).require("xnnpack").expect_flops(want).run();
  }
}
