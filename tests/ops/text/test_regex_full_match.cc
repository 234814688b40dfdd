// RegexFullMatch (opset 20), RE2 syntax: full (not partial) matches, classes, anchors,
// UTF-8, empty strings, and invalid patterns. Skipped in builds without RE2
// (ONNXI_WITH_RE2=OFF), where the op must be unsupported.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun regex(const std::string& pattern, std::vector<std::string> in, Shape shape) {
  NodeRun r;
  r.op_type = "RegexFullMatch";
  r.opset = 20;
  r.inputs = {Tensor::from_vector<std::string>(in, std::move(shape))};
  r.attributes = {attr_string("pattern", pattern)};
  return r;
}

bool have_re2() { return KernelRegistry::global().supports("", "RegexFullMatch", 20); }

}  // namespace

TEST_CASE("RegexFullMatch matches whole strings", "[text][regex_full_match]") {
  if (!have_re2()) {
    WARN("built without RE2: RegexFullMatch is unsupported");
    return;
  }
  Tensor y = check_all(regex(R"(\w+@(gmail|yahoo)\.com)", {"a@gmail.com", "x@yahoo.com", "a@gmail.com.au",
                                                            "b@other.com", "@gmail.com", ""},
                             {2, 3}),
                       {1, 1, 0, 0, 0, 0});
  CHECK(y.dtype() == DType::Bool);
  CHECK(y.shape() == Shape{2, 3});
  // Full match: a pattern that matches a prefix only is false.
  check_all(regex("ab", {"ab", "abc", "xab"}, {3}), {1, 0, 0});
  // The empty pattern matches only the empty string; .* matches everything.
  check_all(regex("", {"", "a"}, {2}), {1, 0});
  check_all(regex(".*", {"", "anything"}, {2}), {1, 1});
  // RE2 syntax: repetition ranges, Unicode classes, (?i), UTF-8 as characters.
  check_all(regex("[0-9]{3}-[0-9]{4}", {"555-1234", "5555-1234"}, {2}), {1, 0});
  check_all(regex(R"(\p{Greek}+)", {"αβγ", "abc"}, {2}), {1, 0});
  check_all(regex("(?i)hello", {"HeLLo", "help"}, {2}), {1, 0});
  check_all(regex("caf.", {"café", "cafe"}, {2}), {1, 1});  // . is one UTF-8 character
  CHECK(run_all(regex("a", {}, {0})).shape() == Shape{0});
}

TEST_CASE("RegexFullMatch rejects invalid patterns and non-strings", "[text][regex_full_match]") {
  if (!have_re2()) {
    NodeRun r = regex("a", {"a"}, {1});
    REQUIRE_THROWS(run_node(r));
    return;
  }
  expect_error_all(regex("(unclosed", {"a"}, {1}), "not valid RE2 syntax");
  // Backreferences are Perl/PCRE, not RE2.
  expect_error_all(regex(R"((a)\1)", {"aa"}, {1}), "not valid RE2 syntax");
  NodeRun r = regex("a", {"a"}, {1});
  r.inputs[0] = Tensor::from_vector<int32_t>({1}, {1});
  expect_error_all(r, "string input");
  r = regex("a", {"a"}, {1});
  r.attributes.clear();
  expect_error_all(r, "pattern");
}
