// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against double-precision
// references written here.
#include <cmath>
#include <optional>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

struct LossCase {
  Shape input;  // [N, C, d...]
  std::string reduction = "mean";
  std::optional<int64_t> ignore_index;
  bool weight = false;
};

// Targets in [0, C), with some set to the ignored index when there is one.
Tensor make_target(const Shape& input, std::optional<int64_t> ignore, uint64_t seed,
                   DType dt = DType::Int64) {
  Shape ts = input;
  ts.erase(ts.begin() + 1);
  Tensor t(dt, ts);
  TestRng rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) {
    int64_t v = rng.integer(0, input[1] - 1);
    if (ignore && rng.integer(0, 3) == 0) v = *ignore;
    set_value(t, i, static_cast<double>(v));
  }
  return t;
}

// Reference: per-element losses of log-probabilities `lp` laid out [N, C, D].
std::vector<double> ref_nll(const LossCase& c, const std::vector<double>& lp, const Tensor& target,
                            const std::vector<double>* w) {
  const int64_t N = c.input[0], C = c.input[1];
  int64_t D = 1;
  for (size_t i = 2; i < c.input.size(); ++i) D *= c.input[i];
  std::vector<double> loss(static_cast<size_t>(N * D));
  double sum = 0, wsum = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t t = static_cast<int64_t>(get_value(target, n * D + d));
      if (c.ignore_index && t == *c.ignore_index) {
        loss[n * D + d] = 0;
        continue;
      }
      const double wt = w ? (*w)[t] : 1.0;
      loss[n * D + d] = -lp[(n * C + t) * D + d] * wt;
      sum += loss[n * D + d];
      wsum += wt;
    }
  if (c.reduction == "none") return loss;
  if (c.reduction == "sum") return {sum};
  return {sum / wsum};
}

std::vector<double> ref_log_softmax(const Shape& s, const std::vector<double>& x) {
  const int64_t N = s[0], C = s[1];
  int64_t D = 1;
  for (size_t i = 2; i < s.size(); ++i) D *= s[i];
  std::vector<double> y(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) {
      double mx = -INFINITY, sum = 0;
      for (int64_t k = 0; k < C; ++k) mx = std::max(mx, x[(n * C + k) * D + d]);
      for (int64_t k = 0; k < C; ++k) sum += std::exp(x[(n * C + k) * D + d] - mx);
      for (int64_t k = 0; k < C; ++k) y[(n * C + k) * D + d] = x[(n * C + k) * D + d] - mx - std::log(sum);
    }
  return y;
}

NodeRun loss_node(const std::string& op, const LossCase& c, std::vector<Tensor> inputs, int64_t opset = 13) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes.push_back(attr_string("reduction", c.reduction));
  if (c.ignore_index) r.attributes.push_back(attr_int("ignore_index", *c.ignore_index));
  return r;
}

const std::vector<LossCase> kCases = {
    {{3, 5}, "mean", std::nullopt, false},
    {{3, 5}, "sum", std::nullopt, true},
    {{3, 5}, "none", 2, true},
    {{2, 3, 4}, "mean", std::nullopt, true},
    {{2, 3, 4}, "none", std::nullopt, false},
    {{2, 4, 2, 3}, "mean", -1, false},
    {{2, 4, 2, 3}, "sum", 1, true},
    {{2, 3, 1, 2, 2}, "mean", 10, true},
};

}  // namespace

TEST_CASE("NegativeLogLikelihoodLoss: reductions, weights, ignore_index, N-D", "[loss][nll]") {
  uint64_t seed = 1;
  for (const LossCase& c : kCases) {
    for (DType dt : {DType::Float, DType::Double}) {
      INFO("input " << shape_to_string(c.input) << " reduction " << c.reduction << " dtype "
                    << dtype_name(dt));
      Tensor x = random_tensor(dt, c.input, seed++, -3, 0);
      const DType target_dt = seed % 2 ? DType::Int64 : DType::Int32;
      Tensor t = make_target(c.input, c.ignore_index, seed++, target_dt);
      std::vector<Tensor> in{x, t};
      std::vector<double> w;
      if (c.weight) {
        Tensor wt = random_tensor(dt, {c.input[1]}, seed++, 0.25, 2);
        w = values_of(wt);
        in.push_back(wt);
      }
      std::vector<double> want = ref_nll(c, values_of(x), t, c.weight ? &w : nullptr);
      Tensor y = run_all(loss_node("NegativeLogLikelihoodLoss", c, in));
      REQUIRE(y.dtype() == dt);
      if (c.reduction == "none") {
        Shape ts = c.input;
        ts.erase(ts.begin() + 1);
        REQUIRE(y.shape() == ts);
      } else {
        REQUIRE(y.shape().empty());
      }
      require_values(y, want, 1e-6, 1e-6);
    }
  }
}

TEST_CASE("NegativeLogLikelihoodLoss: float16 and all targets ignored", "[loss][nll]") {
  LossCase c{{2, 3}, "mean", 0, false};
  Tensor x = make_tensor(DType::Float16, {2, 3}, {-1, -2, -0.5, -0.25, -4, -1});
  Tensor t = Tensor::from_vector<int64_t>({1, 2}, {2});
  Tensor y = run_all(loss_node("NegativeLogLikelihoodLoss", c, {x, t}));
  require_values(y, {(2 + 1) / 2.0});
  Tensor all_ignored = Tensor::from_vector<int64_t>({0, 0}, {2});
  Tensor z = run_all(loss_node("NegativeLogLikelihoodLoss", c, {x, all_ignored}));
  REQUIRE(std::isnan(get_value(z, 0)));
}

TEST_CASE("NegativeLogLikelihoodLoss: bad targets and shapes are errors", "[loss][nll]") {
  LossCase c{{2, 3}, "sum", std::nullopt, false};
  Tensor x = random_float({2, 3}, 3);
  REQUIRE_THROWS_AS(
      run_all(loss_node("NegativeLogLikelihoodLoss", c, {x, Tensor::from_vector<int64_t>({0, 3}, {2})})),
      Error);
  REQUIRE_THROWS_AS(
      run_all(loss_node("NegativeLogLikelihoodLoss", c, {x, Tensor::from_vector<int64_t>({-1, 0}, {2})})),
      Error);
  // -1 is fine once it is the ignored index.
  LossCase ci{{2, 3}, "sum", -1, false};
  Tensor y = run_all(loss_node("NegativeLogLikelihoodLoss", ci, {x, Tensor::from_vector<int64_t>({-1, 2}, {2})}));
  require_values(y, {-get_value(x, 5)});
  REQUIRE_THROWS_AS(
      run_all(loss_node("NegativeLogLikelihoodLoss", c, {x, Tensor::from_vector<int64_t>({0, 1, 2}, {3})})),
      Error);
  expect_error_all(loss_node("NegativeLogLikelihoodLoss", c,
                                   {x, Tensor::from_vector<int64_t>({0, 1}, {2}), random_float({4}, 1)}));
  LossCase bad{{2, 3}, "avg", std::nullopt, false};
  REQUIRE_THROWS_AS(
      run_all(loss_node("NegativeLogLikelihoodLoss", bad, {x, Tensor::from_vector<int64_t>({0, 1}, {2})})),
      Error);
}

TEST_CASE("SoftmaxCrossEntropyLoss: loss and log_prob outputs", "[loss][sce]") {
  uint64_t seed = 100;
  for (const LossCase& c : kCases) {
    INFO("input " << shape_to_string(c.input) << " reduction " << c.reduction);
    Tensor x = random_float(c.input, seed++, -3, 3);
    Tensor t = make_target(c.input, c.ignore_index, seed++);
    std::vector<Tensor> in{x, t};
    std::vector<double> w;
    if (c.weight) {
      Tensor wt = random_float({c.input[1]}, seed++, 0.25, 2);
      w = values_of(wt);
      in.push_back(wt);
    }
    std::vector<double> lp = ref_log_softmax(c.input, values_of(x));
    std::vector<double> want = ref_nll(c, lp, t, c.weight ? &w : nullptr);
    const int64_t opset = seed % 2 ? 12 : 13;
    NodeRun r = loss_node("SoftmaxCrossEntropyLoss", c, in, opset);
    r.num_outputs = 2;
    r.provider = "ref";
    NodeResult res = run_node(r);
    require_values(res.outputs[0], want, 1e-5, 1e-6);
    REQUIRE(res.outputs[1].shape() == c.input);
    require_values(res.outputs[1], lp, 1e-5, 1e-6);
    // Without the second output.
    check_all(loss_node("SoftmaxCrossEntropyLoss", c, in), want, 1e-5, 1e-6);
  }
  LossCase c{{2, 3}, "mean", std::nullopt, false};
  expect_error_all(loss_node("SoftmaxCrossEntropyLoss", c,
                                   {random_float({2, 3}, 1), Tensor::from_vector<int64_t>({0, 5}, {2})}));
}
