// Adagrad, Adam and Momentum (ai.onnx.preview.training 1). Expected values from ONNX's
// reference evaluator via gen/optimizers.py (Momentum's first step also checked by hand).
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

Tensor f(std::vector<float> v, Shape s) { return Tensor::from_vector<float>(v, std::move(s)); }

NodeRun optimizer(const std::string& op, std::vector<Tensor> in, size_t outputs, std::vector<Attribute> attrs = {}) {
  NodeRun r;
  r.op_type = op;
  r.domain = "ai.onnx.preview.training";
  r.opset = 1;
  r.inputs = std::move(in);
  r.num_outputs = outputs;
  r.attributes = std::move(attrs);
  return r;
}

const Tensor kR = Tensor::scalar<float>(0.1f);
const Tensor kT0 = Tensor::scalar<int64_t>(0);
const Tensor kT3 = Tensor::scalar<int64_t>(3);
const Tensor kX = f({1.0f, -2.0f, 0.5f}, {3}), kG = f({0.3f, 0.1f, -0.4f}, {3});
const Tensor kV = f({0.05f, -0.2f, 0.0f}, {3}), kH = f({0.2f, 0.4f, 0.01f}, {3});
const Tensor kX2 = f({3, 0}, {1, 2}), kG2 = f({-1, 2}, {1, 2}), kV2 = f({0.5f, 0.5f}, {1, 2}), kH2 = f({1, 0}, {1, 2});

void check_outputs(const NodeRun& r, const std::vector<std::vector<double>>& want) {
  for (size_t k = 0; k < want.size(); ++k) {
    INFO("output " << k);
    check_all(r, want[k], 1e-6, 1e-7, k);
  }
}

}  // namespace

TEST_CASE("Adagrad: decayed rate, regularization, two tensors", "[training][adagrad]") {
  check_outputs(optimizer("Adagrad", {kR, kT3, kX, kG, kH}, 2,
                          {attr_float("norm_coefficient", 0.01f), attr_float("decay_factor", 0.1f),
                           attr_float("epsilon", 1e-5f)}),
                {{0.956178129, -2.00965309, 0.574568629}, {0.29610002, 0.406399995, 0.166025013}});
  check_outputs(optimizer("Adagrad", {kR, kT0, kX, kX2, kG, kG2, kH, kH2}, 4),
                {{0.944291532, -2.01561737, 0.59701401},
                 {3.07071066, -0.0999999568},
                 {0.290000021, 0.409999996, 0.170000017},
                 {2, 4}});
}

TEST_CASE("Adam: bias correction for T > 0, defaults, two tensors", "[training][adam]") {
  check_outputs(optimizer("Adam", {kR, kT3, kX, kG, kV, kH}, 3,
                          {attr_float("norm_coefficient", 0.01f), attr_float("norm_coefficient_post", 0.02f),
                           attr_float("alpha", 0.8f), attr_float("beta", 0.95f), attr_float("epsilon", 1e-5f)}),
                {{0.96247355, -1.9422914, 0.535546976},
                 {0.101999998, -0.144000009, -0.0789999962},
                 {0.194804996, 0.380319983, 0.0173012521}});
  check_outputs(optimizer("Adam", {kR, kT0, kX, kX2, kG, kG2, kV, kV2, kH, kH2}, 6),
                {{0.983224928, -1.97310758, 0.539702952},
                 {2.96500015, -1.0277307},
                 {0.075000003, -0.169999987, -0.0400000103},
                 {0.349999964, 0.650000036},
                 {0.199890003, 0.399610013, 0.0101499977},
                 {1, 0.0039999485}});
}

TEST_CASE("Momentum standard and Nesterov, first and later steps, double", "[training][momentum]") {
  auto attrs = [](const char* mode) {
    return std::vector<Attribute>{attr_float("norm_coefficient", 0.01f), attr_float("alpha", 0.9f),
                                  attr_float("beta", 0.5f), attr_string("mode", mode)};
  };
  // By hand, T = 0: g = 0.01 * 1 + 0.3 = 0.31, V' = 0.9 * 0.05 + 0.31 = 0.355, X' = 1 - 0.0355.
  check_outputs(optimizer("Momentum", {kR, kT0, kX, kG, kV}, 2, attrs("standard")),
                {{0.96450001, -1.99000001, 0.539499998}, {0.354999989, -0.099999994, -0.395000011}});
  check_outputs(optimizer("Momentum", {kR, kT3, kX, kG, kV}, 2, attrs("standard")),
                {{0.980000019, -1.98600006, 0.519749999}, {0.200000003, -0.139999986, -0.197500005}});
  check_outputs(optimizer("Momentum", {kR, kT0, kX, kG, kV}, 2, attrs("nesterov")),
                {{0.937049985, -1.99899995, 0.575049996}, {0.354999989, -0.099999994, -0.395000011}});
  const std::vector<double> want = {0.950999975, -1.99539995, 0.557274997};
  check_outputs(optimizer("Momentum", {kR, kT3, kX, kG, kV}, 2, attrs("nesterov")),
                {want, {0.200000003, -0.139999986, -0.197500005}});
  // Double tensors and a double learning rate.
  auto d = [](const Tensor& t) { return make_tensor(DType::Double, t.shape(), values_of(t)); };
  Tensor y = run_all(optimizer("Momentum", {Tensor::scalar<double>(0.1), kT3, d(kX), d(kG), d(kV)}, 2, attrs("nesterov")));
  REQUIRE(y.dtype() == DType::Double);
  require_values(y, want, 1e-6, 1e-7);
}

TEST_CASE("Optimizers reject bad inputs and attributes", "[training]") {
  expect_error_all(optimizer("Adagrad", {kR, kT0, kX, kG}, 2), "inputs per optimized tensor");
  expect_error_all(optimizer("Adam", {kR, kT0, kX, kG, kV, kH}, 2), "needs 3 outputs");
  expect_error_all(optimizer("Adagrad", {kR, kT0, kX, kG, f({1, 2}, {2})}, 2), "shape");
  expect_error_all(optimizer("Adagrad", {kR, Tensor::scalar<int32_t>(0), kX, kG, kH}, 2), "T must be int64");
  expect_error_all(optimizer("Adagrad", {f({0.1f, 0.2f}, {2}), kT0, kX, kG, kH}, 2), "R must be a scalar");
  Tensor xi = Tensor::from_vector<int32_t>({1, 2, 3}, {3});
  expect_error_all(optimizer("Adagrad", {kR, kT0, xi, xi, xi}, 2), "float or double");
  expect_error_all(optimizer("Adagrad", {kR, kT0, kX, make_tensor(DType::Double, {3}, {0, 0, 0}), kH}, 2), "dtype");
  expect_error_all(optimizer("Momentum", {kR, kT0, kX, kG, kV}, 2,
                             {attr_float("norm_coefficient", 0), attr_float("alpha", 0.9f), attr_float("beta", 1),
                              attr_string("mode", "heavy")}),
                   "mode");
  expect_error_all(optimizer("Momentum", {kR, kT0, kX, kG, kV}, 2, {attr_float("alpha", 0.9f)}));
}
