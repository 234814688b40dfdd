// The trees of TreeEnsembleClassifier/TreeEnsembleRegressor (ai.onnx.ml 1 and 3) and of
// TreeEnsemble (5), flattened into one form: nodes that branch on one feature, leaves
// that hold (target, weight) pairs, one root per tree.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ops/ml/ml_common.h"

namespace onnxi::ml {

enum class NodeMode : uint8_t { Leq, Lt, Gte, Gt, Eq, Neq, Member };
enum class Aggregate { Sum, Average, Min, Max };

struct TreeNode {
  NodeMode mode = NodeMode::Leq;
  bool missing_true = false;  // a NaN feature takes the true branch
  int64_t feature = 0;
  double value = 0;
  uint32_t set_begin = 0, set_end = 0;  // Member: the set is set_values[begin, end)
  // child[0] when the test holds, child[1] otherwise: >= 0 a node, < 0 the leaf ~child.
  int64_t child[2] = {0, 0};
};

struct LeafWeight {
  int64_t target = 0;
  double weight = 0;
};

struct TreeModel {
  std::vector<TreeNode> nodes;
  std::vector<double> set_values;
  std::vector<std::pair<uint32_t, uint32_t>> leaves;  // [begin, end) into weights
  std::vector<LeafWeight> weights;
  std::vector<int64_t> roots;  // one per tree, a node or ~leaf
  // Versions 1 and 3: a NaN feature goes where missing_value_tracks_true says, whatever
  // the mode. Version 5: the comparison decides unless missing_value_tracks_true is set.
  bool nan_is_missing = true;
  int64_t max_feature = -1;

  // The leaf tree `t` ends in for the feature row `x`.
  size_t leaf_of(size_t t, const double* x) const;
  // Throws Error(Build) when a tree's branches form a cycle.
  void check_acyclic(const std::string& op) const;
};

// From the version 1/3 attributes: nodes_* plus `prefix`_treeids/_nodeids/_ids/_weights
// (prefix "class" or "target"); `as_tensor` allows the *_as_tensor forms (version 3).
TreeModel read_legacy_trees(const AttributeReader& attrs, const std::string& prefix, bool as_tensor,
                            const std::string& op);

Aggregate read_aggregate(const std::string& name, const std::string& op);

// Aggregates the leaf weights of every tree for every row into out[rows * n_targets];
// targets no leaf reached keep `empty_min` / `empty_max` for MIN / MAX (0 for SUM/AVERAGE).
void aggregate_trees(const TreeModel& m, const FeatureRows& x, int64_t n_targets, Aggregate agg,
                     double empty_min, double empty_max, std::vector<double>& out, const std::string& op);

}  // namespace onnxi::ml
