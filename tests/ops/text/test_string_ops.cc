// StringSplit and StringConcat (opset 20). Expected values are Python's str.split results
// (worked out by hand) and plain concatenation.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

Tensor strs(std::vector<std::string> v, Shape shape) { return Tensor::from_vector<std::string>(v, std::move(shape)); }

std::vector<Tensor> split(const Tensor& x, std::vector<Attribute> attrs) {
  NodeRun r;
  r.op_type = "StringSplit";
  r.opset = 20;
  r.inputs = {x};
  r.attributes = std::move(attrs);
  r.num_outputs = 2;
  return run_node(r).outputs;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("StringSplit on a delimiter keeps empty pieces and pads", "[text][string_split]") {
  std::vector<Tensor> out = split(strs({"a,b,c", "a,,b", "", "xyz"}, {2, 2}), {attr_string("delimiter", ",")});
  REQUIRE(out[0].shape() == Shape{2, 2, 3});
  CHECK(out[0].strings() == Strings{"a", "b", "c", "a", "", "b", "", "", "", "xyz", "", ""});
  CHECK(out[1].shape() == Shape{2, 2});
  require_values(out[1], {3, 3, 1, 1});
  // A multi-character delimiter, and maxsplit leaving the rest in the last piece.
  out = split(strs({"1<>2<>3<>4", "<>"}, {2}), {attr_string("delimiter", "<>"), attr_int("maxsplit", 2)});
  CHECK(out[0].strings() == Strings{"1", "2", "3<>4", "", "", ""});
  require_values(out[1], {3, 2});
}

TEST_CASE("StringSplit without a delimiter splits on whitespace runs", "[text][string_split]") {
  // Tabs, newlines, a no-break space (U+00A0) and an ideographic space (U+3000) separate.
  std::vector<Tensor> out = split(strs({"  hello \t world  ", "", "a\xc2\xa0" "b\xe3\x80\x80" "c", "   "}, {4}), {});
  REQUIRE(out[0].shape() == Shape{4, 3});
  CHECK(out[0].strings() == Strings{"hello", "world", "", "", "", "", "a", "b", "c", "", "", ""});
  require_values(out[1], {2, 0, 3, 0});
  // maxsplit: leading whitespace dropped, the rest kept with its trailing whitespace.
  out = split(strs({"  a b  c  "}, {1}), {attr_string("delimiter", ""), attr_int("maxsplit", 1)});
  CHECK(out[0].strings() == Strings{"a", "b  c  "});
  // No input elements: Y gets a trailing dim of 0.
  out = split(Tensor(DType::String, {0, 2}), {});
  CHECK(out[0].shape() == Shape{0, 2, 0});
  CHECK(out[1].shape() == Shape{0, 2});
  // maxsplit 0: the whole (left-stripped) string.
  out = split(strs({" x y"}, {}), {attr_int("maxsplit", 0)});
  CHECK(out[0].shape() == Shape{1});
  CHECK(out[0].strings() == Strings{"x y"});
}

TEST_CASE("StringSplit rejects non-string input", "[text][string_split]") {
  NodeRun r;
  r.op_type = "StringSplit";
  r.opset = 20;
  r.inputs = {Tensor::from_vector<float>({1}, {1})};
  r.num_outputs = 2;
  expect_error_all(r, "string input");
}

TEST_CASE("StringConcat broadcasts", "[text][string_concat]") {
  NodeRun r;
  r.op_type = "StringConcat";
  r.opset = 20;
  r.inputs = {strs({"a", "b", ""}, {3}), strs({"1", "2"}, {2, 1})};
  Tensor y = run_all(r);
  REQUIRE(y.shape() == Shape{2, 3});
  CHECK(y.strings() == Strings{"a1", "b1", "1", "a2", "b2", "2"});
  r.inputs = {strs({"x"}, {}), strs({"\xc3\xa9", "!"}, {2})};
  CHECK(run_all(r).strings() == Strings{"x\xc3\xa9", "x!"});
  r.inputs = {strs({"a", "b"}, {2}), strs({"a", "b", "c"}, {3})};
  expect_error_all(r);
  r.inputs = {Tensor::from_vector<int32_t>({1}, {1}), Tensor::from_vector<int32_t>({1}, {1})};
  expect_error_all(r, "does not support int32");
  r.inputs = {strs({"a"}, {1}), Tensor::from_vector<int32_t>({1}, {1})};
  expect_error_all(r, "dtype int32");
}
