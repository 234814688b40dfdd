// Small helpers to build Graph/Model objects in tests without protobuf.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "runtime/graph.h"
#include "tests/unit/kernel_harness.h"

namespace onnxi::test {

inline Node make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                      std::vector<Attribute> attrs = {}, const std::string& name = "") {
  Node n;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.name = name.empty() ? n.outputs.at(0) + "_node" : name;
  for (auto& a : attrs) n.attributes[a.name] = a;
  return n;
}

inline ValueInfo value_info(const std::string& name, DType t, std::vector<int64_t> dims) {
  ValueInfo vi;
  vi.name = name;
  vi.dtype = t;
  vi.has_shape = true;
  for (int64_t d : dims) {
    Dim dim;
    if (d >= 0)
      dim.value = d;
    else
      dim.symbol = "N";
    vi.shape.push_back(dim);
  }
  return vi;
}

inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::Float, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

inline Model make_model(Graph g, int64_t opset = 13) {
  Model m;
  m.ir_version = 8;
  m.opsets[""] = opset;
  m.graph = std::make_shared<Graph>(std::move(g));
  return m;
}

inline size_t count_ops(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const auto& node : g.nodes) n += node.op_type == op;
  return n;
}

}  // namespace onnxi::test
