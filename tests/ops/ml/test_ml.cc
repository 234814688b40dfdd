// The ai.onnx.ml kernels (ops/ml/). Expected values are worked out by hand in the comments,
// or (classifier post transforms, SVM probabilities) come from ONNX's reference evaluator
// through tests/ops/ml/gen/ml_reference.py (which couples SVM class-pair probabilities as
// libsvm does: see there).
#include <cfloat>
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;
using Catch::Matchers::Contains;

namespace {

const char* kMl = "ai.onnx.ml";

Tensor strs(std::vector<std::string> v, Shape shape) { return Tensor::from_vector<std::string>(v, std::move(shape)); }

OpTester ml(const std::string& op, int64_t opset = 1) { return OpTester(op, opset, kMl); }

// The three feature rows of the generated cases.
Tensor rows3() { return floats({0.5f, -1.0f, 2.0f, 0.25f, -1.5f, 3.0f}, {3, 2}); }

// One tree: x0 <= 1 ? (x1 < 0 ? leaf 3 : leaf 4) : leaf 2; leaves carry targets 0/1.
std::vector<Attribute> one_tree(const std::string& prefix, bool missing_true = false) {
  return {attr_ints("nodes_treeids", {0, 0, 0, 0, 0}), attr_ints("nodes_nodeids", {0, 1, 2, 3, 4}),
          attr_ints("nodes_featureids", {0, 1, 0, 0, 0}),
          attr_strings("nodes_modes", {"BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF"}),
          attr_floats("nodes_values", {1.0f, 0.0f, 0, 0, 0}), attr_ints("nodes_truenodeids", {1, 3, 0, 0, 0}),
          attr_ints("nodes_falsenodeids", {2, 4, 0, 0, 0}),
          attr_ints("nodes_missing_value_tracks_true", {missing_true ? 1 : 0, 0, 0, 0, 0}),
          attr_ints(prefix + "_treeids", {0, 0, 0, 0}), attr_ints(prefix + "_nodeids", {2, 3, 4, 4}),
          attr_ints(prefix + "_ids", {0, 0, 0, 1}), attr_floats(prefix + "_weights", {5.0f, -1.0f, 2.0f, 0.5f})};
}

OpTester with(OpTester t, const std::vector<Attribute>& attrs) {
  for (const auto& a : attrs) t.attr(a);
  return t;
}

}  // namespace

TEST_CASE("TreeEnsembleRegressor: branches, aggregates, base values, missing values", "[ml]") {
  // Rows: x0 > 1 -> leaf 2 (5 | -); x0 <= 1, x1 < 0 -> leaf 3 (-1 | -); else leaf 4 (2 | 0.5).
  Tensor x = floats({2.0f, 0.0f, 0.5f, -1.0f, 0.5f, 3.0f, NAN, 3.0f}, {4, 2});
  auto attrs = one_tree("target");
  attrs.push_back(attr_int("n_targets", 2));
  SECTION("SUM with base values; NaN goes to the false branch") {
    auto t = with(ml("TreeEnsembleRegressor"), attrs);
    t.attr(attr_floats("base_values", {1.0f, 10.0f})).input(x);
    t.expect_values({6, 10, 0, 10, 3, 10.5, 6, 10}).run();
  }
  SECTION("nodes_missing_value_tracks_true sends NaN to the true branch") {
    auto t = with(ml("TreeEnsembleRegressor"), one_tree("target", true));
    t.attr(attr_int("n_targets", 2)).input(floats({NAN, 3.0f}, {1, 2})).expect_values({2, 0.5}).run();
  }
  SECTION("MIN and MAX leave a target no leaf reached at the float extreme") {
    auto t = with(ml("TreeEnsembleRegressor"), attrs);
    t.attr(attr_string("aggregate_function", "MIN")).input(floats({2.0f, 0.0f}, {1, 2}));
    t.expect_values({5, FLT_MAX}).run();
    auto u = with(ml("TreeEnsembleRegressor"), attrs);
    u.attr(attr_string("aggregate_function", "MAX")).input(floats({2.0f, 0.0f}, {1, 2}));
    u.expect_values({5, -FLT_MAX}).run();
  }
  SECTION("version 3: *_as_tensor attributes (double), AVERAGE over one tree") {
    std::vector<Attribute> v3;
    for (auto& a : attrs)
      if (a.name == "nodes_values")
        v3.push_back(attr_tensor("nodes_values_as_tensor", Tensor::from_vector<double>({1.0, 0.0, 0, 0, 0}, {5})));
      else if (a.name == "target_weights")
        v3.push_back(attr_tensor("target_weights_as_tensor", Tensor::from_vector<double>({5, -1, 2, 0.5}, {4})));
      else
        v3.push_back(a);
    auto t = with(ml("TreeEnsembleRegressor", 3), v3);
    t.attr(attr_string("aggregate_function", "AVERAGE")).input(x).expect_values({5, 0, -1, 0, 2, 0.5, 5, 0}).run();
  }
  SECTION("errors") {
    auto cyc = one_tree("target");
    cyc[5] = attr_ints("nodes_truenodeids", {1, 0, 0, 0, 0});  // node 1 branches back to the root
    with(ml("TreeEnsembleRegressor"), cyc).input(x).expect_error("cycle");
    auto bad = one_tree("target");
    bad[6] = attr_ints("nodes_falsenodeids", {2, 9, 0, 0, 0});
    with(ml("TreeEnsembleRegressor"), bad).input(x).expect_error("does not exist");
    with(ml("TreeEnsembleRegressor"), attrs).input(floats({1.0f}, {1, 1})).expect_error("feature 1");
    with(ml("TreeEnsembleRegressor"), attrs).attr(attr_string("aggregate_function", "MEDIAN")).input(x).expect_error(
        "aggregate_function");
    with(ml("TreeEnsembleRegressor"), attrs).attr(attr_string("post_transform", "RELU")).input(x).expect_error(
        "post_transform");
    with(ml("TreeEnsembleRegressor", 3), attrs)
        .attr(attr_tensor("nodes_values_as_tensor", Tensor::from_vector<double>({1, 0, 0, 0, 0}, {5})))
        .input(x)
        .expect_error("only one of nodes_values");
  }
}

TEST_CASE("TreeEnsembleClassifier: softmax over classes, binary, labels", "[ml]") {
  SECTION("two trees, three classes, SOFTMAX (reference evaluator)") {
    ml("TreeEnsembleClassifier")
        .attr(attr_ints("nodes_treeids", {0, 0, 0, 1, 1, 1}))
        .attr(attr_ints("nodes_nodeids", {0, 1, 2, 0, 1, 2}))
        .attr(attr_ints("nodes_featureids", {0, 0, 0, 1, 1, 1}))
        .attr(attr_strings("nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"}))
        .attr(attr_floats("nodes_values", {1.0f, 0, 0, 0.25f, 0, 0}))
        .attr(attr_ints("nodes_truenodeids", {1, 0, 0, 1, 0, 0}))
        .attr(attr_ints("nodes_falsenodeids", {2, 0, 0, 2, 0, 0}))
        .attr(attr_ints("class_treeids", {0, 0, 0, 1, 1}))
        .attr(attr_ints("class_nodeids", {1, 1, 2, 1, 2}))
        .attr(attr_ints("class_ids", {0, 1, 2, 1, 2}))
        .attr(attr_floats("class_weights", {0.5f, 0.25f, 1.0f, 0.75f, -0.5f}))
        .attr(attr_ints("classlabels_int64s", {10, 20, 30}))
        .attr(attr_floats("base_values", {0.1f, 0.0f, -0.1f}))
        .attr(attr_string("post_transform", "SOFTMAX"))
        .input(rows3())
        .expect(ints({20, 30, 10}, {3}))
        .expect_values({0.33462614, 0.49920353, 0.1661704, 0.30724832, 0.2780098, 0.41474187, 0.49853376, 0.35131082,
                        0.15015547})
        .run();
  }
  // One stump scoring the positive class only (class id 0 everywhere): score s becomes
  // [-s, s] before LOGISTIC, [1 - s, s] with NONE.
  auto stump = [](const std::string& post, Attribute labels) {
    return ml("TreeEnsembleClassifier")
        .attr(attr_ints("nodes_treeids", {0, 0, 0}))
        .attr(attr_ints("nodes_nodeids", {0, 1, 2}))
        .attr(attr_ints("nodes_featureids", {0, 0, 0}))
        .attr(attr_strings("nodes_modes", {"BRANCH_GT", "LEAF", "LEAF"}))
        .attr(attr_floats("nodes_values", {0.0f, 0, 0}))
        .attr(attr_ints("nodes_truenodeids", {1, 0, 0}))
        .attr(attr_ints("nodes_falsenodeids", {2, 0, 0}))
        .attr(attr_ints("class_treeids", {0, 0}))
        .attr(attr_ints("class_nodeids", {1, 2}))
        .attr(attr_ints("class_ids", {0, 0}))
        .attr(attr_floats("class_weights", {2.0f, -1.0f}))
        .attr(labels)
        .attr(attr_string("post_transform", post))
        .input(floats({1.0f, -1.0f}, {2, 1}));
  };
  SECTION("binary, LOGISTIC, string labels") {
    double p = 1 / (1 + std::exp(-2.0)), q = 1 / (1 + std::exp(1.0));
    stump("LOGISTIC", attr_strings("classlabels_strings", {"no", "yes"}))
        .expect(strs({"yes", "no"}, {2}))
        .expect_values({1 - p, p, 1 - q, q})
        .run();
  }
  SECTION("binary, NONE, the single label [1]") {
    stump("NONE", attr_ints("classlabels_int64s", {1})).expect(ints({1, 0}, {2})).expect_values({-1, 2, 2, -1}).run();
  }
  SECTION("errors") {
    stump("NONE", attr_ints("classlabels_int64s", {5})).expect_error("single class label");
    stump("NONE", attr_ints("classlabels_int64s", {})).expect_error("classlabels");
  }
}

TEST_CASE("TreeEnsemble (5): set membership, NaN, single-leaf trees, output type", "[ml]") {
  // Tree 0: x0 in {1, 3} ? leaf 0 (1.0) : (x1 != 2 ? leaf 1 (10) : leaf 2 (100)).
  // Tree 1: one leaf (3, 1000 on target 1).
  auto t = [](Tensor x) {
    Tensor modes(DType::UInt8, {3});
    modes.data<uint8_t>()[0] = 6;  // BRANCH_MEMBER
    modes.data<uint8_t>()[1] = 5;  // BRANCH_NEQ
    modes.data<uint8_t>()[2] = 0;  // the single-leaf root (its mode is not used)
    // Attributes in X's type (float for a non-float X, which must be rejected).
    DType dt = x.dtype() == DType::Double ? DType::Double : DType::Float;
    return ml("TreeEnsemble", 5)
        .attr(attr_ints("tree_roots", {0, 2}))
        .attr(attr_tensor("nodes_modes", modes))
        .attr(attr_ints("nodes_featureids", {0, 1, 0}))
        .attr(attr_tensor("nodes_splits", make_tensor(dt, {3}, {0, 2, 0})))
        .attr(attr_ints("nodes_truenodeids", {0, 1, 3}))
        .attr(attr_ints("nodes_trueleafs", {1, 1, 1}))
        .attr(attr_ints("nodes_falsenodeids", {1, 2, 3}))
        .attr(attr_ints("nodes_falseleafs", {0, 1, 1}))
        .attr(attr_tensor("membership_values", make_tensor(dt, {3}, {1, 3, NAN})))
        .attr(attr_ints("leaf_targetids", {0, 0, 0, 1}))
        .attr(attr_tensor("leaf_weights", make_tensor(dt, {4}, {1, 10, 100, 1000})))
        .attr(attr_int("n_targets", 2))
        .input(x);
  };
  // Rows: (3, 0) member; (2, 2) not member, x1 == 2; (NaN, NaN): not member, NaN != 2 holds.
  for (DType dt : {DType::Float, DType::Double}) {
    INFO(dtype_name(dt));
    t(make_tensor(dt, {3, 2}, {3, 0, 2, 2, NAN, NAN})).expect(make_tensor(dt, {3, 2}, {1, 1000, 100, 1000, 10, 1000})).run();
  }
  SECTION("errors") {
    auto bad = t(floats({1, 2}, {1, 2}));
    bad.attr(attr_tensor("membership_values", floats({1, 3}, {2})));
    bad.expect_error("NaN-terminated");
    t(floats({1, 2}, {1, 2})).attr(attr_ints("tree_roots", {5})).expect_error("out of range");
    t(ints({1, 2}, {1, 2})).expect_error("X must be float");
  }
}

TEST_CASE("LinearClassifier and LinearRegressor", "[ml]") {
  SECTION("one coefficient row, two classes: scores [-s, s], LOGISTIC") {
    // s = 2 * x0 - x1 + 0.5: row 0 -> 0.5, row 1 -> -1.5.
    double a = 1 / (1 + std::exp(0.5)), b = 1 / (1 + std::exp(-1.5));
    ml("LinearClassifier")
        .attr(attr_floats("coefficients", {2, -1}))
        .attr(attr_floats("intercepts", {0.5f}))
        .attr(attr_ints("classlabels_ints", {3, 8}))
        .attr(attr_string("post_transform", "LOGISTIC"))
        .input(floats({0, 0, 0, 2}, {2, 2}))
        .expect(ints({8, 3}, {2}))
        .expect_values({a, 1 - a, b, 1 - b})
        .run();
  }
  SECTION("SOFTMAX_ZERO and PROBIT (reference evaluator)") {
    ml("LinearClassifier")
        .attr(attr_floats("coefficients", {1, 0, 0, 0, -1, 2}))
        .attr(attr_floats("intercepts", {0, 0, 0.5f}))
        .attr(attr_strings("classlabels_strings", {"x", "y", "z"}))
        .attr(attr_string("post_transform", "SOFTMAX_ZERO"))
        .input(rows3())
        .expect(strs({"x", "x", "z"}, {3}))
        .expect_values({9.2414182e-01, 0, 7.5858183e-02, 9.5257413e-01, 0, 4.7425874e-02, 7.4846226e-05, 0,
                        9.9992514e-01})
        .run();
    ml("LinearClassifier")
        .attr(attr_floats("coefficients", {0.5f, 0.25f, -0.5f, 1}))
        .attr(attr_floats("intercepts", {0.5f, 0.4f}))
        .attr(attr_ints("classlabels_ints", {1, 2}))
        .attr(attr_string("post_transform", "PROBIT"))
        .input(floats({0.1f, 0.2f, 0.3f, -0.1f}, {2, 2}))
        .expect(ints({1, 1}, {2}))
        .expect_values({0.2533535, 0.12566201, 0.31865132, -1.0366131})
        .tolerance(1e-5, 1e-6)
        .run();
  }
  SECTION("one score column labels by threshold") {
    ml("LinearClassifier")
        .attr(attr_floats("coefficients", {1, 1}))
        .attr(attr_ints("classlabels_ints", {7}))
        .input(floats({1, 1, -1, -1}, {2, 2}))
        .expect(ints({7, 0}, {2}))
        .expect_values({2, -2})
        .run();
  }
  SECTION("LinearRegressor with two targets") {
    ml("LinearRegressor")
        .attr(attr_floats("coefficients", {1, 2, -1, 0}))
        .attr(attr_floats("intercepts", {0.5f, 1}))
        .attr(attr_int("targets", 2))
        .input(ints({1, 2, 3, 4}, {2, 2}))
        .expect_values({5.5, 0, 11.5, -2})
        .run();
  }
  SECTION("errors") {
    ml("LinearClassifier").attr(attr_floats("coefficients", {1, 2, 3})).input(rows3()).expect_error("do not fit");
    ml("LinearRegressor").attr(attr_int("targets", 2)).input(rows3()).expect_error("coefficients is required");
  }
}

TEST_CASE("SVMClassifier and SVMRegressor (reference evaluator)", "[ml]") {
  auto rbf = [](bool proba) {
    auto t = ml("SVMClassifier");
    t.attr(attr_string("kernel_type", "RBF"))
        .attr(attr_floats("kernel_params", {0.5f, 0, 3}))
        .attr(attr_floats("support_vectors", {0, 0, 2, 1, -1, 2}))
        .attr(attr_ints("vectors_per_class", {1, 1, 1}))
        .attr(attr_floats("coefficients", {1, 0.8f, -0.6f, -1, -0.7f, 0.9f}))
        .attr(attr_floats("rho", {0.1f, -0.2f, 0.05f}))
        .input(rows3());
    if (proba) t.attr(attr_floats("prob_a", {-2, -1.5f, -1.8f})).attr(attr_floats("prob_b", {0.1f, -0.2f, 0.05f}));
    return t;
  };
  SECTION("RBF, Platt probabilities coupled over three classes as libsvm does") {
    rbf(true)
        .attr(attr_ints("classlabels_ints", {0, 1, 2}))
        .expect(ints({0, 2, 0}, {3}))
        .expect_values({0.3003123, 0.23611055, 0.46357715, 0.388131, 0.13337688, 0.4784921, 0.3003623, 0.42185768,
                        0.27778006})
        .run();
  }
  SECTION("RBF, one-vs-one votes, string labels") {
    rbf(false)
        .attr(attr_strings("classlabels_strings", {"a", "b", "c"}))
        .expect(strs({"a", "c", "a"}, {3}))
        .expect_values({0.670411, -0.7374253, 0.022490056, 0.8350431, -0.33261293, -0.4762254, 0.103843406,
                        -0.5247634, 0.531528})
        .run();
  }
  SECTION("binary POLY with one rho: scores [-s, s]") {
    ml("SVMClassifier")
        .attr(attr_string("kernel_type", "POLY"))
        .attr(attr_floats("kernel_params", {0.5f, 1, 2}))
        .attr(attr_floats("support_vectors", {0, 1, 1, -1, 2, 0.5f}))
        .attr(attr_ints("vectors_per_class", {2, 1}))
        .attr(attr_floats("coefficients", {0.7f, -0.4f, -0.3f}))
        .attr(attr_floats("rho", {0.2f}))
        .attr(attr_ints("classlabels_ints", {4, 7}))
        .input(rows3())
        .expect(ints({7, 7, 4}, {3}))
        .expect_values({1.3187501, -1.3187501, 3.1339846, -3.1339846, -3.93125, 3.93125})
        .run();
  }
  SECTION("SVMRegressor, SIGMOID kernel; linear form; one_class") {
    ml("SVMRegressor")
        .attr(attr_string("kernel_type", "SIGMOID"))
        .attr(attr_floats("kernel_params", {0.3f, -0.1f, 0}))
        .attr(attr_floats("support_vectors", {0, 1, 1, -1}))
        .attr(attr_int("n_supports", 2))
        .attr(attr_floats("coefficients", {0.7f, -0.4f}))
        .attr(attr_floats("rho", {0.25f}))
        .input(rows3())
        .expect_values({-0.15051448, 0.072049916, 1.073103})
        .run();
    // Linear: s = x0 - x1 + 0.25; one_class gives the sign.
    ml("SVMRegressor")
        .attr(attr_floats("coefficients", {1, -1}))
        .attr(attr_floats("rho", {0.25f}))
        .input(rows3())
        .expect_values({1.75, 2.0, -4.25})
        .run();
    ml("SVMRegressor")
        .attr(attr_floats("coefficients", {1, -1}))
        .attr(attr_floats("rho", {0.25f}))
        .attr(attr_int("one_class", 1))
        .input(rows3())
        .expect_values({1, 1, -1})
        .run();
  }
  SECTION("errors") {
    rbf(false).attr(attr_ints("classlabels_ints", {0, 1})).expect_error("one entry per class");
    rbf(false).attr(attr_ints("classlabels_ints", {0, 1, 2})).attr(attr_string("kernel_type", "CUBIC")).expect_error(
        "kernel_type");
    ml("SVMRegressor").attr(attr_floats("coefficients", {1, -1, 3})).attr(attr_floats("rho", {0})).input(rows3())
        .expect_error("columns");
  }
}

TEST_CASE("Scaler, Normalizer, Binarizer, Imputer", "[ml]") {
  ml("Scaler")
      .attr(attr_floats("offset", {1, -1}))
      .attr(attr_floats("scale", {2}))
      .input(ints({1, 2, 3, 4}, {2, 2}))
      .expect_values({0, 6, 4, 10})
      .run();
  Tensor x = floats({3, -4, 0, 0}, {2, 2});
  ml("Normalizer").attr(attr_string("norm", "L2")).input(x).expect_values({0.6, -0.8, 0, 0}).run();
  ml("Normalizer").attr(attr_string("norm", "L1")).input(x).expect_values({3.0 / 7, -4.0 / 7, 0, 0}).run();
  ml("Normalizer").input(x).expect_values({0.75, -1, 0, 0}).run();
  ml("Binarizer").attr(attr_float("threshold", 0.5f)).input(floats({0.5f, 0.6f, -1}, {3})).expect(floats({0, 1, 0}, {3})).run();
  ml("Binarizer").input(ints({-2, 0, 3}, {3})).expect(ints({0, 0, 1}, {3})).run();
  ml("Imputer")
      .attr(attr_floats("imputed_value_floats", {7, 8}))
      .attr(attr_float("replaced_value_float", NAN))
      .input(floats({NAN, 1, 2, NAN}, {2, 2}))
      .expect(floats({7, 1, 2, 8}, {2, 2}))
      .run();
  ml("Imputer")
      .attr(attr_ints("imputed_value_int64s", {9}))
      .attr(attr_int("replaced_value_int64", -1))
      .input(ints({-1, 1, 2, -1}, {2, 2}))
      .expect(ints({9, 1, 2, 9}, {2, 2}))
      .run();
  ml("Normalizer").attr(attr_string("norm", "L3")).input(x).expect_error("norm must be");
  ml("Scaler").attr(attr_floats("scale", {1, 2, 3})).input(x).expect_error("3 values for 2 columns");
  ml("Imputer").attr(attr_ints("imputed_value_int64s", {9})).input(x).expect_error("int64 or int32 X");
}

TEST_CASE("OneHotEncoder, LabelEncoder, CategoryMapper", "[ml]") {
  ml("OneHotEncoder")
      .attr(attr_ints("cats_int64s", {4, 2}))
      .input(ints({2, 4, 3}, {3}))
      .expect(floats({0, 1, 1, 0, 0, 0}, {3, 2}))
      .run();
  ml("OneHotEncoder")
      .attr(attr_strings("cats_strings", {"a", "b", "c"}))
      .input(strs({"c", "a"}, {1, 2}))
      .expect(floats({0, 0, 1, 1, 0, 0}, {1, 2, 3}))
      .run();
  ml("OneHotEncoder").attr(attr_ints("cats_int64s", {4})).attr(attr_int("zeros", 0)).input(ints({5}, {1}))
      .expect_error("no known category");
  ml("OneHotEncoder").attr(attr_ints("cats_int64s", {4})).input(strs({"a"}, {1})).expect_error("to match");

  // Version 1: strings to their index in classes_strings, and back.
  ml("LabelEncoder").attr(attr_strings("classes_strings", {"a", "b"})).input(strs({"b", "z"}, {2}))
      .expect(ints({1, -1}, {2})).run();
  ml("LabelEncoder").attr(attr_strings("classes_strings", {"a", "b"})).attr(attr_string("default_string", "?"))
      .input(ints({1, 5}, {2})).expect(strs({"b", "?"}, {2})).run();
  // Version 2: keys/values lists, float keys, defaults by value type.
  ml("LabelEncoder", 2)
      .attr(attr_floats("keys_floats", {0.5f, 1.5f}))
      .attr(attr_strings("values_strings", {"lo", "hi"}))
      .input(floats({1.5f, 0.5f, 2}, {3}))
      .expect(strs({"hi", "lo", "_Unused"}, {3}))
      .run();
  ml("LabelEncoder", 2)
      .attr(attr_strings("keys_strings", {"x"}))
      .attr(attr_floats("values_floats", {2.5f}))
      .input(strs({"x", "y"}, {1, 2}))
      .expect(floats({2.5f, -0.0f}, {1, 2}))
      .run();
  // Version 4: tensors of other types, NaN keys, default_tensor.
  ml("LabelEncoder", 4)
      .attr(attr_tensor("keys_tensor", Tensor::from_vector<double>({1.0, NAN}, {2})))
      .attr(attr_tensor("values_tensor", Tensor::from_vector<int32_t>({10, 20}, {2})))
      .attr(attr_tensor("default_tensor", Tensor::from_vector<int32_t>({-7}, {1})))
      .input(Tensor::from_vector<double>({NAN, 1.0, 2.0}, {3}))
      .expect(Tensor::from_vector<int32_t>({20, 10, -7}, {3}))
      .run();
  ml("LabelEncoder", 4)
      .attr(attr_tensor("keys_tensor", Tensor::from_vector<int16_t>({3}, {1})))
      .attr(attr_tensor("values_tensor", Tensor::from_vector<int64_t>({30}, {1})))
      .input(Tensor::from_vector<int16_t>({3, 4}, {2}))
      .expect(ints({30, -1}, {2}))
      .run();
  ml("LabelEncoder", 2).attr(attr_strings("keys_strings", {"x"})).attr(attr_ints("values_int64s", {1, 2}))
      .input(strs({"x"}, {1})).expect_error("1 keys but 2 values");
  ml("LabelEncoder", 2).attr(attr_strings("keys_strings", {"x"})).attr(attr_ints("values_int64s", {1}))
      .input(ints({1}, {1})).expect_error("X is int64 but the keys are string");
  ml("LabelEncoder", 2).attr(attr_ints("values_int64s", {1})).input(ints({1}, {1})).expect_error("keys_*");

  ml("CategoryMapper").attr(attr_strings("cats_strings", {"a", "b"})).attr(attr_ints("cats_int64s", {5, 6}))
      .input(strs({"b", "q"}, {2})).expect(ints({6, -1}, {2})).run();
  ml("CategoryMapper").attr(attr_strings("cats_strings", {"a", "b"})).attr(attr_ints("cats_int64s", {5, 6}))
      .input(ints({5, 7}, {2})).expect(strs({"a", "_Unused"}, {2})).run();
}

TEST_CASE("ArrayFeatureExtractor and FeatureVectorizer", "[ml]") {
  ml("ArrayFeatureExtractor")
      .input(floats({1, 2, 3, 4, 5, 6}, {2, 3}))
      .input(ints({2, 0}, {2}))
      .expect(floats({3, 1, 6, 4}, {2, 2}))
      .run();
  ml("ArrayFeatureExtractor").input(strs({"a", "b", "c"}, {3})).input(ints({1}, {1})).expect(strs({"b"}, {1, 1})).run();
  ml("ArrayFeatureExtractor").input(floats({1, 2}, {2})).input(ints({2}, {1})).expect_error("out of range");
  // [2, 3] cut to 2 columns, [2] as one column padded to 2, [2, 1] as is.
  ml("FeatureVectorizer")
      .attr(attr_ints("inputdimensions", {2, 2, 1}))
      .input(floats({1, 2, 3, 4, 5, 6}, {2, 3}))
      .input(ints({7, 8}, {2}))
      .input(Tensor::from_vector<double>({9, 10}, {2, 1}))
      .expect(floats({1, 2, 7, 0, 9, 4, 5, 8, 0, 10}, {2, 5}))
      .run();
  ml("FeatureVectorizer").attr(attr_ints("inputdimensions", {1, 1})).input(floats({1, 2}, {2, 1}))
      .input(floats({1, 2, 3}, {3, 1})).expect_error("different row counts");
}

TEST_CASE("ZipMap and DictVectorizer on map values", "[ml]") {
  NodeRun r;
  r.op_type = "ZipMap";
  r.domain = kMl;
  r.opset = 1;
  r.attributes = {attr_strings("classlabels_strings", {"a", "b"})};
  r.inputs = {floats({0.25f, 0.75f, 1, 0}, {2, 2})};
  Tensor z = run_node(r).outputs[0];
  REQUIRE(z.is_sequence());
  REQUIRE(z.elements().size() == 2);
  CHECK(z.elements()[1].is_map());
  CHECK(z.elements()[1].map_keys().strings() == std::vector<std::string>{"a", "b"});
  CHECK(float_values(z.elements()[1].map_values()) == std::vector<float>{1, 0});
  r.attributes = {attr_ints("classlabels_int64s", {3})};
  CHECK_THROWS_WITH(run_node(r), Contains("2 columns but there are 1 class labels"));

  NodeRun d;
  d.op_type = "DictVectorizer";
  d.domain = kMl;
  d.opset = 1;
  d.attributes = {attr_strings("string_vocabulary", {"a", "c", "b", "z"})};
  d.inputs = {Tensor::map(strs({"a", "c"}, {2}), ints({4, 8}, {2}))};
  Tensor y = run_node(d).outputs[0];
  require_values(y, {4, 8, 0, 0});
  CHECK(y.shape() == Shape{4});
  // A sequence of maps gives one row each.
  d.attributes = {attr_ints("int64_vocabulary", {7, 5})};
  d.inputs = {Tensor::sequence(DType::Double, {Tensor::map(ints({5}, {1}), Tensor::from_vector<double>({1.5}, {1})),
                                               Tensor::map(ints({7, 5}, {2}), Tensor::from_vector<double>({2, 3}, {2}))})};
  y = run_node(d).outputs[0];
  CHECK(y.shape() == Shape{2, 2});
  require_values(y, {0, 1.5, 2, 3});
  d.inputs = {Tensor::map(ints({9}, {1}), Tensor::from_vector<double>({1}, {1}))};
  CHECK_THROWS_WITH(run_node(d), Contains("not in the vocabulary"));
  d.inputs = {Tensor::map(strs({"a"}, {1}), Tensor::from_vector<double>({1}, {1}))};
  CHECK_THROWS_WITH(run_node(d), Contains("keys must be int64"));
}
