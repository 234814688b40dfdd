#include "ops/ml/tree_model.h"

#include <cmath>
#include <map>

namespace onnxi::ml {

size_t TreeModel::leaf_of(size_t t, const double* x) const {
  int64_t ref = roots[t];
  while (ref >= 0) {
    const TreeNode& n = nodes[static_cast<size_t>(ref)];
    double v = x[n.feature];
    bool yes;
    if (std::isnan(v) && (nan_is_missing || n.missing_true)) {
      yes = n.missing_true;
    } else {
      switch (n.mode) {
        case NodeMode::Leq: yes = v <= n.value; break;
        case NodeMode::Lt: yes = v < n.value; break;
        case NodeMode::Gte: yes = v >= n.value; break;
        case NodeMode::Gt: yes = v > n.value; break;
        case NodeMode::Eq: yes = v == n.value; break;
        case NodeMode::Neq: yes = v != n.value; break;
        default: {
          yes = false;
          for (uint32_t i = n.set_begin; i < n.set_end && !yes; ++i) yes = set_values[i] == v;
        }
      }
    }
    ref = n.child[yes ? 0 : 1];
  }
  return static_cast<size_t>(~ref);
}

void TreeModel::check_acyclic(const std::string& op) const {
  // Depth-first from every root; a node met again while on the current path is a cycle.
  std::vector<uint8_t> state(nodes.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::pair<int64_t, int>> stack;
  for (int64_t root : roots) {
    if (root < 0 || state[static_cast<size_t>(root)] == 2) continue;
    stack.push_back({root, 0});
    state[static_cast<size_t>(root)] = 1;
    while (!stack.empty()) {
      auto& [ref, next] = stack.back();
      if (next == 2) {
        state[static_cast<size_t>(ref)] = 2;
        stack.pop_back();
        continue;
      }
      int64_t c = nodes[static_cast<size_t>(ref)].child[next++];
      if (c < 0) continue;
      if (state[static_cast<size_t>(c)] == 1) throw Error(Stage::Build, op + ": the tree nodes form a cycle");
      if (state[static_cast<size_t>(c)] == 0) {
        state[static_cast<size_t>(c)] = 1;
        stack.push_back({c, 0});
      }
    }
  }
}

namespace {

NodeMode legacy_mode(const std::string& s, bool& leaf, const std::string& op) {
  leaf = false;
  if (s == "BRANCH_LEQ") return NodeMode::Leq;
  if (s == "BRANCH_LT") return NodeMode::Lt;
  if (s == "BRANCH_GTE") return NodeMode::Gte;
  if (s == "BRANCH_GT") return NodeMode::Gt;
  if (s == "BRANCH_EQ") return NodeMode::Eq;
  if (s == "BRANCH_NEQ") return NodeMode::Neq;
  if (s == "LEAF") {
    leaf = true;
    return NodeMode::Leq;
  }
  throw Error(Stage::Build, op + ": unknown node mode '" + s + "'");
}

void require_size(size_t got, size_t want, const std::string& name, const std::string& op) {
  if (got != want)
    throw Error(Stage::Build, op + ": " + name + " has " + std::to_string(got) + " entries, expected " +
                                  std::to_string(want));
}

}  // namespace

TreeModel read_legacy_trees(const AttributeReader& attrs, const std::string& prefix, bool as_tensor,
                            const std::string& op) {
  auto tree_ids = attrs.get_ints("nodes_treeids");
  auto node_ids = attrs.get_ints("nodes_nodeids");
  auto features = attrs.get_ints("nodes_featureids");
  auto modes = attrs.get_strings("nodes_modes");
  auto true_ids = attrs.get_ints("nodes_truenodeids");
  auto false_ids = attrs.get_ints("nodes_falsenodeids");
  auto missing = attrs.get_ints("nodes_missing_value_tracks_true");
  std::vector<double> values = floats_or_tensor(attrs, "nodes_values", as_tensor, op);
  size_t n = tree_ids.size();
  if (n == 0) throw Error(Stage::Build, op + ": nodes_treeids is empty");
  require_size(node_ids.size(), n, "nodes_nodeids", op);
  require_size(features.size(), n, "nodes_featureids", op);
  require_size(modes.size(), n, "nodes_modes", op);
  require_size(true_ids.size(), n, "nodes_truenodeids", op);
  require_size(false_ids.size(), n, "nodes_falsenodeids", op);
  require_size(values.size(), n, "nodes_values", op);
  if (!missing.empty()) require_size(missing.size(), n, "nodes_missing_value_tracks_true", op);

  std::map<std::pair<int64_t, int64_t>, size_t> index;
  std::map<int64_t, size_t> root_of;  // tree id -> first node; sorted by tree id
  for (size_t i = 0; i < n; ++i) {
    if (!index.emplace(std::make_pair(tree_ids[i], node_ids[i]), i).second)
      throw Error(Stage::Build, op + ": node (" + std::to_string(tree_ids[i]) + ", " + std::to_string(node_ids[i]) +
                                    ") is defined twice");
    root_of.emplace(tree_ids[i], i);
  }

  auto l_tree = attrs.get_ints(prefix + "_treeids");
  auto l_node = attrs.get_ints(prefix + "_nodeids");
  auto l_ids = attrs.get_ints(prefix + "_ids");
  std::vector<double> l_w = floats_or_tensor(attrs, prefix + "_weights", as_tensor, op);
  require_size(l_node.size(), l_tree.size(), prefix + "_nodeids", op);
  require_size(l_ids.size(), l_tree.size(), prefix + "_ids", op);
  require_size(l_w.size(), l_tree.size(), prefix + "_weights", op);
  std::vector<std::vector<LeafWeight>> at_node(n);
  for (size_t i = 0; i < l_tree.size(); ++i) {
    auto it = index.find({l_tree[i], l_node[i]});
    if (it == index.end())
      throw Error(Stage::Build, op + ": " + prefix + " weight " + std::to_string(i) + " names node (" +
                                    std::to_string(l_tree[i]) + ", " + std::to_string(l_node[i]) + "), which does not exist");
    at_node[it->second].push_back({l_ids[i], l_w[i]});
  }

  TreeModel m;
  m.nan_is_missing = true;
  std::vector<int64_t> ref(n);
  for (size_t i = 0; i < n; ++i) {
    bool leaf = false;
    NodeMode mode = legacy_mode(modes[i], leaf, op);
    if (leaf) {
      uint32_t begin = static_cast<uint32_t>(m.weights.size());
      m.weights.insert(m.weights.end(), at_node[i].begin(), at_node[i].end());
      m.leaves.push_back({begin, static_cast<uint32_t>(m.weights.size())});
      ref[i] = ~static_cast<int64_t>(m.leaves.size() - 1);
      continue;
    }
    if (features[i] < 0) throw Error(Stage::Build, op + ": negative feature id " + std::to_string(features[i]));
    TreeNode node;
    node.mode = mode;
    node.feature = features[i];
    node.value = values[i];
    node.missing_true = !missing.empty() && missing[i] != 0;
    m.max_feature = std::max(m.max_feature, node.feature);
    ref[i] = static_cast<int64_t>(m.nodes.size());
    m.nodes.push_back(node);
  }
  // Children: node ids within the same tree.
  for (size_t i = 0; i < n; ++i) {
    if (ref[i] < 0) continue;
    TreeNode& node = m.nodes[static_cast<size_t>(ref[i])];
    int64_t ids[2] = {true_ids[i], false_ids[i]};
    for (int b = 0; b < 2; ++b) {
      auto it = index.find({tree_ids[i], ids[b]});
      if (it == index.end())
        throw Error(Stage::Build, op + ": node (" + std::to_string(tree_ids[i]) + ", " + std::to_string(node_ids[i]) +
                                      ") branches to node " + std::to_string(ids[b]) + ", which does not exist");
      node.child[b] = ref[it->second];
    }
  }
  for (const auto& [tree, first] : root_of) m.roots.push_back(ref[first]);
  m.check_acyclic(op);
  return m;
}

Aggregate read_aggregate(const std::string& name, const std::string& op) {
  if (name == "SUM") return Aggregate::Sum;
  if (name == "AVERAGE") return Aggregate::Average;
  if (name == "MIN") return Aggregate::Min;
  if (name == "MAX") return Aggregate::Max;
  throw Error(Stage::Build, op + ": aggregate_function must be SUM, AVERAGE, MIN or MAX, got '" + name + "'");
}

void aggregate_trees(const TreeModel& m, const FeatureRows& x, int64_t n_targets, Aggregate agg, double empty_min,
                     double empty_max, std::vector<double>& out, const std::string& op) {
  if (m.max_feature >= x.cols)
    throw Error(Stage::Run, op + ": a node reads feature " + std::to_string(m.max_feature) + " but X has " +
                                std::to_string(x.cols) + " columns");
  size_t nt = static_cast<size_t>(n_targets);
  out.assign(static_cast<size_t>(x.rows) * nt, 0.0);
  std::vector<uint8_t> seen(nt);
  for (int64_t r = 0; r < x.rows; ++r) {
    double* o = out.data() + static_cast<size_t>(r) * nt;
    std::fill(seen.begin(), seen.end(), 0);
    for (size_t t = 0; t < m.roots.size(); ++t) {
      const auto& [b, e] = m.leaves[m.leaf_of(t, x.row(r))];
      for (uint32_t i = b; i < e; ++i) {
        const LeafWeight& w = m.weights[i];
        double& acc = o[w.target];
        if (agg == Aggregate::Min)
          acc = seen[w.target] ? std::min(acc, w.weight) : w.weight;
        else if (agg == Aggregate::Max)
          acc = seen[w.target] ? std::max(acc, w.weight) : w.weight;
        else
          acc += w.weight;
        seen[w.target] = 1;
      }
    }
    for (size_t k = 0; k < nt; ++k) {
      if (agg == Aggregate::Average) o[k] /= static_cast<double>(m.roots.size());
      if (!seen[k] && agg == Aggregate::Min) o[k] = empty_min;
      if (!seen[k] && agg == Aggregate::Max) o[k] = empty_max;
    }
  }
}

}  // namespace onnxi::ml
