// Sequence and optional operators (and Identity on them) through real sessions, checked
// against std::vector models; plus the session's handling of sequence/optional inputs.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;
using Catch::Matchers::Contains;

namespace {

Tensor seq_of(std::vector<Tensor> elements, DType dtype = DType::Float) {
  return Tensor::sequence(dtype, std::move(elements));
}

std::vector<std::vector<float>> seq_values(const Tensor& s) {
  REQUIRE(s.is_sequence());
  std::vector<std::vector<float>> out;
  for (const auto& e : s.elements()) out.push_back(float_values(e));
  return out;
}

// One node with sequence input "s" (and tensor inputs named in `extra`).
std::vector<Tensor> run_one(const Node& n, std::vector<ValueInfo> inputs, std::vector<ValueInfo> outputs,
                            const std::map<std::string, Tensor>& feeds, int64_t opset = 13) {
  return build_and_run(make_graph({n}, std::move(inputs), std::move(outputs)), opset, feeds);
}

}  // namespace

TEST_CASE("SequenceInsert, SequenceAt, SequenceErase, SequenceLength match a vector model", "[sequence]") {
  const Tensor a = floats({1}, {1}), b = floats({2, 2}, {2}), c = floats({3, 3, 3}, {3});
  std::vector<std::vector<float>> model = {{1}, {2, 2}};
  Tensor seq = seq_of({a, b});
  const std::vector<ValueInfo> seq_in = {unshaped("s", DType::Float, "sequence"), unshaped("t", DType::Float),
                                         unshaped("p", DType::Int64)};
  const std::vector<ValueInfo> seq_out = {unshaped("o", DType::Float, "sequence")};
  for (int64_t pos : {-2, -1, 0, 1, 2}) {
    INFO("insert at " << pos);
    auto out = run_one(make_node("SequenceInsert", {"s", "t", "p"}, {"o"}), seq_in, seq_out,
                       {{"s", seq}, {"t", c}, {"p", Tensor::scalar<int64_t>(pos)}});
    auto want = model;
    want.insert(want.begin() + (pos < 0 ? pos + 2 : pos), {3, 3, 3});
    CHECK(seq_values(out[0]) == want);
  }
  {
    auto out = run_one(make_node("SequenceInsert", {"s", "t"}, {"o"}), {seq_in[0], seq_in[1]}, seq_out,
                       {{"s", seq}, {"t", c}});
    CHECK(seq_values(out[0]).back() == std::vector<float>{3, 3, 3});
    CHECK(seq.elements().size() == 2);  // the input is not modified
  }
  for (int64_t pos : {-3, 3})
    CHECK_THROWS_WITH(run_one(make_node("SequenceInsert", {"s", "t", "p"}, {"o"}), seq_in, seq_out,
                              {{"s", seq}, {"t", c}, {"p", Tensor::scalar<int64_t>(pos)}}),
                      Contains("outside [-2, 2]"));

  const std::vector<ValueInfo> at_in = {seq_in[0], seq_in[2]};
  for (int64_t pos : {-2, -1, 0, 1}) {
    auto out = run_one(make_node("SequenceAt", {"s", "p"}, {"y"}), at_in, {unshaped("y", DType::Float)},
                       {{"s", seq}, {"p", Tensor::scalar<int64_t>(pos)}});
    CHECK(float_values(out[0]) == model[static_cast<size_t>(pos < 0 ? pos + 2 : pos)]);
  }
  for (int64_t pos : {-3, 2})
    CHECK_THROWS_WITH(
        run_one(make_node("SequenceAt", {"s", "p"}, {"y"}), at_in, {unshaped("y", DType::Float)},
                {{"s", seq}, {"p", Tensor::scalar<int64_t>(pos)}}),
        Contains("outside [-2, 1]"));
  // int32 positions of shape [1] are accepted.
  auto at32 =
      run_one(make_node("SequenceAt", {"s", "p"}, {"y"}), {seq_in[0], unshaped("p", DType::Int32)},
              {unshaped("y", DType::Float)}, {{"s", seq}, {"p", Tensor::from_vector<int32_t>({1}, {1})}});
  CHECK(float_values(at32[0]) == std::vector<float>{2, 2});

  for (int64_t pos : {-2, -1, 0, 1}) {
    auto out = run_one(make_node("SequenceErase", {"s", "p"}, {"o"}), at_in, seq_out,
                       {{"s", seq}, {"p", Tensor::scalar<int64_t>(pos)}});
    auto want = model;
    want.erase(want.begin() + (pos < 0 ? pos + 2 : pos));
    CHECK(seq_values(out[0]) == want);
  }
  auto erased = run_one(make_node("SequenceErase", {"s"}, {"o"}), {seq_in[0]}, seq_out, {{"s", seq}});
  CHECK(seq_values(erased[0]) == std::vector<std::vector<float>>{{1}});
  CHECK_THROWS_WITH(
      run_one(make_node("SequenceErase", {"s"}, {"o"}), {seq_in[0]}, seq_out, {{"s", seq_of({})}}),
      Contains("empty"));

  auto len = run_one(make_node("SequenceLength", {"s"}, {"n"}), {seq_in[0]}, {unshaped("n", DType::Int64)},
                     {{"s", seq}});
  CHECK(len[0].shape() == Shape{});
  CHECK(len[0].data<int64_t>()[0] == 2);
}

TEST_CASE("Sequence ops check types and kinds", "[sequence]") {
  SECTION("inserting another element type") {
    Node n = make_node("SequenceInsert", {"s", "t"}, {"o"});
    CHECK_THROWS_WITH(
        run_one(n, {unshaped("s", DType::Float, "sequence"), unshaped("t", DType::Int64)},
                {unshaped("o", DType::Float, "sequence")}, {{"s", seq_of({})}, {"t", ints({1}, {1})}}),
        Contains("cannot insert a int64 tensor into a sequence of float32"));
  }
  SECTION("a tensor where a sequence is declared") {
    Node n = make_node("SequenceLength", {"s"}, {"n"});
    CHECK_THROWS_WITH(run_one(n, {unshaped("s", DType::Float, "sequence")}, {unshaped("n", DType::Int64)},
                              {{"s", floats({1}, {1})}}),
                      Contains("expects a sequence"));
  }
  SECTION("a sequence of the wrong element type") {
    Node n = make_node("SequenceLength", {"s"}, {"n"});
    CHECK_THROWS_WITH(run_one(n, {unshaped("s", DType::Float, "sequence")}, {unshaped("n", DType::Int64)},
                              {{"s", seq_of({ints({1}, {1})}, DType::Int64)}}),
                      Contains("is a sequence of int64, the model expects float32"));
  }
  SECTION("a sequence where a tensor is needed") {
    Node n = make_node("SequenceLength", {"s"}, {"n"});
    CHECK_THROWS_WITH(
        run_one(n, {unshaped("s", DType::Float)}, {unshaped("n", DType::Int64)}, {{"s", floats({1}, {1})}}),
        Contains("must be a sequence"));
  }
  SECTION("SequenceConstruct of mixed types") {
    Node n = make_node("SequenceConstruct", {"a", "b"}, {"o"});
    CHECK_THROWS_WITH(
        run_one(n, {unshaped("a", DType::Float), unshaped("b", DType::Int64)},
                {unshaped("o", DType::Float, "sequence")}, {{"a", floats({1}, {1})}, {"b", ints({1}, {1})}}),
        Contains("input 1 is int64"));
  }
}

TEST_CASE("An empty sequence read without its element type takes the declared one", "[sequence]") {
  Node n = make_node("Identity", {"s"}, {"o"});
  auto out = run_one(n, {unshaped("s", DType::Int32, "sequence")}, {unshaped("o", DType::Int32, "sequence")},
                     {{"s", Tensor::sequence(DType::Undefined, {})}}, 16);
  REQUIRE(out[0].is_sequence());
  CHECK(out[0].dtype() == DType::Int32);
}

TEST_CASE("SequenceEmpty and SequenceConstruct fold to constants and feed later ops", "[sequence]") {
  for (bool optimize : {true, false}) {
    Graph g = make_graph(
        {make_node("SequenceEmpty", {}, {"e"}), make_node("SequenceConstruct", {"c1", "c2"}, {"s"}),
         make_node("SequenceInsert", {"e", "x"}, {"e1"}), make_node("SequenceAt", {"s", "one"}, {"a"}),
         make_node("SequenceInsert", {"e1", "a"}, {"out"})},
        {value_info("x", DType::Float, {2})}, {unshaped("out", DType::Float, "sequence")},
        {{"c1", floats({1}, {1})}, {"c2", floats({2, 3}, {2})}, {"one", Tensor::scalar<int64_t>(1)}});
    auto s = session_for(g, 12, optimize);
    for (int run = 0; run < 2; ++run) {
      auto out = s->run({{"x", floats({7, 8}, {2})}});
      CHECK(seq_values(out[0]) == std::vector<std::vector<float>>{{7, 8}, {2, 3}});
      // The caller owns its outputs: changing them does not change the next run.
      out[0].elements()[1].data<float>()[0] = -1;
    }
  }
}

TEST_CASE("SplitToSequence matches a reference split", "[sequence]") {
  Tensor x(DType::Float, {2, 5});
  for (int i = 0; i < 10; ++i) x.data<float>()[i] = static_cast<float>(i);
  auto piece = [&](int64_t axis, int64_t start, int64_t len, bool keep) {
    std::vector<float> v;
    if (axis == 0) {
      for (int64_t r = start; r < start + len; ++r)
        for (int c = 0; c < 5; ++c) v.push_back(static_cast<float>(r * 5 + c));
    } else {
      for (int r = 0; r < 2; ++r)
        for (int64_t c = start; c < start + len; ++c) v.push_back(static_cast<float>(r * 5 + c));
    }
    Shape s = axis == 0 ? Shape{len, 5} : Shape{2, len};
    if (!keep) s.erase(s.begin() + axis);
    return std::make_pair(s, v);
  };
  auto check = [&](const Tensor& seq, int64_t axis, const std::vector<int64_t>& lengths, bool keep) {
    REQUIRE(seq.is_sequence());
    REQUIRE(seq.elements().size() == lengths.size());
    int64_t start = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      auto [shape, values] = piece(axis, start, lengths[i], keep);
      CHECK(seq.elements()[i].shape() == shape);
      CHECK(float_values(seq.elements()[i]) == values);
      start += lengths[i];
    }
  };
  const std::vector<ValueInfo> outs = {unshaped("o", DType::Float, "sequence")};
  for (int64_t axis : {0, 1, -1}) {
    const int64_t a = axis < 0 ? axis + 2 : axis;
    const int64_t dim = a == 0 ? 2 : 5;
    for (int keep : {0, 1}) {
      auto out = run_one(
          make_node("SplitToSequence", {"x"}, {"o"}, {attr_int("axis", axis), attr_int("keepdims", keep)}),
          {unshaped("x", DType::Float)}, outs, {{"x", x}});
      check(out[0], a, std::vector<int64_t>(static_cast<size_t>(dim), 1), keep != 0);
    }
  }
  // Scalar split: pieces of 2 along axis 1 (the last one smaller).
  auto out = run_one(make_node("SplitToSequence", {"x", "sp"}, {"o"}, {attr_int("axis", 1)}),
                     {unshaped("x", DType::Float), unshaped("sp", DType::Int64)}, outs,
                     {{"x", x}, {"sp", Tensor::scalar<int64_t>(2)}});
  check(out[0], 1, {2, 2, 1}, true);
  // Explicit lengths, including an empty piece.
  out = run_one(make_node("SplitToSequence", {"x", "sp"}, {"o"}, {attr_int("axis", 1)}),
                {unshaped("x", DType::Float), unshaped("sp", DType::Int64)}, outs,
                {{"x", x}, {"sp", ints({3, 0, 2}, {3})}});
  check(out[0], 1, {3, 0, 2}, true);
  for (auto bad : {ints({3, 3}, {2}), ints({6, -1}, {2}), Tensor::scalar<int64_t>(0)})
    CHECK_THROWS_AS(
        run_one(make_node("SplitToSequence", {"x", "sp"}, {"o"}, {attr_int("axis", 1)}),
                {unshaped("x", DType::Float), unshaped("sp", DType::Int64)}, outs, {{"x", x}, {"sp", bad}}),
        Error);
  CHECK_THROWS_AS(run_one(make_node("SplitToSequence", {"x"}, {"o"}, {attr_int("axis", 2)}),
                          {unshaped("x", DType::Float)}, outs, {{"x", x}}),
                  Error);
}

TEST_CASE("ConcatFromSequence concatenates or stacks", "[sequence]") {
  Tensor a = floats({1, 2, 3, 4}, {2, 2}), b = floats({5, 6, 7, 8}, {2, 2});
  const std::vector<ValueInfo> ins = {unshaped("s", DType::Float, "sequence")};
  const std::vector<ValueInfo> outs = {unshaped("y", DType::Float)};
  auto run = [&](int64_t axis, int64_t new_axis, const Tensor& seq) {
    return run_one(make_node("ConcatFromSequence", {"s"}, {"y"},
                             {attr_int("axis", axis), attr_int("new_axis", new_axis)}),
                   ins, outs, {{"s", seq}})[0];
  };
  Tensor s = seq_of({a, b});
  Tensor y = run(0, 0, s);
  CHECK(y.shape() == Shape{4, 2});
  CHECK(float_values(y) == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  y = run(-1, 0, s);
  CHECK(y.shape() == Shape{2, 4});
  CHECK(float_values(y) == std::vector<float>{1, 2, 5, 6, 3, 4, 7, 8});
  y = run(0, 1, s);
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(float_values(y) == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  y = run(-1, 1, s);
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(float_values(y) == std::vector<float>{1, 5, 2, 6, 3, 7, 4, 8});
  CHECK_THROWS_WITH(run(0, 0, seq_of({})), Contains("empty"));
  CHECK_THROWS_AS(run(3, 1, s), Error);
  CHECK_THROWS_AS(run(0, 1, seq_of({a, floats({1, 2}, {2})})), Error);
  // Strings too.
  Tensor sa = Tensor::from_vector<std::string>({"a", "b"}, {2}),
         sb = Tensor::from_vector<std::string>({"c"}, {1});
  auto sy = run_one(make_node("ConcatFromSequence", {"s"}, {"y"}, {attr_int("axis", 0)}),
                    {unshaped("s", DType::String, "sequence")}, {unshaped("y", DType::String)},
                    {{"s", seq_of({sa, sb}, DType::String)}})[0];
  CHECK(sy.strings() == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("Optional, OptionalHasElement and OptionalGetElement", "[sequence]") {
  Graph g = make_graph(
      {make_node("Optional", {"x"}, {"ox"}), make_node("OptionalHasElement", {"ox"}, {"has_x"}),
       make_node("OptionalGetElement", {"ox"}, {"x2"}),
       make_node("Optional", {}, {"none"}, {attr_type("type", "seq(tensor(float32))")}),
       make_node("OptionalHasElement", {"none"}, {"has_none"}), make_node("Optional", {"in_opt"}, {"o2"}),
       make_node("OptionalHasElement", {"o2"}, {"has_in"})},
      {value_info("x", DType::Float, {2}), unshaped("in_opt", DType::Float, "optional")},
      {unshaped("has_x", DType::Bool), unshaped("x2", DType::Float), unshaped("has_none", DType::Bool),
       unshaped("none", DType::Float, "optional"), unshaped("has_in", DType::Bool)});
  for (bool optimize : {true, false}) {
    auto s = session_for(g, 15, optimize);
    auto out = s->run({{"x", floats({1, 2}, {2})}, {"in_opt", Tensor::none(DType::Float)}});
    CHECK(out[0].data<bool>()[0]);
    CHECK(float_values(out[1]) == std::vector<float>{1, 2});
    CHECK_FALSE(out[2].data<bool>()[0]);
    CHECK(out[3].is_none());
    CHECK(out[3].none_of() == Tensor::Kind::Sequence);
    CHECK_FALSE(out[4].data<bool>()[0]);
    out = s->run({{"x", floats({1, 2}, {2})}, {"in_opt", seq_of({floats({1}, {1})})}});
    CHECK(out[4].data<bool>()[0]);
  }
  // Getting the element of an empty optional is an error.
  Graph g2 = make_graph({make_node("OptionalGetElement", {"o"}, {"y"})},
                        {unshaped("o", DType::Float, "optional")}, {unshaped("y", DType::Float)});
  CHECK_THROWS_WITH(build_and_run(g2, 15, {{"o", Tensor::none(DType::Float)}}),
                    Contains("the optional is empty"));
  CHECK(float_values(build_and_run(g2, 15, {{"o", floats({3}, {1})}})[0]) == std::vector<float>{3});
  // Optional without input or type.
  Graph g3 = make_graph({make_node("Optional", {}, {"o"})}, {}, {unshaped("o", DType::Float, "optional")});
  CHECK_THROWS_WITH(build_and_run(g3, 15, {}), Contains("needs the 'type' attribute"));
}

TEST_CASE("Identity passes sequences and optionals through", "[sequence]") {
  Graph g = make_graph({make_node("Identity", {"s"}, {"o"})}, {unshaped("s", DType::Float, "optional")},
                       {unshaped("o", DType::Float, "optional")});
  auto s = session_for(g, 16);
  CHECK(s->run({{"s", Tensor::none(DType::Float)}})[0].is_none());
  auto out = s->run({{"s", seq_of({floats({1, 2}, {2})})}});
  CHECK(seq_values(out[0]) == std::vector<std::vector<float>>{{1, 2}});
  CHECK(float_values(s->run({{"s", floats({5}, {1})}})[0]) == std::vector<float>{5});
}
