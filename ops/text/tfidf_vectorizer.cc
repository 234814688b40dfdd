// TfIdfVectorizer (opset 9): counts the n-grams of a pool in each row of a [C] or [N, C]
// int32/int64/string tensor, giving a float [D] or [N, D] tensor (D = max(ngram_indexes)
// + 1). The pool holds the n-grams of each length n back to back; ngram_counts[n-1] is
// where those of length n start. N-grams of length min_gram_length..max_gram_length are
// counted at every start position and, for n >= 2, with every skip 0..max_skip_count
// between their items (tokens i, i+s+1, i+2(s+1), ...); unigrams are counted once per
// position. Mode TF gives counts, IDF the weight where the count is non-zero, TFIDF
// count * weight (weights default to 1).
#include <algorithm>
#include <map>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class TfIdfVectorizerKernel : public Kernel {
 public:
  enum class Mode { TF, IDF, TFIDF };

  explicit TfIdfVectorizerKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "TfIdfVectorizer expects 1 input");
    dtype_ = ctx.input_dtype(0);
    const auto& a = ctx.attrs;
    min_gram_ = a.get_int("min_gram_length");
    max_gram_ = a.get_int("max_gram_length");
    max_skip_ = a.get_int("max_skip_count");
    if (min_gram_ < 1 || max_gram_ < min_gram_)
      throw Error(Stage::Build, "TfIdfVectorizer needs 1 <= min_gram_length <= max_gram_length, got " +
                                    std::to_string(min_gram_) + " and " + std::to_string(max_gram_));
    if (max_skip_ < 0) throw Error(Stage::Build, "TfIdfVectorizer max_skip_count must be >= 0");
    std::string mode = a.get_string("mode");
    if (mode == "TF")
      mode_ = Mode::TF;
    else if (mode == "IDF")
      mode_ = Mode::IDF;
    else if (mode == "TFIDF")
      mode_ = Mode::TFIDF;
    else
      throw Error(Stage::Build, "TfIdfVectorizer mode must be TF, IDF or TFIDF, got '" + mode + "'");

    const bool has_ints = a.has("pool_int64s"), has_strings = a.has("pool_strings");
    if (has_ints == has_strings)
      throw Error(Stage::Build, "TfIdfVectorizer needs exactly one of pool_int64s and pool_strings");
    strings_ = has_strings;
    if (strings_ ? dtype_ != DType::String : (dtype_ != DType::Int64 && dtype_ != DType::Int32))
      throw Error(Stage::Build, std::string("TfIdfVectorizer with ") +
                                    (strings_ ? "pool_strings" : "pool_int64s") + " cannot take " +
                                    std::string(dtype_name(dtype_)) + " input");
    std::vector<int64_t> pool_ints = a.get_ints("pool_int64s");
    std::vector<std::string> pool_strings = a.get_strings("pool_strings");
    const int64_t pool_size = static_cast<int64_t>(strings_ ? pool_strings.size() : pool_ints.size());

    std::vector<int64_t> counts = a.get_ints("ngram_counts");
    indexes_ = a.get_ints("ngram_indexes");
    weights_ = a.get_floats("weights");
    // Walk the pool: n-grams of length n are pool[counts[n-1], counts[n]) (or to the end).
    size_t ordinal = 0;
    for (size_t n = 1; n <= counts.size(); ++n) {
      const int64_t begin = counts[n - 1];
      const int64_t end = n < counts.size() ? counts[n] : pool_size;
      if (begin < 0 || end < begin || end > pool_size || (end - begin) % static_cast<int64_t>(n) != 0)
        throw Error(Stage::Build, "TfIdfVectorizer ngram_counts do not split the pool of " +
                                      std::to_string(pool_size) +
                                      " items into n-grams (at n = " + std::to_string(n) + ")");
      for (int64_t p = begin; p < end; p += static_cast<int64_t>(n), ++ordinal) {
        if (static_cast<int64_t>(n) < min_gram_ || static_cast<int64_t>(n) > max_gram_) continue;
        Gram g;
        for (size_t k = 0; k < n; ++k) {
          if (strings_)
            g.strings.push_back(pool_strings[static_cast<size_t>(p) + k]);
          else
            g.ints.push_back(pool_ints[static_cast<size_t>(p) + k]);
        }
        grams_.emplace(std::move(g), ordinal);
      }
    }
    if (indexes_.size() != ordinal)
      throw Error(Stage::Build, "TfIdfVectorizer has " + std::to_string(indexes_.size()) +
                                    " ngram_indexes for " + std::to_string(ordinal) + " n-grams in the pool");
    if (!weights_.empty() && weights_.size() != indexes_.size())
      throw Error(Stage::Build, "TfIdfVectorizer has " + std::to_string(weights_.size()) + " weights for " +
                                    std::to_string(indexes_.size()) + " n-grams");
    for (int64_t i : indexes_)
      if (i < 0 || i > (int64_t(1) << 31))
        throw Error(Stage::Build, "TfIdfVectorizer ngram index " + std::to_string(i) + " is out of range");
    width_ = indexes_.empty() ? 0 : *std::max_element(indexes_.begin(), indexes_.end()) + 1;
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, DType::Float, out_shape(*s, Stage::Plan));
    else
      ctx.set_output_dtype(0, DType::Float);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.is_tensor() || x.dtype() != dtype_)
      throw Error(Stage::Run, "TfIdfVectorizer input has the wrong type");
    Shape shape = out_shape(x.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, DType::Float, shape);
    float* out = y.data<float>();
    std::fill(out, out + y.numel(), 0.f);
    const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
    const int64_t cols = x.rank() == 2 ? x.shape()[1] : x.shape()[0];
    std::vector<int64_t> counts(indexes_.size());
    Gram g;
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(counts.begin(), counts.end(), 0);
      auto token = [&](int64_t c) {
        const int64_t i = r * cols + c;
        if (strings_)
          g.strings.push_back(x.strings()[static_cast<size_t>(i)]);
        else
          g.ints.push_back(dtype_ == DType::Int64 ? x.data<int64_t>()[i] : x.data<int32_t>()[i]);
      };
      for (int64_t start = 0; start < cols; ++start) {
        for (int64_t n = min_gram_; n <= max_gram_; ++n) {
          const int64_t skips = n == 1 ? 0 : max_skip_;
          for (int64_t skip = 0; skip <= skips; ++skip) {
            const int64_t step = skip + 1;
            if (start + (n - 1) * step >= cols) break;
            g.ints.clear();
            g.strings.clear();
            for (int64_t k = 0; k < n; ++k) token(start + k * step);
            auto it = grams_.find(g);
            if (it != grams_.end()) ++counts[it->second];
          }
        }
      }
      float* row = out + r * width_;
      for (size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] == 0) continue;
        const float w = weights_.empty() ? 1.f : weights_[k];
        const float v = mode_ == Mode::TF    ? static_cast<float>(counts[k])
                        : mode_ == Mode::IDF ? w
                                             : static_cast<float>(counts[k]) * w;
        row[indexes_[k]] += v;
      }
    }
  }

 private:
  struct Gram {
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
    bool operator<(const Gram& o) const { return ints != o.ints ? ints < o.ints : strings < o.strings; }
  };

  Shape out_shape(const Shape& in, Stage stage) const {
    if (in.size() == 1) return {width_};
    if (in.size() == 2) return {in[0], width_};
    throw Error(stage, "TfIdfVectorizer input must be [C] or [N, C], got " + shape_to_string(in));
  }

  DType dtype_ = DType::Undefined;
  int64_t min_gram_ = 1, max_gram_ = 1, max_skip_ = 0;
  Mode mode_ = Mode::TF;
  bool strings_ = false;
  std::map<Gram, size_t> grams_;
  std::vector<int64_t> indexes_;
  std::vector<float> weights_;
  int64_t width_ = 0;
};

ONNXI_REGISTER_KERNEL("", "TfIdfVectorizer", 9, 9, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new TfIdfVectorizerKernel(ctx));
});

}  // namespace
}  // namespace onnxi
