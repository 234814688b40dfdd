// The plan units of runtime/plan.h, each on its own (the session composes them): lowering,
// kernel build, the shape planner, the executor and input/output binding. The memory
// planner has its own file (test_memory_plan.cc).
#include <catch2/catch.hpp>
#include <atomic>

#include "runtime/plan.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;
using Catch::Matchers::Contains;

namespace {

// A kernel that counts its prepare() calls: y = x (domain "test.plan").
std::atomic<int> g_prepares{0};
class CountingKernel : public Kernel {
 public:
  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, ctx.input_dtype(0), *s);
    else
      ctx.set_output_dtype(0, ctx.input_dtype(0));
  }
  void prepare(PrepareContext&) override { ++g_prepares; }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
  }
};
ONNXI_REGISTER_KERNEL("test.plan", "Counting", 1, 1, kRef,
                      [](const BuildContext&) { return std::unique_ptr<Kernel>(new CountingKernel); });

ExecGraph lowered(Graph graph, int64_t opset = 13) {
  ExecGraph g;
  g.file = "plan_units.onnx";
  g.opsets[""] = opset;
  g.opsets["test.plan"] = 1;
  g.graph = std::make_shared<Graph>(std::move(graph));
  add_implicit_inputs(*g.graph);
  declare_io(g);
  lower_graph(g);
  return g;
}

SessionOptions one_thread() {
  SessionOptions o;
  o.threads = 1;
  return o;
}

int step_of(const ExecGraph& g, const std::string& op) {
  for (size_t i = 0; i < g.steps.size(); ++i)
    if (g.steps[i].node.op_type == op) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST_CASE("lower_graph: steps in dependency order, values with producers and consumers", "[plan][lower]") {
  // Listed consumer first: Relu reads t, which Add makes.
  Graph graph = make_graph({make_node("Relu", {"t"}, {"y"}), make_node("Add", {"x", "w"}, {"t"})},
                           {value_info("x", DType::Float, {2})}, {value_info("y", DType::Float, {2})},
                           {{"w", floats({1, -5}, {2})}});
  ExecGraph g = lowered(std::move(graph));
  REQUIRE(g.steps.size() == 2);
  CHECK(g.steps[0].node.op_type == "Add");
  CHECK(g.steps[1].node.op_type == "Relu");
  const Value& x = g.values[g.value_id.at("x")];
  const Value& w = g.values[g.value_id.at("w")];
  const Value& t = g.values[g.value_id.at("t")];
  const Value& y = g.values[g.value_id.at("y")];
  CHECK(x.graph_input == 0);
  CHECK(w.is_constant);
  CHECK(w.graph_input == -1);  // an initializer not declared as an input
  CHECK(t.producer == 0);
  CHECK(t.consumers == std::vector<int>{1});
  CHECK(y.graph_output);
  CHECK(g.output_ids == std::vector<int>{g.value_id.at("y")});
  CHECK(g.inputs.size() == 1);
}

TEST_CASE("lower_graph names each unsupported operator once, with its opset", "[plan][lower]") {
  Graph graph = make_graph({make_node("NoSuchOp", {"x"}, {"a"}), make_node("NoSuchOp", {"a"}, {"y"})},
                           {value_info("x", DType::Float, {2})}, {value_info("y", DType::Float, {2})});
  try {
    lowered(std::move(graph));
    FAIL("no Error");
  } catch (const Error& e) {
    std::string m = e.what();
    CHECK_THAT(m, Contains("NoSuchOp"));
    CHECK(m.find("NoSuchOp") == m.rfind("NoSuchOp"));
  }
}

TEST_CASE("build_kernels folds constant steps and prepares every kernel exactly once", "[plan][build]") {
  // c = Counting(w) has only a constant input: folded at build, and kept as a graph output
  // (the case that once prepared its kernel twice); y = Counting(x) runs.
  Node folded = make_node("Counting", {"w"}, {"c"});
  folded.domain = "test.plan";
  Node live = make_node("Counting", {"x"}, {"y"});
  live.domain = "test.plan";
  Graph graph = make_graph({folded, live}, {value_info("x", DType::Float, {3})},
                           {value_info("c", DType::Float, {2}), value_info("y", DType::Float, {3})},
                           {{"w", floats({4, 5}, {2})}});
  ExecGraph g = lowered(std::move(graph));
  const int before = g_prepares;
  ShapePlan scratch;
  build_kernels(g, {{3}}, one_thread(), nullptr, scratch);
  CHECK(g.built);
  CHECK(g_prepares - before == 2);
  const Value& c = g.values[g.value_id.at("c")];
  CHECK(c.is_constant);  // folded at build
  CHECK(float_values(c.constant) == std::vector<float>{4, 5});
  for (const Step& s : g.steps) CHECK(s.prepared);
  // Planning and running do not prepare again.
  ShapePlan p;
  plan_shapes(g, {{3}}, one_thread(), nullptr, p);
  ExecContext ec;
  auto out = execute(g, p, ec, {{"x", floats({1, 2, 3}, {3})}}, g.output_ids, nullptr, one_thread(), nullptr,
                     nullptr, nullptr);
  CHECK(float_values(out[0]) == std::vector<float>{4, 5});
  CHECK(float_values(out[1]) == std::vector<float>{1, 2, 3});
  CHECK(g_prepares - before == 2);
}

TEST_CASE("plan_shapes: static and dynamic steps, shape-only evaluation, FLOPs, arena", "[plan][shapes]") {
  // Gemm [4,8]x[8,16]: static, 2*4*8*16 FLOPs. Shape(x): evaluated while planning (only the
  // shape is read; not a graph output). NonZero: output shape known only while running.
  Graph graph = make_graph({make_node("Gemm", {"x", "b"}, {"g"}), make_node("Shape", {"x"}, {"s"}),
                            make_node("Reshape", {"x", "s"}, {"r"}), make_node("NonZero", {"g"}, {"nz"})},
                           {value_info("x", DType::Float, {-1, 8})},
                           {value_info("r", DType::Float, {-1, 8}), unshaped("nz", DType::Int64)},
                           {{"b", random_float({8, 16}, 1)}});
  ExecGraph g = lowered(std::move(graph));
  ShapePlan scratch;
  build_kernels(g, {{4, 8}}, one_thread(), nullptr, scratch);
  ShapePlan p;
  plan_shapes(g, {{4, 8}}, one_thread(), nullptr, p);
  REQUIRE(p.valid);
  const int gemm = step_of(g, "Gemm"), shape = step_of(g, "Shape"), nz = step_of(g, "NonZero");
  CHECK_FALSE(p.steps[gemm].dynamic);
  CHECK(p.steps[gemm].flops == 2.0 * 4 * 8 * 16);
  CHECK(p.steps[shape].evaluated);
  CHECK_FALSE(p.steps[step_of(g, "Reshape")].dynamic);
  CHECK(p.steps[nz].dynamic);
  CHECK(p.types[g.value_id.at("g")].shape == Shape{4, 16});
  CHECK(p.arena_offset[g.value_id.at("g")] >= 0);
  CHECK(p.arena_bytes >= 4 * 16 * sizeof(float));
  // A new batch: a new plan (generation moves on), new shapes.
  const uint64_t gen = p.generation;
  plan_shapes(g, {{2, 8}}, one_thread(), nullptr, p);
  CHECK(p.generation != gen);
  CHECK(p.types[g.value_id.at("g")].shape == Shape{2, 16});
  CHECK(p.steps[gemm].flops == 2.0 * 2 * 8 * 16);
}

TEST_CASE("execute: one context's kernel states made once, reshaped for a new plan", "[plan][executor]") {
  Graph graph = make_graph({make_node("Conv", {"x", "w"}, {"y"})}, {value_info("x", DType::Float, {-1, 2, 5, 5})},
                           {value_info("y", DType::Float, {-1, 3, 3, 3})}, {{"w", random_float({3, 2, 3, 3}, 2)}});
  ExecGraph g = lowered(std::move(graph));
  ShapePlan scratch;
  build_kernels(g, {{1, 2, 5, 5}}, one_thread(), nullptr, scratch);
  ShapePlan p;
  plan_shapes(g, {{1, 2, 5, 5}}, one_thread(), nullptr, p);
  ExecContext ec;
  Tensor x1 = random_float({1, 2, 5, 5}, 3);
  auto a = execute(g, p, ec, {{"x", x1}}, g.output_ids, nullptr, one_thread(), nullptr, nullptr, nullptr);
  REQUIRE(ec.states.size() == g.steps.size());
  CHECK(ec.states[0].made);
  KernelState* first = ec.states[0].state.get();
  CHECK(ec.states[0].plan_generation == p.generation);
  // Same plan again: the same state, same result.
  auto b = execute(g, p, ec, {{"x", x1}}, g.output_ids, nullptr, one_thread(), nullptr, nullptr, nullptr);
  CHECK(ec.states[0].state.get() == first);
  require_close(b[0], a[0], Tolerance{}, "second run");
  // A new plan (batch 2): the state is kept and reshaped for it; batch item 0 is unchanged.
  plan_shapes(g, {{2, 2, 5, 5}}, one_thread(), nullptr, p);
  Tensor x2(DType::Float, {2, 2, 5, 5});
  std::memcpy(x2.raw_data(), x1.raw_data(), x1.nbytes());
  std::memcpy(static_cast<char*>(x2.raw_data()) + x1.nbytes(), x1.raw_data(), x1.nbytes());
  auto c = execute(g, p, ec, {{"x", x2}}, g.output_ids, nullptr, one_thread(), nullptr, nullptr, nullptr);
  CHECK(ec.states[0].state.get() == first);
  CHECK(ec.states[0].plan_generation == p.generation);
  REQUIRE(c[0].shape() == Shape{2, 3, 3, 3});
  const float* cy = c[0].data<float>();
  for (int64_t i = 0; i < a[0].numel(); ++i) {
    CHECK(cy[i] == a[0].data<float>()[i]);
    CHECK(cy[i + a[0].numel()] == a[0].data<float>()[i]);
  }
}

TEST_CASE("binding: inputs checked against the declaration, outputs selected and bound", "[plan][binding]") {
  Graph graph = make_graph({make_node("Add", {"x", "bias"}, {"y"}), make_node("Neg", {"x"}, {"z"})},
                           {value_info("x", DType::Float, {-1, 2}), value_info("bias", DType::Float, {2})},
                           {value_info("y", DType::Float, {-1, 2}), value_info("z", DType::Float, {-1, 2})},
                           {{"bias", floats({1, 2}, {2})}});
  ExecGraph g = lowered(std::move(graph));
  // bias has an initializer: optional, defaulting to it.
  auto shapes = validate_inputs(g, {{"x", floats({1, 2, 3, 4}, {2, 2})}});
  CHECK(shapes == std::vector<Shape>{{2, 2}, {2}});
  CHECK_THROWS_WITH(validate_inputs(g, {}), Contains("x"));                                  // missing
  CHECK_THROWS_WITH(validate_inputs(g, {{"x", ints({1, 2}, {1, 2})}}), Contains("int64"));   // dtype
  CHECK_THROWS_WITH(validate_inputs(g, {{"x", floats({1, 2, 3}, {3})}}), Contains("expects [N,2]"));  // rank
  CHECK_THROWS_WITH(validate_inputs(g, {{"x", floats({1, 2, 3}, {1, 3})}}), Contains("x"));  // fixed dim
  CHECK_THROWS_WITH(validate_inputs(g, {{"x", floats({1, 2}, {1, 2})}, {"nope", floats({1}, {1})}}),
                    Contains("nope"));
  CHECK(select_outputs(g, {}) == g.output_ids);
  CHECK(select_outputs(g, {"z"}) == std::vector<int>{g.value_id.at("z")});
  CHECK_THROWS_WITH(select_outputs(g, {"w"}), Contains("w"));
  // A caller tensor of the wrong shape or dtype is an Error; a matching one gets the values.
  Tensor result = floats({1, 2}, {1, 2});
  Tensor wrong(DType::Float, {2, 1});
  CHECK_THROWS_WITH(copy_to_bound(g, "y", result, wrong), Contains("'y'"));
  Tensor wrong_dtype(DType::Double, {1, 2});
  CHECK_THROWS_AS(copy_to_bound(g, "y", result, wrong_dtype), Error);
  Tensor dst(DType::Float, {1, 2});
  copy_to_bound(g, "y", result, dst);
  CHECK(float_values(dst) == std::vector<float>{1, 2});
}
