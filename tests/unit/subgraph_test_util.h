// Helpers for tests of operators with subgraphs and of sequence/optional values: graphs
// and models built in memory, run through a real session (so subgraph capture, planning
// and the passes are exercised as in a loaded model).
#pragma once
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "runtime/graph.h"
#include "runtime/session_internal.h"
#include "tests/unit/graph_builder.h"
#include "tests/unit/op_test_util.h"

namespace onnxi::test {

inline Attribute attr_graph(const std::string& name, Graph g) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::Graph;
  a.g = std::make_shared<Graph>(std::move(g));
  return a;
}

inline Attribute attr_strings(const std::string& name, std::vector<std::string> v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::Strings;
  a.strings = std::move(v);
  return a;
}

inline Attribute attr_type(const std::string& name, const std::string& described) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::TypeProto;
  a.s = described;
  return a;
}

// A value of unknown shape (or of a non-tensor kind: "sequence", "optional").
inline ValueInfo unshaped(const std::string& name, DType t, const std::string& kind = "tensor") {
  ValueInfo vi;
  vi.name = name;
  vi.dtype = t;
  vi.kind = kind;
  return vi;
}

inline Graph make_graph(std::vector<Node> nodes, std::vector<ValueInfo> inputs,
                        std::vector<ValueInfo> outputs, std::map<std::string, Tensor> initializers = {}) {
  Graph g;
  g.nodes = std::move(nodes);
  g.inputs = std::move(inputs);
  g.outputs = std::move(outputs);
  g.initializers = std::move(initializers);
  return g;
}

inline std::unique_ptr<Session> session_for(Graph g, int64_t opset, bool optimize = true) {
  SessionOptions o;
  o.threads = 1;
  o.optimize = optimize;
  return make_session(make_model(std::move(g), opset), o);
}

// Builds and runs in one go (build errors may surface at creation or at the first run).
inline std::vector<Tensor> build_and_run(Graph g, int64_t opset, const std::map<std::string, Tensor>& feeds,
                                         bool optimize = true) {
  return session_for(std::move(g), opset, optimize)->run(feeds);
}

inline Tensor floats(std::vector<float> v, Shape shape) {
  return Tensor::from_vector<float>(v, std::move(shape));
}
inline Tensor ints(std::vector<int64_t> v, Shape shape) {
  return Tensor::from_vector<int64_t>(v, std::move(shape));
}

inline std::vector<float> float_values(const Tensor& t) {
  REQUIRE(t.is_tensor());
  REQUIRE(t.dtype() == DType::Float);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

}  // namespace onnxi::test
