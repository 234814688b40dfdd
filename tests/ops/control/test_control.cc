// If, Loop, Scan and SequenceMap run through real sessions: subgraphs capture outer
// values (also through nesting), results match plain loops written here, and malformed
// nodes or inputs give errors.
#include "onnxi/limits.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;
using Catch::Matchers::Contains;

namespace {

// If(cond) with then: x + x (captures x), else: -x.
Graph if_graph(Graph then_branch, Graph else_branch) {
  Node n = make_node(
      "If", {"cond"}, {"y"},
      {attr_graph("then_branch", std::move(then_branch)), attr_graph("else_branch", std::move(else_branch))});
  return make_graph({n}, {value_info("cond", DType::Bool, {}), value_info("x", DType::Float, {3})},
                    {unshaped("y", DType::Float)});
}

Graph add_self_branch() {
  return make_graph({make_node("Add", {"x", "x"}, {"t"})}, {}, {unshaped("t", DType::Float)});
}
Graph neg_branch() { return make_graph({make_node("Neg", {"x"}, {"e"})}, {}, {unshaped("e", DType::Float)}); }

}  // namespace

TEST_CASE("If runs the branch the condition picks, with captured values", "[control]") {
  const bool optimize = GENERATE(true, false);
  auto s = session_for(if_graph(add_self_branch(), neg_branch()), 13, optimize);
  Tensor x = floats({1, -2, 3.5f}, {3});
  CHECK(float_values(s->run({{"cond", Tensor::scalar<bool>(true)}, {"x", x}})[0]) ==
        std::vector<float>{2, -4, 7});
  CHECK(float_values(s->run({{"cond", Tensor::scalar<bool>(false)}, {"x", x}})[0]) ==
        std::vector<float>{-1, 2, -3.5f});
}

TEST_CASE("If branches may return an outer value directly", "[control]") {
  Graph pass = make_graph({}, {}, {unshaped("x", DType::Float)});
  auto s = session_for(if_graph(std::move(pass), neg_branch()), 11);
  Tensor x = floats({4, 5, 6}, {3});
  CHECK(float_values(s->run({{"cond", Tensor::scalar<bool>(true)}, {"x", x}})[0]) ==
        std::vector<float>{4, 5, 6});
  CHECK(float_values(s->run({{"cond", Tensor::scalar<bool>(false)}, {"x", x}})[0]) ==
        std::vector<float>{-4, -5, -6});
}

TEST_CASE("If with sequence outputs, and a constant condition folded", "[control]") {
  Graph then_b = make_graph({make_node("SequenceConstruct", {"x", "x"}, {"s1"})}, {},
                            {unshaped("s1", DType::Float, "sequence")});
  Graph else_b = make_graph({make_node("SequenceConstruct", {"x"}, {"s2"})}, {},
                            {unshaped("s2", DType::Float, "sequence")});
  Node n =
      make_node("If", {"c"}, {"seq"}, {attr_graph("then_branch", then_b), attr_graph("else_branch", else_b)});
  Node len = make_node("SequenceLength", {"seq"}, {"n"});
  Graph g = make_graph({n, len}, {value_info("x", DType::Float, {2})}, {value_info("n", DType::Int64, {})},
                       {{"c", Tensor::scalar<bool>(true)}});
  for (bool optimize : {true, false}) {
    auto out = build_and_run(g, 13, {{"x", floats({1, 2}, {2})}}, optimize);
    CHECK(out[0].data<int64_t>()[0] == 2);
  }
}

TEST_CASE("If rejects malformed nodes and inputs", "[control]") {
  SECTION("branch output count") {
    Graph two = make_graph({make_node("Neg", {"x"}, {"a"}), make_node("Neg", {"x"}, {"b"})}, {},
                           {unshaped("a", DType::Float), unshaped("b", DType::Float)});
    CHECK_THROWS_WITH(build_and_run(if_graph(two, neg_branch()), 13,
                                    {{"cond", Tensor::scalar<bool>(true)}, {"x", floats({1, 2, 3}, {3})}}),
                      Contains("then_branch has 2 outputs"));
  }
  SECTION("branch output types differ") {
    Graph shape = make_graph({make_node("Shape", {"x"}, {"s"})}, {}, {unshaped("s", DType::Int64)});
    CHECK_THROWS_WITH(build_and_run(if_graph(shape, neg_branch()), 13,
                                    {{"cond", Tensor::scalar<bool>(true)}, {"x", floats({1, 2, 3}, {3})}}),
                      Contains("int64 in then_branch but float32 in else_branch"));
  }
  SECTION("missing branch") {
    Node n = make_node("If", {"cond"}, {"y"}, {attr_graph("then_branch", neg_branch())});
    Graph g = make_graph({n}, {value_info("cond", DType::Bool, {}), value_info("x", DType::Float, {3})},
                         {unshaped("y", DType::Float)});
    CHECK_THROWS_WITH(
        build_and_run(g, 13, {{"cond", Tensor::scalar<bool>(true)}, {"x", floats({1, 2, 3}, {3})}}),
        Contains("else_branch"));
  }
  SECTION("cond with two elements") {
    Node n = make_node("If", {"cond"}, {"y"},
                       {attr_graph("then_branch", neg_branch()), attr_graph("else_branch", neg_branch())});
    Graph g = make_graph({n}, {value_info("cond", DType::Bool, {2}), value_info("x", DType::Float, {3})},
                         {unshaped("y", DType::Float)});
    CHECK_THROWS_WITH(
        build_and_run(
            g, 13, {{"cond", Tensor::from_vector<bool>({true, false}, {2})}, {"x", floats({1, 2, 3}, {3})}}),
        Contains("one element"));
  }
  SECTION("errors inside a branch name the branch and node") {
    Graph bad = make_graph({make_node("Add", {"x", "w"}, {"t"}, {}, "inner_add")}, {},
                           {unshaped("t", DType::Float)}, {{"w", floats({1, 2}, {2})}});
    CHECK_THROWS_WITH(build_and_run(if_graph(bad, neg_branch()), 13,
                                    {{"cond", Tensor::scalar<bool>(true)}, {"x", floats({1, 2, 3}, {3})}}),
                      Contains("then_branch") && Contains("inner_add"));
  }
}

namespace {

// Loop(M, cond, y) with body: y_out = y_in + x (x captured), scan = y_out.
Graph loop_graph(bool with_m = true, bool with_cond = true) {
  Graph body =
      make_graph({make_node("Identity", {"cond_in"}, {"cond_out"}),
                  make_node("Add", {"y_in", "x"}, {"y_out"}), make_node("Identity", {"y_out"}, {"scan"})},
                 {value_info("i", DType::Int64, {}), value_info("cond_in", DType::Bool, {}),
                  value_info("y_in", DType::Float, {1})},
                 {value_info("cond_out", DType::Bool, {}), value_info("y_out", DType::Float, {1}),
                  value_info("scan", DType::Float, {1})});
  Node loop = make_node("Loop", {with_m ? "M" : "", with_cond ? "cond" : "", "y"}, {"y_final", "scans"},
                        {attr_graph("body", body)});
  return make_graph({loop},
                    {value_info("M", DType::Int64, {}), value_info("cond", DType::Bool, {}),
                     value_info("y", DType::Float, {1}), value_info("x", DType::Float, {1})},
                    {unshaped("y_final", DType::Float), unshaped("scans", DType::Float)});
}

}  // namespace

TEST_CASE("Loop carries values and stacks scan outputs", "[control]") {
  const bool optimize = GENERATE(true, false);
  const int64_t opset = GENERATE(11, 13, 16);
  auto s = session_for(loop_graph(), opset, optimize);
  for (int64_t m : {0, 1, 5}) {
    INFO("M = " << m);
    auto out = s->run({{"M", Tensor::scalar<int64_t>(m)},
                       {"cond", Tensor::scalar<bool>(true)},
                       {"y", floats({10}, {1})},
                       {"x", floats({0.5f}, {1})}});
    CHECK(float_values(out[0]) == std::vector<float>{10 + 0.5f * m});
    REQUIRE(out[1].shape() == Shape{m, 1});
    for (int64_t i = 0; i < m; ++i) CHECK(out[1].data<float>()[i] == 10 + 0.5f * (i + 1));
  }
  // A false condition runs nothing.
  auto out = s->run({{"M", Tensor::scalar<int64_t>(3)},
                     {"cond", Tensor::scalar<bool>(false)},
                     {"y", floats({1}, {1})},
                     {"x", floats({1}, {1})}});
  CHECK(float_values(out[0]) == std::vector<float>{1});
  CHECK(out[1].shape() == Shape{0, 1});
  // The body's kernels on every provider (unoptimized too) agree with the reference's.
  std::vector<Tensor> ref = run_graph_on_providers(loop_graph(), opset,
                                                   {{"M", Tensor::scalar<int64_t>(4)},
                                                    {"cond", Tensor::scalar<bool>(true)},
                                                    {"y", floats({10}, {1})},
                                                    {"x", floats({0.5f}, {1})}});
  CHECK(float_values(ref[0]) == std::vector<float>{12});
}

TEST_CASE("Loop stops with an Error at the iteration limit", "[control]") {
  // fuzz_run found a Loop whose crafted trip count ran for minutes: the limit is settable.
  auto s = session_for(loop_graph(), 13, true);
  onnxi::set_max_loop_iterations(5);
  auto feeds = [](int64_t m) {
    return std::map<std::string, Tensor>{{"M", Tensor::scalar<int64_t>(m)},
                                         {"cond", Tensor::scalar<bool>(true)},
                                         {"y", floats({0}, {1})},
                                         {"x", floats({1}, {1})}};
  };
  CHECK(float_values(s->run(feeds(5))[0]) == std::vector<float>{5});
  CHECK_THROWS_WITH(s->run(feeds(6)), Contains("Loop stopped after 5 iterations"));
  onnxi::set_max_loop_iterations(0);  // back to the default
  CHECK(onnxi::max_loop_iterations() >= (1LL << 31));
  CHECK(float_values(s->run(feeds(6))[0]) == std::vector<float>{6});
}

TEST_CASE("Loop without a cond input ignores the body's cond (for loop)", "[control]") {
  Graph g = loop_graph(true, false);
  // The body's cond_out is false, which only a while loop would obey.
  g.nodes[0].attributes["body"].g->nodes[0] = make_node("Not", {"cond_in"}, {"cond_out"});
  auto out = build_and_run(g, 13,
                           {{"M", Tensor::scalar<int64_t>(4)},
                            {"cond", Tensor::scalar<bool>(true)},
                            {"y", floats({0}, {1})},
                            {"x", floats({2}, {1})}});
  CHECK(float_values(out[0]) == std::vector<float>{8});
}

TEST_CASE("Loop as a while loop stops when the body's cond turns false", "[control]") {
  // No M: body cond_out = i < limit (limit captured), so iterations 0..limit run.
  Graph body = make_graph(
      {make_node("Less", {"i", "limit"}, {"cond_out"}), make_node("Add", {"y_in", "one"}, {"y_out"})},
      {value_info("i", DType::Int64, {}), value_info("cond_in", DType::Bool, {}),
       value_info("y_in", DType::Float, {})},
      {unshaped("cond_out", DType::Bool), unshaped("y_out", DType::Float)});
  Node loop = make_node("Loop", {"", "cond", "y"}, {"count"}, {attr_graph("body", body)});
  Graph g = make_graph({loop}, {value_info("limit", DType::Int64, {}), value_info("y", DType::Float, {})},
                       {unshaped("count", DType::Float)},
                       {{"one", Tensor::scalar<float>(1)}, {"cond", Tensor::scalar<bool>(true)}});
  auto s = session_for(g, 13);
  for (int64_t limit : {0, 3, 10}) {
    auto out = s->run({{"limit", Tensor::scalar<int64_t>(limit)}, {"y", Tensor::scalar<float>(0)}});
    CHECK(out[0].data<float>()[0] == static_cast<float>(limit + 1));
  }
}

TEST_CASE("Loop builds a sequence, and nests If inside its body", "[control]") {
  // body: seq_out = SequenceInsert(seq_in, v), where v = If(i < 2) then i * ten else -i
  // (the branches read the body's i and the outer graph's ten).
  Graph then_b = make_graph({make_node("Mul", {"i", "ten"}, {"a"})}, {}, {unshaped("a", DType::Int64)});
  Graph else_b = make_graph({make_node("Neg", {"i"}, {"b"})}, {}, {unshaped("b", DType::Int64)});
  Graph body = make_graph(
      {make_node("Identity", {"cond_in"}, {"cond_out"}), make_node("Less", {"i", "two"}, {"small"}),
       make_node("If", {"small"}, {"v"},
                 {attr_graph("then_branch", then_b), attr_graph("else_branch", else_b)}),
       make_node("SequenceInsert", {"seq_in", "v"}, {"seq_out"})},
      {value_info("i", DType::Int64, {}), value_info("cond_in", DType::Bool, {}),
       unshaped("seq_in", DType::Int64, "sequence")},
      {unshaped("cond_out", DType::Bool), unshaped("seq_out", DType::Int64, "sequence")},
      {{"two", Tensor::scalar<int64_t>(2)}});
  Node empty =
      make_node("SequenceEmpty", {}, {"seq0"}, {attr_int("dtype", static_cast<int64_t>(DType::Int64))});
  Node loop = make_node("Loop", {"M", "", "seq0"}, {"seq"}, {attr_graph("body", body)});
  Graph g =
      make_graph({empty, loop}, {value_info("M", DType::Int64, {}), value_info("ten", DType::Int64, {})},
                 {unshaped("seq", DType::Int64, "sequence")});
  for (bool optimize : {true, false}) {
    auto out = build_and_run(g, 13, {{"M", Tensor::scalar<int64_t>(4)}, {"ten", Tensor::scalar<int64_t>(10)}},
                             optimize);
    REQUIRE(out[0].is_sequence());
    CHECK(out[0].dtype() == DType::Int64);
    std::vector<int64_t> got;
    for (const auto& e : out[0].elements()) got.push_back(e.data<int64_t>()[0]);
    CHECK(got == std::vector<int64_t>{0, 10, -2, -3});
  }
}

TEST_CASE("Loop rejects malformed nodes and inputs", "[control]") {
  auto feeds = [](int64_t m) {
    return std::map<std::string, Tensor>{{"M", Tensor::scalar<int64_t>(m)},
                                         {"cond", Tensor::scalar<bool>(true)},
                                         {"y", floats({1}, {1})},
                                         {"x", floats({1}, {1})}};
  };
  SECTION("a sequence or empty optional where a tensor is needed") {
    auto f = feeds(2);
    f["M"] = Tensor::sequence(DType::Int64, {Tensor::scalar<int64_t>(2)});
    CHECK_THROWS_WITH(build_and_run(loop_graph(), 13, f), Contains("Loop M must be an int64 tensor"));
    f = feeds(2);
    f["cond"] = Tensor::none(DType::Bool);
    CHECK_THROWS_WITH(build_and_run(loop_graph(), 13, f), Contains("Loop cond must be a bool tensor"));
  }
  SECTION("negative trip count") {
    CHECK_THROWS_WITH(build_and_run(loop_graph(), 13, feeds(-1)), Contains("negative"));
  }
  SECTION("body input count") {
    Graph g = loop_graph();
    g.nodes[0].attributes["body"].g->inputs.push_back(value_info("extra", DType::Float, {1}));
    CHECK_THROWS_WITH(build_and_run(g, 13, feeds(2)), Contains("body has 4 inputs, expected 3"));
  }
  SECTION("loop-carried type changes") {
    Graph g = loop_graph();
    Graph& body = *g.nodes[0].attributes["body"].g;
    body.nodes[1] = make_node("Shape", {"y_in"}, {"y_out"});
    body.outputs[1] = unshaped("y_out", DType::Undefined);
    body.outputs[2] = unshaped("scan", DType::Undefined);
    CHECK_THROWS_WITH(build_and_run(g, 13, feeds(2)),
                      Contains("enters as float32 but the body returns int64"));
  }
  SECTION("scan output shape changes between iterations") {
    // scan = Concat(y history) grows: use the loop-carried value's shape growing.
    Graph body = make_graph(
        {make_node("Identity", {"cond_in"}, {"cond_out"}),
         make_node("Concat", {"y_in", "y_in"}, {"y_out"}, {attr_int("axis", 0)}),
         make_node("Identity", {"y_out"}, {"scan"})},
        {value_info("i", DType::Int64, {}), value_info("cond_in", DType::Bool, {}),
         unshaped("y_in", DType::Float)},
        {unshaped("cond_out", DType::Bool), unshaped("y_out", DType::Float), unshaped("scan", DType::Float)});
    Graph g = loop_graph();
    g.nodes[0].attributes["body"] = attr_graph("body", body);
    CHECK_THROWS_WITH(build_and_run(g, 13, feeds(3)), Contains("in iteration 1"));
  }
}

TEST_CASE("Scan (opset 9+) with axes and directions matches a plain loop", "[control]") {
  // state: running sum [2]; scan input x [3, 2] or, with input axis 1, [2, 3].
  Graph body = make_graph(
      {make_node("Add", {"sum_in", "next"}, {"sum_out"}), make_node("Identity", {"sum_out"}, {"out"})},
      {value_info("sum_in", DType::Float, {2}), value_info("next", DType::Float, {2})},
      {value_info("sum_out", DType::Float, {2}), value_info("out", DType::Float, {2})});
  const int64_t in_axis = GENERATE(0, 1, -1);
  const int64_t in_dir = GENERATE(0, 1);
  const int64_t out_axis = GENERATE(0, 1, -2);
  const int64_t out_dir = GENERATE(0, 1);
  INFO("in axis " << in_axis << " dir " << in_dir << ", out axis " << out_axis << " dir " << out_dir);
  const bool transposed = in_axis != 0;
  Node scan =
      make_node("Scan", {"init", "x"}, {"final", "outs"},
                {attr_graph("body", body), attr_int("num_scan_inputs", 1),
                 attr_ints("scan_input_axes", {in_axis}), attr_ints("scan_input_directions", {in_dir}),
                 attr_ints("scan_output_axes", {out_axis}), attr_ints("scan_output_directions", {out_dir})});
  Graph g = make_graph({scan}, {value_info("init", DType::Float, {2}), unshaped("x", DType::Float)},
                       {unshaped("final", DType::Float), unshaped("outs", DType::Float)});
  const float xs[3][2] = {{1, 2}, {3, 4}, {5, 6}};
  Tensor x(DType::Float, transposed ? Shape{2, 3} : Shape{3, 2});
  for (int t = 0; t < 3; ++t)
    for (int j = 0; j < 2; ++j) x.data<float>()[transposed ? j * 3 + t : t * 2 + j] = xs[t][j];
  auto out = build_and_run(g, 11, {{"init", floats({100, 200}, {2})}, {"x", x}});
  // Reference.
  float sum[2] = {100, 200};
  float steps[3][2];
  for (int t = 0; t < 3; ++t) {
    int src = in_dir ? 2 - t : t;
    for (int j = 0; j < 2; ++j) steps[t][j] = sum[j] += xs[src][j];
  }
  CHECK(float_values(out[0]) == std::vector<float>{sum[0], sum[1]});
  const bool out_transposed = out_axis == 1 || out_axis == -1;
  REQUIRE(out[1].shape() == (out_transposed ? Shape{2, 3} : Shape{3, 2}));
  for (int t = 0; t < 3; ++t) {
    int pos = out_dir ? 2 - t : t;
    for (int j = 0; j < 2; ++j)
      CHECK(out[1].data<float>()[out_transposed ? j * 3 + pos : pos * 2 + j] == steps[t][j]);
  }
}

TEST_CASE("Scan (opset 8) with a batch axis and sequence_lens", "[control]") {
  Graph body = make_graph(
      {make_node("Add", {"sum_in", "next"}, {"sum_out"}), make_node("Identity", {"sum_out"}, {"out"})},
      {value_info("sum_in", DType::Float, {2}), value_info("next", DType::Float, {2})},
      {value_info("sum_out", DType::Float, {2}), value_info("out", DType::Float, {2})});
  const int64_t dir = GENERATE(0, 1);
  const bool with_lens = GENERATE(true, false);
  Node scan =
      make_node("Scan", {with_lens ? "lens" : "", "init", "x"}, {"final", "outs"},
                {attr_graph("body", body), attr_int("num_scan_inputs", 1), attr_ints("directions", {dir})});
  Graph g = make_graph(
      {scan}, {value_info("init", DType::Float, {2, 2}), value_info("x", DType::Float, {2, 3, 2})},
      {unshaped("final", DType::Float), unshaped("outs", DType::Float)}, {{"lens", ints({3, 2}, {2})}});
  Tensor x = floats({1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60}, {2, 3, 2});
  Tensor init = floats({0, 0, 100, 100}, {2, 2});
  auto out = build_and_run(g, 8, {{"init", init}, {"x", x}});
  REQUIRE(out[0].shape() == Shape{2, 2});
  REQUIRE(out[1].shape() == Shape{2, 3, 2});
  for (int b = 0; b < 2; ++b) {
    const int len = with_lens ? (b == 0 ? 3 : 2) : 3;
    float sum[2] = {init.data<float>()[b * 2], init.data<float>()[b * 2 + 1]};
    for (int t = 0; t < 3; ++t) {
      for (int j = 0; j < 2; ++j) {
        float want = 0;  // padding past the item's length
        if (t < len) {
          int src = dir ? len - 1 - t : t;
          sum[j] += x.data<float>()[(b * 3 + src) * 2 + j];
          want = sum[j];
        }
        CHECK(out[1].data<float>()[(b * 3 + t) * 2 + j] == want);
      }
    }
    CHECK(out[0].data<float>()[b * 2] == sum[0]);
    CHECK(out[0].data<float>()[b * 2 + 1] == sum[1]);
  }
}

TEST_CASE("Scan rejects malformed nodes and inputs", "[control]") {
  Graph body = make_graph({make_node("Add", {"sum_in", "next"}, {"sum_out"})},
                          {unshaped("sum_in", DType::Float), unshaped("next", DType::Float)},
                          {unshaped("sum_out", DType::Float)});
  SECTION("scan inputs of different lengths") {
    Graph body2 =
        make_graph({make_node("Add", {"a", "b"}, {"s"}), make_node("Add", {"s", "c"}, {"t"})},
                   {unshaped("a", DType::Float), unshaped("b", DType::Float), unshaped("c", DType::Float)},
                   {unshaped("t", DType::Float)});
    Node scan = make_node("Scan", {"init", "x", "y"}, {"final"},
                          {attr_graph("body", body2), attr_int("num_scan_inputs", 2)});
    Graph g = make_graph(
        {scan}, {unshaped("init", DType::Float), unshaped("x", DType::Float), unshaped("y", DType::Float)},
        {unshaped("final", DType::Float)});
    CHECK_THROWS_WITH(
        build_and_run(
            g, 11,
            {{"init", floats({0}, {1})}, {"x", floats({1, 2}, {2, 1})}, {"y", floats({1, 2, 3}, {3, 1})}}),
        Contains("has 3 slices"));
  }
  SECTION("a scalar scan input") {
    Node scan = make_node("Scan", {"init", "x"}, {"final"},
                          {attr_graph("body", body), attr_int("num_scan_inputs", 1)});
    Graph g = make_graph({scan}, {unshaped("init", DType::Float), unshaped("x", DType::Float)},
                         {unshaped("final", DType::Float)});
    CHECK_THROWS_WITH(build_and_run(g, 11, {{"init", floats({0}, {1})}, {"x", Tensor::scalar<float>(1)}}),
                      Contains("is a scalar"));
  }
  SECTION("num_scan_inputs too large") {
    Node scan = make_node("Scan", {"init", "x"}, {"final"},
                          {attr_graph("body", body), attr_int("num_scan_inputs", 3)});
    Graph g = make_graph({scan}, {unshaped("init", DType::Float), unshaped("x", DType::Float)},
                         {unshaped("final", DType::Float)});
    CHECK_THROWS_WITH(build_and_run(g, 11, {{"init", floats({0}, {1})}, {"x", floats({1, 2}, {2, 1})}}),
                      Contains("num_scan_inputs"));
  }
  SECTION("opset 8 sequence length beyond the data") {
    Node scan = make_node("Scan", {"lens", "init", "x"}, {"final"},
                          {attr_graph("body", body), attr_int("num_scan_inputs", 1)});
    Graph g = make_graph(
        {scan}, {unshaped("lens", DType::Int64), unshaped("init", DType::Float), unshaped("x", DType::Float)},
        {unshaped("final", DType::Float)});
    CHECK_THROWS_WITH(
        build_and_run(
            g, 8,
            {{"lens", ints({5}, {1})}, {"init", floats({0}, {1, 1})}, {"x", floats({1, 2}, {1, 2, 1})}}),
        Contains("outside [0, 2]"));
  }
}

TEST_CASE("SequenceMap maps a body over sequences, with tensors given whole", "[control]") {
  Graph body = make_graph({make_node("Add", {"a", "b"}, {"sum"}), make_node("Shape", {"a"}, {"shape"})},
                          {unshaped("a", DType::Float), unshaped("b", DType::Float)},
                          {unshaped("sum", DType::Float), unshaped("shape", DType::Int64)});
  Node make_seq = make_node("SequenceConstruct", {"x0", "x1"}, {"seq"});
  Node map = make_node("SequenceMap", {"seq", "y"}, {"sums", "shapes"}, {attr_graph("body", body)});
  Graph g =
      make_graph({make_seq, map},
                 {value_info("x0", DType::Float, {2}), value_info("x1", DType::Float, {3}),
                  value_info("y", DType::Float, {1})},
                 {unshaped("sums", DType::Float, "sequence"), unshaped("shapes", DType::Int64, "sequence")});
  auto out = build_and_run(
      g, 17, {{"x0", floats({1, 2}, {2})}, {"x1", floats({3, 4, 5}, {3})}, {"y", floats({10}, {1})}});
  REQUIRE(out[0].is_sequence());
  REQUIRE(out[0].elements().size() == 2);
  CHECK(float_values(out[0].elements()[0]) == std::vector<float>{11, 12});
  CHECK(float_values(out[0].elements()[1]) == std::vector<float>{13, 14, 15});
  REQUIRE(out[1].elements().size() == 2);
  CHECK(out[1].dtype() == DType::Int64);
  CHECK(out[1].elements()[1].data<int64_t>()[0] == 3);

  // Two sequences of different lengths.
  Node map2 = make_node("SequenceMap", {"seq", "seq1"}, {"sums", "shapes"}, {attr_graph("body", body)});
  Node one = make_node("SequenceConstruct", {"x0"}, {"seq1"});
  Graph g2 = make_graph(
      {make_seq, one, map2}, {value_info("x0", DType::Float, {2}), value_info("x1", DType::Float, {3})},
      {unshaped("sums", DType::Float, "sequence"), unshaped("shapes", DType::Int64, "sequence")});
  CHECK_THROWS_WITH(build_and_run(g2, 17, {{"x0", floats({1, 2}, {2})}, {"x1", floats({3, 4, 5}, {3})}}),
                    Contains("has 1 elements, input 0 has 2"));
}
