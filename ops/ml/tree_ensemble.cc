// TreeEnsembleClassifier and TreeEnsembleRegressor (ai.onnx.ml 1; 3 adds the *_as_tensor
// attributes) and TreeEnsemble (ai.onnx.ml 5), as ONNX's reference evaluates them. Scores
// are accumulated in double.
#include <cfloat>
#include <limits>

#include "ops/common/kernel_util.h"
#include "ops/ml/tree_model.h"

namespace onnxi::ml {
namespace {

void check_targets(const TreeModel& m, int64_t n, const std::string& what, const std::string& op) {
  for (const LeafWeight& w : m.weights)
    if (w.target < 0 || w.target >= n)
      throw Error(Stage::Build, op + ": " + what + " " + std::to_string(w.target) + " out of range [0, " +
                                    std::to_string(n) + ")");
}

std::vector<double> read_base_values(const AttributeReader& attrs, bool as_tensor, int64_t n, const std::string& op) {
  std::vector<double> b = floats_or_tensor(attrs, "base_values", as_tensor, op);
  if (b.size() == 1) b.assign(static_cast<size_t>(n), b[0]);
  if (!b.empty() && b.size() != static_cast<size_t>(n))
    throw Error(Stage::Build, op + ": base_values has " + std::to_string(b.size()) + " values, expected " +
                                  std::to_string(n));
  return b;
}

class TreeClassifierKernel : public Kernel {
 public:
  TreeClassifierKernel(const BuildContext& ctx, bool as_tensor) {
    const std::string op = "TreeEnsembleClassifier";
    model_ = read_legacy_trees(ctx.attrs, "class", as_tensor, op);
    labels_ = read_class_labels(ctx.attrs, "classlabels_int64s", "classlabels_strings", op);
    n_classes_ = static_cast<int64_t>(labels_.size());
    if (n_classes_ == 0) throw Error(Stage::Build, op + ": classlabels_int64s or classlabels_strings is required");
    if (n_classes_ == 1 && (labels_.strings || labels_.ints[0] != 1))
      throw Error(Stage::Build, op + ": a single class label is supported only as classlabels_int64s = [1]");
    check_targets(model_, n_classes_, "class id", op);
    base_ = read_base_values(ctx.attrs, as_tensor, n_classes_, op);
    post_ = read_post_transform(ctx.attrs, op);
    // One class id for every weight: a binary classifier scoring its positive class only.
    binary_ = !model_.weights.empty();
    for (const LeafWeight& w : model_.weights) binary_ = binary_ && w.target == model_.weights[0].target;
    n_out_ = binary_ && n_classes_ == 1 ? 2 : n_classes_;
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override { infer_classifier(ctx, labels_.dtype(), n_out_); }

  void run(RunContext& ctx) const override {
    const std::string op = "TreeEnsembleClassifier";
    FeatureRows x = read_rows(ctx.input(0), op);
    std::vector<double> sums;
    aggregate_trees(model_, x, n_classes_, Aggregate::Sum, 0, 0, sums, op);
    size_t nc = static_cast<size_t>(n_classes_), no = static_cast<size_t>(n_out_);
    std::vector<double> scores(static_cast<size_t>(x.rows) * no);
    std::vector<int64_t> index(static_cast<size_t>(x.rows));
    for (size_t r = 0; r < index.size(); ++r) {
      double* s = scores.data() + r * no;
      for (size_t k = 0; k < nc; ++k) s[k] = sums[r * nc + k] + (base_.empty() ? 0.0 : base_[k]);
      // Scores are float32 in the reference; round before the transform and the argmax.
      for (size_t k = 0; k < nc; ++k) s[k] = static_cast<float>(s[k]);
      if (binary_) {
        double positive = s[0];
        s[1] = positive;
        s[0] = post_ == PostTransform::None || post_ == PostTransform::Probit ? 1.0 - positive : -positive;
        s[0] = static_cast<float>(s[0]);
      }
      apply_post_transform(post_, s, no);
      size_t best = 0;
      for (size_t k = 1; k < no; ++k)
        if (static_cast<float>(s[k]) > static_cast<float>(s[best])) best = k;
      index[r] = static_cast<int64_t>(best);
    }
    if (n_classes_ == 1) {
      // classlabels_int64s = [1]: label 1 for the positive column, else 0.
      std::vector<int64_t> l(index.size());
      for (size_t r = 0; r < l.size(); ++r) l[r] = index[r] == 1 ? 1 : 0;
      ctx.set_output(0, Tensor::from_vector(l, {x.rows}));
    } else {
      ctx.set_output(0, make_label_tensor(labels_, index, op));
    }
    if (ctx.has_output(1)) {
      Tensor& z = output_for(ctx, 1, DType::Float, {x.rows, n_out_});
      doubles_to_tensor(scores, z);
    }
  }

 private:
  TreeModel model_;
  ClassLabels labels_;
  int64_t n_classes_ = 0, n_out_ = 0;
  std::vector<double> base_;
  PostTransform post_ = PostTransform::None;
  bool binary_ = false;
};

// The regressors' shared tail: base values, post transform, output of `dtype`.
void finish_regression(RunContext& ctx, std::vector<double>& v, int64_t rows, int64_t n_targets,
                       const std::vector<double>& base, PostTransform post, DType dtype) {
  size_t nt = static_cast<size_t>(n_targets);
  for (size_t r = 0; r < static_cast<size_t>(rows); ++r) {
    double* o = v.data() + r * nt;
    if (!base.empty())
      for (size_t k = 0; k < nt; ++k) o[k] += base[k];
    apply_post_transform(post, o, nt);
  }
  Tensor& y = output_for(ctx, 0, dtype, {rows, n_targets});
  doubles_to_tensor(v, y);
}

class TreeRegressorKernel : public Kernel {
 public:
  TreeRegressorKernel(const BuildContext& ctx, bool as_tensor) {
    const std::string op = "TreeEnsembleRegressor";
    model_ = read_legacy_trees(ctx.attrs, "target", as_tensor, op);
    n_targets_ = ctx.attrs.get_int("n_targets", 1);
    if (n_targets_ < 1) throw Error(Stage::Build, op + ": n_targets must be >= 1");
    check_targets(model_, n_targets_, "target id", op);
    base_ = read_base_values(ctx.attrs, as_tensor, n_targets_, op);
    post_ = read_post_transform(ctx.attrs, op);
    agg_ = read_aggregate(ctx.attrs.get_string("aggregate_function", "SUM"), op);
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override { infer_regressor(ctx, DType::Float, n_targets_); }

  void run(RunContext& ctx) const override {
    const std::string op = "TreeEnsembleRegressor";
    FeatureRows x = read_rows(ctx.input(0), op);
    std::vector<double> v;
    aggregate_trees(model_, x, n_targets_, agg_, FLT_MAX, -FLT_MAX, v, op);
    finish_regression(ctx, v, x.rows, n_targets_, base_, post_, DType::Float);
  }

 private:
  TreeModel model_;
  int64_t n_targets_ = 1;
  std::vector<double> base_;
  PostTransform post_ = PostTransform::None;
  Aggregate agg_ = Aggregate::Sum;
};

// TreeEnsemble (5): nodes and leaves in parallel arrays, splits and weights as tensors of
// X's type, modes as a uint8 tensor, BRANCH_MEMBER sets in membership_values.
class TreeEnsembleKernel : public Kernel {
 public:
  explicit TreeEnsembleKernel(const BuildContext& ctx) {
    const std::string op = "TreeEnsemble";
    const AttributeReader& a = ctx.attrs;
    dtype_ = ctx.input_dtype(0);
    if (ctx.has_input(0) && !dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, op + ": X must be float, double, float16 or bfloat16");
    auto roots = a.get_ints("tree_roots");
    auto features = a.get_ints("nodes_featureids");
    auto true_ids = a.get_ints("nodes_truenodeids");
    auto false_ids = a.get_ints("nodes_falsenodeids");
    auto true_leafs = a.get_ints("nodes_trueleafs");
    auto false_leafs = a.get_ints("nodes_falseleafs");
    auto missing = a.get_ints("nodes_missing_value_tracks_true");
    auto targets = a.get_ints("leaf_targetids");
    std::vector<double> splits = required_tensor(a, "nodes_splits", op);
    std::vector<double> weights = required_tensor(a, "leaf_weights", op);
    const Tensor* modes_t = a.get_tensor("nodes_modes");
    if (!modes_t || modes_t->dtype() != DType::UInt8)
      throw Error(Stage::Build, op + ": nodes_modes must be a uint8 tensor");
    std::vector<double> modes = tensor_to_doubles(*modes_t, op + ": nodes_modes");
    std::vector<double> members;
    if (const Tensor* mv = a.get_tensor("membership_values")) members = tensor_to_doubles(*mv, op + ": membership_values");
    size_t n = features.size();
    for (const auto& [v, name] : {std::pair{true_ids.size(), "nodes_truenodeids"}, {false_ids.size(), "nodes_falsenodeids"},
                                  {true_leafs.size(), "nodes_trueleafs"}, {false_leafs.size(), "nodes_falseleafs"},
                                  {splits.size(), "nodes_splits"}, {modes.size(), "nodes_modes"}})
      if (v != n) throw Error(Stage::Build, op + ": " + name + " must have as many entries as nodes_featureids");
    if (!missing.empty() && missing.size() != n)
      throw Error(Stage::Build, op + ": nodes_missing_value_tracks_true must have one entry per node");
    if (weights.size() != targets.size())
      throw Error(Stage::Build, op + ": leaf_weights and leaf_targetids must have the same length");
    n_targets_ = a.get_int("n_targets");
    if (n_targets_ < 1) throw Error(Stage::Build, op + ": n_targets must be >= 1");
    check_indices(targets, n_targets_, "leaf target id", op);
    static const Aggregate kAgg[] = {Aggregate::Average, Aggregate::Sum, Aggregate::Min, Aggregate::Max};
    int64_t agg = a.get_int("aggregate_function", 1);
    if (agg < 0 || agg > 3) throw Error(Stage::Build, op + ": aggregate_function must be in [0, 3]");
    agg_ = kAgg[agg];
    static const PostTransform kPost[] = {PostTransform::None, PostTransform::Softmax, PostTransform::Logistic,
                                          PostTransform::SoftmaxZero, PostTransform::Probit};
    int64_t post = a.get_int("post_transform", 0);
    if (post < 0 || post > 4) throw Error(Stage::Build, op + ": post_transform must be in [0, 4]");
    post_ = kPost[post];

    model_.nan_is_missing = false;
    for (size_t i = 0; i < targets.size(); ++i) {
      model_.leaves.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)});
      model_.weights.push_back({targets[i], weights[i]});
    }
    // Set members follow in the order the BRANCH_MEMBER nodes appear, each set ended by NaN.
    size_t mpos = 0;
    for (size_t i = 0; i < n; ++i) {
      TreeNode node;
      if (modes[i] < 0 || modes[i] > 6) throw Error(Stage::Build, op + ": nodes_modes values must be in [0, 6]");
      node.mode = static_cast<NodeMode>(static_cast<int>(modes[i]));
      if (features[i] < 0) throw Error(Stage::Build, op + ": negative feature id");
      node.feature = features[i];
      node.value = splits[i];
      node.missing_true = !missing.empty() && missing[i] != 0;
      if (node.mode == NodeMode::Member) {
        node.set_begin = static_cast<uint32_t>(model_.set_values.size());
        while (mpos < members.size() && !std::isnan(members[mpos])) model_.set_values.push_back(members[mpos++]);
        if (mpos >= members.size())
          throw Error(Stage::Build, op + ": membership_values must list a NaN-terminated set per BRANCH_MEMBER node");
        ++mpos;
        node.set_end = static_cast<uint32_t>(model_.set_values.size());
      }
      int64_t ids[2] = {true_ids[i], false_ids[i]};
      bool leafs[2] = {true_leafs[i] != 0, false_leafs[i] != 0};
      for (int b = 0; b < 2; ++b) {
        int64_t limit = static_cast<int64_t>(leafs[b] ? targets.size() : n);
        if (ids[b] < 0 || ids[b] >= limit)
          throw Error(Stage::Build, op + ": node " + std::to_string(i) + " branches to " +
                                        (leafs[b] ? "leaf " : "node ") + std::to_string(ids[b]) + ", out of range");
        node.child[b] = leafs[b] ? ~ids[b] : ids[b];
      }
      model_.max_feature = std::max(model_.max_feature, node.feature);
      model_.nodes.push_back(node);
    }
    if (roots.empty()) throw Error(Stage::Build, op + ": tree_roots is empty");
    check_indices(roots, static_cast<int64_t>(n), "tree root", op);
    for (int64_t r : roots) {
      const TreeNode& root = model_.nodes[static_cast<size_t>(r)];
      // A tree that is one leaf: both branches name the same leaf.
      bool single_leaf = root.child[0] < 0 && root.child[0] == root.child[1];
      model_.roots.push_back(single_leaf ? root.child[0] : r);
    }
    model_.check_acyclic(op);
  }

  void infer(InferContext& ctx) override { infer_regressor(ctx, ctx.input_dtype(0), n_targets_); }

  void run(RunContext& ctx) const override {
    const std::string op = "TreeEnsemble";
    FeatureRows x = read_rows(ctx.input(0), op, kFloatDTypes);
    std::vector<double> v;
    // MIN / MAX leave a target no leaf reached at the type's largest finite value.
    DType t = ctx.input(0).dtype();
    double mx = t == DType::Double ? DBL_MAX : t == DType::Float16 ? 65504.0 : t == DType::BFloat16 ? 3.3895313892515355e38 : FLT_MAX;
    aggregate_trees(model_, x, n_targets_, agg_, mx, -mx, v, op);
    finish_regression(ctx, v, x.rows, n_targets_, {}, post_, ctx.input(0).dtype());
  }

 private:
  static std::vector<double> required_tensor(const AttributeReader& a, const std::string& name, const std::string& op) {
    const Tensor* t = a.get_tensor(name);
    if (!t) throw Error(Stage::Build, op + ": attribute " + name + " is required");
    if (!dtype_in(t->dtype(), kFloatDTypes)) throw Error(Stage::Build, op + ": " + name + " must be a float tensor");
    return tensor_to_doubles(*t, op + ": " + name);
  }

  TreeModel model_;
  DType dtype_ = DType::Undefined;
  int64_t n_targets_ = 1;
  Aggregate agg_ = Aggregate::Sum;
  PostTransform post_ = PostTransform::None;
};

ONNXI_REGISTER_KERNEL(kDomain, "TreeEnsembleClassifier", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<TreeClassifierKernel>(c, false);
});
ONNXI_REGISTER_KERNEL(kDomain, "TreeEnsembleClassifier", 3, 3, kRef, [](const BuildContext& c) {
  return std::make_unique<TreeClassifierKernel>(c, true);
});
ONNXI_REGISTER_KERNEL(kDomain, "TreeEnsembleRegressor", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<TreeRegressorKernel>(c, false);
});
ONNXI_REGISTER_KERNEL(kDomain, "TreeEnsembleRegressor", 3, 3, kRef, [](const BuildContext& c) {
  return std::make_unique<TreeRegressorKernel>(c, true);
});
ONNXI_REGISTER_KERNEL(kDomain, "TreeEnsemble", 5, 5, kRef, [](const BuildContext& c) {
  return std::make_unique<TreeEnsembleKernel>(c);
});

}  // namespace
}  // namespace onnxi::ml
