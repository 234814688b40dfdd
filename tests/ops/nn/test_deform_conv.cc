// DeformConv (19, 22): 2-D against ONNX's reference evaluator (gen/deform_conv.py; inputs
// are made by the same formula here), zero offsets against Conv in 1-D/3-D, an integer
// shift by hand in 1-D, and errors.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// ((i * 5 + shift) % mod) * scale - scale * (mod / 2), as vals() in gen/deform_conv.py.
Tensor vals(Shape shape, double scale, int64_t shift, int64_t mod = 7, double add = 0) {
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] =
        static_cast<float>(static_cast<float>(((i * 5 + shift) % mod) * scale - scale * static_cast<double>(mod / 2)) + add);
  return t;
}

NodeRun deform(std::vector<Tensor> in, std::vector<Attribute> attrs = {}, int64_t opset = 19) {
  NodeRun r;
  r.op_type = "DeformConv";
  r.opset = opset;
  r.inputs = std::move(in);
  r.attributes = std::move(attrs);
  return r;
}

}  // namespace

TEST_CASE("DeformConv 2-D: fractional offsets, padding (reference values)", "[nn][deform_conv]") {
  Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8}, {1, 1, 3, 3});
  Tensor w = Tensor::from_vector<float>({1, 2, -1, 0.5f}, {1, 1, 2, 2});
  Tensor y = check_all(deform({x, w, vals({1, 8, 4, 4}, 0.3, 1)}, {attr_ints("pads", {1, 1, 1, 1})}),
                       {0.359999985, 1.33999991, -0.810000122, 0.504999876, 3.97500014, 0.669999778, 1.67000031,
                        -4.80000019, 7.28999949, 7.23999977, 4.26499939, 6.47999954, 1.83000016, 19.6700001,
                        16.1000004, 4.60999966},
                       1e-5, 1e-5);
  CHECK(y.shape() == Shape{1, 1, 4, 4});
}

TEST_CASE("DeformConv 2-D: groups, offset groups, stride, dilation, bias, mask (reference values)",
          "[nn][deform_conv]") {
  NodeRun r = deform({vals({1, 4, 5, 5}, 0.5, 2, 11), vals({2, 2, 2, 2}, 0.25, 3, 7), vals({1, 16, 2, 2}, 0.35, 4, 9),
                      Tensor::from_vector<float>({0.5f, -1.0f}, {2}), vals({1, 8, 2, 2}, 0.2, 5, 6, 0.5)},
                     {attr_int("group", 2), attr_int("offset_group", 2), attr_ints("strides", {2, 2}),
                      attr_ints("dilations", {1, 2}), attr_ints("pads", {0, 1, 0, 0})});
  const std::vector<double> want = {0.599906266, 0.303499937,  0.0437500179, -0.327812493,
                                    -1.02893734, -1.02349997, -1.25378132, -0.184812546};
  check_all(r, want, 1e-5, 1e-5);
  // The same in double, float16 (opset 19) and bfloat16 (opset 22).
  for (DType t : {DType::Double, DType::Float16, DType::BFloat16}) {
    INFO(dtype_name(t));
    NodeRun rt = r;
    rt.opset = t == DType::BFloat16 ? 22 : 19;
    for (Tensor& in : rt.inputs) in = make_tensor(t, in.shape(), values_of(in));
    const double tol = t == DType::Double ? 1e-5 : t == DType::Float16 ? 1e-2 : 6e-2;
    require_values(run_all(rt), want, tol, tol);
  }
  NodeRun bf = r;
  for (Tensor& in : bf.inputs) in = make_tensor(DType::BFloat16, in.shape(), values_of(in));
  expect_error_all(bf, "bfloat16 at opset 19");
}

TEST_CASE("DeformConv with zero offsets is Conv (1-D, 3-D); integer shifts by hand", "[nn][deform_conv]") {
  struct Case {
    Shape x, w;
    std::vector<Attribute> attrs;
  };
  const std::vector<Case> cases = {
      {{2, 3, 7}, {4, 3, 3}, {attr_ints("pads", {1, 2}), attr_ints("strides", {2})}},
      {{1, 2, 4, 3, 4}, {2, 1, 2, 2, 3}, {attr_int("group", 2), attr_ints("dilations", {1, 1, 1})}},
  };
  for (const Case& c : cases) {
    Tensor x = random_float(c.x, 11), w = random_float(c.w, 12);
    NodeRun conv;
    conv.op_type = "Conv";
    conv.opset = 11;
    conv.inputs = {x, w};
    conv.attributes = c.attrs;
    Tensor want = run_all(conv);
    Shape off_shape = want.shape();
    off_shape[1] = shape_numel(Shape(c.w.begin() + 2, c.w.end())) * static_cast<int64_t>(c.x.size() - 2);
    Tensor off(DType::Float, off_shape);
    Tensor got = run_all(deform({x, w, off}, c.attrs));
    REQUIRE(got.shape() == want.shape());
    require_close(got, want, {1e-5, 1e-5}, "DeformConv vs Conv");
  }
  // 1-D, kernel [1, 1], one channel: offsets +1 and -0.5 on each tap of output 0.
  // x = [10 20 30 40]; output 0 samples x[0 + 1] = 20 and x[1 - 0.5] = 15 -> 20 + 15.
  Tensor x = Tensor::from_vector<float>({10, 20, 30, 40}, {1, 1, 4});
  Tensor w = Tensor::from_vector<float>({1, 1}, {1, 1, 2});
  Tensor off = Tensor::from_vector<float>({1, 0, 0, -0.5f, 0, 5}, {1, 2, 3});
  // Output 2, tap 1: 3 + 5 = 8 is outside -> 0; tap 0 samples x[2] = 30.
  check_all(deform({x, w, off}), {35, 50, 30});
  // A mask of 0.5 on every tap halves it.
  Tensor mask = Tensor::from_vector<float>({0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, {1, 2, 3});
  check_all(deform({x, w, off, Tensor(), mask}), {17.5, 25, 15});
}

TEST_CASE("DeformConv errors", "[nn][deform_conv]") {
  Tensor x = vals({1, 2, 4, 4}, 0.5, 1), w = vals({2, 2, 2, 2}, 0.5, 2);
  Tensor off = vals({1, 8, 3, 3}, 0.1, 3);
  expect_error_all(deform({x, w, vals({1, 8, 2, 3}, 0.1, 3)}), "offset has shape");
  expect_error_all(deform({x, w, off, Tensor(), vals({1, 3, 3, 3}, 0.1, 1)}), "mask has shape");
  expect_error_all(deform({x, w, off, vals({3}, 1, 0)}), "B has shape");
  expect_error_all(deform({x, vals({2, 1, 2, 2}, 0.5, 2), off}), "input channels");
  expect_error_all(deform({x, w, vals({1, 24, 3, 3}, 0.1, 3)}, {attr_int("offset_group", 3)}), "offset_group");
  expect_error_all(deform({x, w, off}, {attr_ints("kernel_shape", {3, 3})}));
  expect_error_all(deform({vals({2, 2}, 1, 0), w, off}), "rank >= 3");
  expect_error_all(deform({x, w, off}, {attr_string("auto_pad", "SAME_UPPER")}), "auto_pad");
  expect_error_all(deform({make_tensor(DType::Int32, {1, 1, 1, 1}, {1}), make_tensor(DType::Int32, {1, 1, 1, 1}, {1}),
                           make_tensor(DType::Int32, {1, 2, 1, 1}, {0, 0})}),
                   "does not support int32");
}
