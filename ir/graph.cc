#include "ir/graph.h"

#include <queue>
#include <set>
#include <unordered_set>

namespace onnxi {

const char* attribute_kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::Float: return "float";
    case Attribute::Kind::Int: return "int";
    case Attribute::Kind::String: return "string";
    case Attribute::Kind::Tensor: return "tensor";
    case Attribute::Kind::Graph: return "graph";
    case Attribute::Kind::Floats: return "floats";
    case Attribute::Kind::Ints: return "ints";
    case Attribute::Kind::Strings: return "strings";
    case Attribute::Kind::Tensors: return "tensors";
    case Attribute::Kind::Graphs: return "graphs";
    case Attribute::Kind::TypeProto: return "type_proto";
  }
  return "?";
}

std::string canonical_domain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string() : domain;
}

int64_t Model::opset_for(const std::string& domain) const {
  auto it = opsets.find(canonical_domain(domain));
  return it == opsets.end() ? 0 : it->second;
}

std::vector<std::string> free_variables(const Graph& g) {
  std::unordered_set<std::string> defined;
  for (const auto& vi : g.inputs) defined.insert(vi.name);
  for (const auto& [name, t] : g.initializers) defined.insert(name);
  for (const auto& n : g.nodes)
    for (const auto& o : n.outputs) defined.insert(o);
  std::set<std::string> free;
  for (const auto& n : g.nodes) {
    for (const auto& in : n.inputs)
      if (!in.empty() && !defined.count(in)) free.insert(in);
    for (const auto& [an, a] : n.attributes) {
      std::vector<const Graph*> subs;
      if (a.g) subs.push_back(a.g.get());
      for (const auto& sg : a.graphs) subs.push_back(sg.get());
      for (const Graph* sg : subs)
        for (const auto& v : free_variables(*sg))
          if (!defined.count(v)) free.insert(v);
    }
  }
  // A graph may also return an outer value directly (e.g. an If branch with no nodes).
  for (const auto& o : g.outputs)
    if (!o.name.empty() && !defined.count(o.name)) free.insert(o.name);
  return {free.begin(), free.end()};
}

static std::string node_label(const Graph& g, size_t i) {
  const Node& n = g.nodes[i];
  return "node '" + (n.name.empty() ? "#" + std::to_string(i) : n.name) + "' (" + n.op_type + ")";
}

std::vector<size_t> topological_order(const Graph& g, const std::vector<std::string>& outer_values) {
  std::unordered_map<std::string, size_t> producer;
  std::unordered_set<std::string> available(outer_values.begin(), outer_values.end());
  for (const auto& vi : g.inputs) available.insert(vi.name);
  for (const auto& [name, t] : g.initializers) available.insert(name);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs) {
      if (o.empty()) continue;
      if (producer.count(o))
        throw Error(Stage::Load, "value '" + o + "' is produced by both " + node_label(g, producer[o]) +
                                     " and " + node_label(g, i));
      producer[o] = i;
    }
  }
  std::vector<size_t> pending(g.nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::unordered_set<size_t> deps;
    std::vector<std::string> uses = g.nodes[i].inputs;
    uses.insert(uses.end(), g.nodes[i].implicit_inputs.begin(), g.nodes[i].implicit_inputs.end());
    for (const auto& in : uses) {
      if (in.empty()) continue;
      auto it = producer.find(in);
      if (it != producer.end()) {
        // A graph input/initializer with the same name as a node output is shadowed by the node.
        deps.insert(it->second);
      } else if (!available.count(in)) {
        throw Error(Stage::Load, node_label(g, i) + " uses undefined value '" + in + "'");
      }
    }
    for (size_t d : deps) consumers[d].push_back(i);
    pending[i] = deps.size();
  }
  std::vector<size_t> order;
  order.reserve(g.nodes.size());
  // Keep file order among ready nodes: a min-heap on the index.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push(c);
  }
  if (order.size() != g.nodes.size()) {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (pending[i] != 0) throw Error(Stage::Load, "graph has a cycle through " + node_label(g, i));
  }
  for (const auto& o : g.outputs)
    if (!producer.count(o.name) && !available.count(o.name))
      throw Error(Stage::Load, "graph output '" + o.name + "' is never produced");
  return order;
}

}  // namespace onnxi
