// StringNormalizer and TfIdfVectorizer against small references written here.
#include <map>
#include <set>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;
using Catch::Matchers::Contains;

namespace {

Tensor strings(std::vector<std::string> v, Shape shape) {
  return Tensor::from_vector<std::string>(v, std::move(shape));
}

Tensor normalize(const Tensor& x, std::vector<Attribute> attrs) {
  NodeRun r;
  r.op_type = "StringNormalizer";
  r.opset = 10;
  r.attributes = std::move(attrs);
  r.inputs = {x};
  return run_node(r).outputs[0];
}

}  // namespace

TEST_CASE("StringNormalizer removes stopwords and changes case", "[text]") {
  Tensor x = strings({"Monday", "tuesday", "MONDAY", "wednesday", "monday", "Straße"}, {6});
  SECTION("case-insensitive stopwords, upper case") {
    Tensor y =
        normalize(x, {attr_string("case_change_action", "UPPER"), attr_strings("stopwords", {"monday"})});
    CHECK(y.shape() == Shape{3});
    CHECK(y.strings() == std::vector<std::string>{"TUESDAY", "WEDNESDAY", "STRAßE"});
  }
  SECTION("case-sensitive stopwords, lower case") {
    Tensor y = normalize(x, {attr_string("case_change_action", "LOWER"), attr_int("is_case_sensitive", 1),
                             attr_strings("stopwords", {"monday"})});
    CHECK(y.strings() == std::vector<std::string>{"monday", "tuesday", "monday", "wednesday", "straße"});
  }
  SECTION("no change") {
    Tensor y = normalize(x, {});
    CHECK(y.strings() == x.strings());
  }
  SECTION("[1, C] input keeps its rank; all removed gives one empty string") {
    Tensor y = normalize(strings({"a", "B", "c"}, {1, 3}), {attr_strings("stopwords", {"b"})});
    CHECK(y.shape() == Shape{1, 2});
    CHECK(y.strings() == std::vector<std::string>{"a", "c"});
    y = normalize(strings({"a", "A"}, {1, 2}), {attr_strings("stopwords", {"a"})});
    CHECK(y.shape() == Shape{1, 1});
    CHECK(y.strings() == std::vector<std::string>{""});
    y = normalize(strings({"a"}, {1}), {attr_strings("stopwords", {"a"})});
    CHECK(y.shape() == Shape{1});
  }
  SECTION("invalid") {
    CHECK_THROWS_WITH(normalize(x, {attr_string("case_change_action", "TITLE")}),
                      Contains("NONE, LOWER or UPPER"));
    CHECK_THROWS_WITH(normalize(strings({"a", "b"}, {2, 1}), {}), Contains("[C] or [1, C]"));
    NodeRun r;
    r.op_type = "StringNormalizer";
    r.opset = 10;
    r.inputs = {floats({1}, {1})};
    CHECK_THROWS_WITH(run_node(r), Contains("must be string"));
  }
}

namespace {

// Reference: every n-gram occurrence as a set of positions p, p+d, ..., p+(n-1)d for
// d = 1..max_skip+1 (unigrams once per position), looked up in a pool map.
std::vector<float> tfidf_reference(const std::vector<int64_t>& row, int64_t min_n, int64_t max_n,
                                   int64_t max_skip, const std::map<std::vector<int64_t>, size_t>& pool,
                                   const std::vector<int64_t>& indexes, const std::vector<float>& weights,
                                   const std::string& mode, int64_t width) {
  std::vector<int64_t> counts(indexes.size());
  const int64_t c = static_cast<int64_t>(row.size());
  for (int64_t n = min_n; n <= max_n; ++n) {
    std::set<std::vector<int64_t>> seen_positions;
    for (int64_t d = 1; d <= (n == 1 ? 1 : max_skip + 1); ++d)
      for (int64_t p = 0; p + (n - 1) * d < c; ++p) {
        std::vector<int64_t> gram, pos;
        for (int64_t k = 0; k < n; ++k) {
          gram.push_back(row[static_cast<size_t>(p + k * d)]);
          pos.push_back(p + k * d);
        }
        if (!seen_positions.insert(pos).second) continue;
        auto it = pool.find(gram);
        if (it != pool.end()) ++counts[it->second];
      }
  }
  std::vector<float> out(static_cast<size_t>(width));
  for (size_t k = 0; k < counts.size(); ++k) {
    if (!counts[k]) continue;
    float w = weights.empty() ? 1.f : weights[k];
    out[static_cast<size_t>(indexes[k])] += mode == "TF"    ? static_cast<float>(counts[k])
                                            : mode == "IDF" ? w
                                                            : counts[k] * w;
  }
  return out;
}

}  // namespace

TEST_CASE("TfIdfVectorizer matches a reference", "[text]") {
  // Pool: unigrams {2, 3, 5, 4}, bigrams {(5,6), (7,8), (6,7)}.
  const std::vector<int64_t> pool = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7};
  const std::vector<int64_t> counts = {0, 4};
  const std::vector<int64_t> indexes = {6, 0, 1, 2, 3, 4, 5};
  const std::vector<float> weights = {0.5f, 1, 2, 3, 4, 5, 6};
  std::map<std::vector<int64_t>, size_t> pool_map = {{{2}, 0},    {{3}, 1},    {{5}, 2},   {{4}, 3},
                                                     {{5, 6}, 4}, {{7, 8}, 5}, {{6, 7}, 6}};
  const std::vector<int64_t> data = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8, 2, 5, 6, 7};
  const std::string mode = GENERATE("TF", "IDF", "TFIDF");
  const int64_t min_n = GENERATE(1, 2);
  const int64_t max_n = GENERATE(1, 2);
  const int64_t skip = GENERATE(0, 1, 5);
  const bool batched = GENERATE(true, false);
  const bool int32_input = GENERATE(true, false);
  if (max_n < min_n) return;
  INFO(mode << " n " << min_n << ".." << max_n << " skip " << skip << (batched ? " batched" : ""));
  NodeRun r;
  r.op_type = "TfIdfVectorizer";
  r.opset = 9;
  r.attributes = {attr_int("min_gram_length", min_n), attr_int("max_gram_length", max_n),
                  attr_int("max_skip_count", skip),   attr_string("mode", mode),
                  attr_ints("ngram_counts", counts),  attr_ints("ngram_indexes", indexes),
                  attr_ints("pool_int64s", pool),     attr_floats("weights", weights)};
  Shape shape = batched ? Shape{2, 8} : Shape{16};
  if (int32_input) {
    std::vector<int32_t> d32(data.begin(), data.end());
    r.inputs = {Tensor::from_vector<int32_t>(d32, shape)};
  } else {
    r.inputs = {Tensor::from_vector<int64_t>(data, shape)};
  }
  Tensor y = run_node(r).outputs[0];
  std::vector<float> want;
  if (batched) {
    for (int b = 0; b < 2; ++b) {
      std::vector<int64_t> row(data.begin() + b * 8, data.begin() + (b + 1) * 8);
      auto part = tfidf_reference(row, min_n, max_n, skip, pool_map, indexes, weights, mode, 7);
      want.insert(want.end(), part.begin(), part.end());
    }
    CHECK(y.shape() == Shape{2, 7});
  } else {
    want = tfidf_reference(data, min_n, max_n, skip, pool_map, indexes, weights, mode, 7);
    CHECK(y.shape() == Shape{7});
  }
  CHECK(float_values(y) == want);
}

TEST_CASE("TfIdfVectorizer with a string pool, and invalid attributes", "[text]") {
  NodeRun r;
  r.op_type = "TfIdfVectorizer";
  r.opset = 9;
  r.attributes = {attr_int("min_gram_length", 1),
                  attr_int("max_gram_length", 2),
                  attr_int("max_skip_count", 0),
                  attr_string("mode", "TF"),
                  attr_ints("ngram_counts", {0, 2}),
                  attr_ints("ngram_indexes", {0, 1, 2}),
                  attr_strings("pool_strings", {"a", "b", "a", "b"})};
  r.inputs = {strings({"a", "b", "a", "b", "c"}, {5})};
  CHECK(float_values(run_node(r).outputs[0]) == std::vector<float>{2, 2, 2});

  auto with = [&](const std::string& name, Attribute a) {
    NodeRun bad = r;
    for (auto& x : bad.attributes)
      if (x.name == name) x = a;
    return bad;
  };
  CHECK_THROWS_WITH(run_node(with("ngram_counts", attr_ints("ngram_counts", {0, 3}))),
                    Contains("ngram_counts"));
  CHECK_THROWS_WITH(run_node(with("ngram_indexes", attr_ints("ngram_indexes", {0, 1}))),
                    Contains("ngram_indexes"));
  CHECK_THROWS_WITH(run_node(with("mode", attr_string("mode", "BM25"))), Contains("TF, IDF or TFIDF"));
  CHECK_THROWS_WITH(run_node(with("min_gram_length", attr_int("min_gram_length", 3))),
                    Contains("min_gram_length"));
  NodeRun ints_in = r;
  ints_in.inputs = {ints({1, 2}, {2})};
  CHECK_THROWS_WITH(run_node(ints_in), Contains("cannot take int64"));
  NodeRun rank3 = r;
  rank3.inputs = {strings({"a", "b"}, {1, 1, 2})};
  CHECK_THROWS_WITH(run_node(rank3), Contains("[C] or [N, C]"));
}
