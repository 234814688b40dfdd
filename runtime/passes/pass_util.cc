#include <algorithm>
#include <cstring>

#include "runtime/passes/pass.h"

namespace onnxi {

const std::vector<size_t> GraphIndex::kNone;

GraphIndex::GraphIndex(const Graph& g) : g_(g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs)
      if (!o.empty()) {
        producer_[o] = static_cast<int>(i);
        used_names_.insert(o);
      }
    for (const auto& in : g.nodes[i].inputs)
      if (!in.empty()) {
        consumers_[in].push_back(i);
        used_names_.insert(in);
      }
    // Values captured by subgraphs keep their names (the subgraph refers to them by name):
    // treat them like graph outputs.
    for (const auto& in : g.nodes[i].implicit_inputs) {
      consumers_[in].push_back(i);
      used_names_.insert(in);
      graph_outputs_.insert(in);
    }
  }
  for (const auto& o : g.outputs) graph_outputs_.insert(o.name);
  for (const auto& i : g.inputs) used_names_.insert(i.name);
  for (const auto& [name, t] : g.initializers) used_names_.insert(name);
  for (const auto& vi : g.value_info) used_names_.insert(vi.name);
}

int GraphIndex::producer(const std::string& value) const {
  auto it = producer_.find(value);
  return it == producer_.end() ? -1 : it->second;
}

const std::vector<size_t>& GraphIndex::consumers(const std::string& value) const {
  auto it = consumers_.find(value);
  return it == consumers_.end() ? kNone : it->second;
}

const Tensor* GraphIndex::initializer(const std::string& value) const {
  if (producer(value) >= 0) return nullptr;
  auto it = g_.initializers.find(value);
  if (it == g_.initializers.end()) return nullptr;
  // A graph input with the same name may override the initializer at run time.
  for (const auto& in : g_.inputs)
    if (in.name == value) return nullptr;
  return &it->second;
}

std::string GraphIndex::fresh_name(const std::string& base) {
  std::string n;
  do {
    n = base + "_" + std::to_string(counter_++);
  } while (used_names_.count(n));
  used_names_.insert(n);
  return n;
}

void replace_uses(Graph& g, const std::string& from, const std::string& to) {
  for (auto& n : g.nodes)
    for (auto& in : n.inputs)
      if (in == from) in = to;
}

void remove_nodes(Graph& g, const std::vector<bool>& dead) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

Tensor transpose_constant(const Tensor& t, const std::vector<int64_t>& perm) {
  const int64_t rank = static_cast<int64_t>(t.rank());
  Shape out_shape(t.shape());
  for (int64_t i = 0; i < rank; ++i) out_shape[i] = t.shape()[perm[i]];
  const size_t es = dtype_size(t.dtype());
  if (es == 0) throw Error(Stage::Build, "cannot transpose a constant of type " + std::string(dtype_name(t.dtype())));
  Tensor out(t.dtype(), out_shape);
  // Stride (in elements) of input axis perm[i], indexed by output axis i.
  Shape in_strides(t.shape());
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    in_strides[i] = stride;
    stride *= t.shape()[i];
  }
  Shape strides_by_out(out_shape);
  for (int64_t i = 0; i < rank; ++i) strides_by_out[i] = in_strides[perm[i]];
  Shape idx(out_shape);
  std::fill(idx.begin(), idx.end(), 0);
  const char* src = static_cast<const char*>(t.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < out.numel(); ++o) {
    int64_t off = 0;
    for (int64_t i = 0; i < rank; ++i) off += idx[i] * strides_by_out[i];
    std::memcpy(dst + o * es, src + off * es, es);
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

bool transpose_perm(const Node& n, std::vector<int64_t>* perm) {
  // a well-formed Transpose (one input, one output) only: the passes read both
  if (n.inputs.size() != 1 || n.inputs[0].empty() || n.outputs.size() != 1 || n.outputs[0].empty()) return false;
  const Attribute* a = n.find_attribute("perm");
  if (!a || a->kind != Attribute::Kind::Ints) return false;
  // Only a true permutation of 0..n-1 is rewritten; anything else is left to the Transpose
  // kernel, which reports it (the passes index with these values).
  std::vector<bool> seen(a->ints.size(), false);
  for (int64_t v : a->ints) {
    if (v < 0 || v >= static_cast<int64_t>(a->ints.size()) || seen[static_cast<size_t>(v)]) return false;
    seen[static_cast<size_t>(v)] = true;
  }
  *perm = a->ints;
  return true;
}

Node make_transpose(const std::string& name, const std::string& in, const std::string& out,
                    const std::vector<int64_t>& perm) {
  Node t;
  t.name = name;
  t.op_type = "Transpose";
  t.inputs = {in};
  t.outputs = {out};
  Attribute a;
  a.name = "perm";
  a.kind = Attribute::Kind::Ints;
  a.ints = perm;
  t.attributes["perm"] = a;
  return t;
}

static size_t count_transposes(const Graph& g) {
  size_t n = 0;
  for (const auto& node : g.nodes) n += node.domain.empty() && node.op_type == "Transpose";
  return n;
}

PassStats optimize_graph(Graph& g) {
  PassStats stats;
  const size_t before = count_transposes(g);
  eliminate_identities(g, stats);
  while (fold_batchnorm_into_conv(g, stats)) {
  }
  convert_to_nhwc(g, stats);
  for (int round = 0; round < 1000; ++round) {
    bool changed = false;
    changed |= eliminate_identities(g, stats);
    changed |= sink_transposes(g, stats);
    changed |= cancel_transposes(g, stats);
    changed |= convert_to_nhwc(g, stats);
    changed |= fuse_conv_add(g, stats);
    changed |= fuse_conv_activation(g, stats);
    changed |= eliminate_dead_nodes(g, stats);
    if (!changed) break;
  }
  stats.transposes_removed = before + stats.transposes_inserted - count_transposes(g);
  return stats;
}

}  // namespace onnxi
