// Session input/output handling that kernels with subgraphs rely on: inputs that default
// to an initializer, output types known before any run.
#include "runtime/session_internal.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("An input with an initializer of the same name defaults to it when not given", "[session]") {
  Graph g = make_graph({make_node("Add", {"x", "bias"}, {"y"})},
                       {value_info("x", DType::Float, {2}), value_info("bias", DType::Float, {2})},
                       {value_info("y", DType::Float, {2})}, {{"bias", floats({10, 20}, {2})}});
  for (bool optimize : {true, false}) {
    auto s = session_for(g, 13, optimize);
    CHECK(float_values(s->run({{"x", floats({1, 2}, {2})}})[0]) == std::vector<float>{11, 22});
    CHECK(float_values(s->run({{"x", floats({1, 2}, {2})}, {"bias", floats({0, 1}, {2})}})[0]) ==
          std::vector<float>{1, 3});
    CHECK(float_values(s->run({{"x", floats({1, 2}, {2})}})[0]) == std::vector<float>{11, 22});
  }
}

TEST_CASE("session_output_dtypes infers undeclared output types before any run", "[session]") {
  Graph g = make_graph({make_node("Shape", {"x"}, {"s"}), make_node("Neg", {"x"}, {"n"})},
                       {unshaped("x", DType::Float)},
                       {unshaped("s", DType::Undefined), unshaped("n", DType::Undefined)});
  auto s = session_for(g, 13);
  CHECK(session_output_dtypes(*s) == std::vector<DType>{DType::Int64, DType::Float});
  // The session still runs normally afterwards, for any input shape.
  auto out = s->run({{"x", floats({1, 2, 3}, {3})}});
  CHECK(out[0].data<int64_t>()[0] == 3);
  CHECK(float_values(out[1]) == std::vector<float>{-1, -2, -3});
  out = s->run({{"x", floats({1, 2}, {1, 2})}});
  CHECK(out[0].numel() == 2);
}

TEST_CASE("Session inputs and outputs report their declared kind", "[session]") {
  Graph g = make_graph({make_node("Identity", {"s"}, {"n"})}, {unshaped("s", DType::Float, "sequence")},
                       {value_info("n", DType::Float, {})});
  auto s = session_for(g, 13);
  CHECK(s->inputs()[0].kind == "sequence");
  CHECK(s->outputs()[0].kind == "tensor");
}

TEST_CASE("free_variables includes outputs taken from an enclosing scope", "[session][graph]") {
  Graph g = make_graph({make_node("Neg", {"a"}, {"b"})}, {},
                       {unshaped("b", DType::Float), unshaped("outer", DType::Float)});
  CHECK(free_variables(g) == std::vector<std::string>{"a", "outer"});
}
