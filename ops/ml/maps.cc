// The ai.onnx.ml ops on map values (Tensor::map): ZipMap (1) turns each row of class
// scores into a map from class label to score (a sequence of maps), DictVectorizer (1)
// turns a map (or, as the reference also accepts, a sequence of maps) into a dense tensor
// indexed by a vocabulary.
#include <cstring>
#include <map>
#include <unordered_map>

#include "ops/common/kernel_util.h"
#include "ops/ml/ml_common.h"

namespace onnxi::ml {
namespace {

class ZipMapKernel : public Kernel {
 public:
  explicit ZipMapKernel(const BuildContext& ctx) {
    labels_ = read_class_labels(ctx.attrs, "classlabels_int64s", "classlabels_strings", "ZipMap");
    if (labels_.size() == 0) throw Error(Stage::Build, "ZipMap: classlabels_int64s or classlabels_strings is required");
    if (ctx.has_input(0) && ctx.input_dtype(0) != DType::Float) throw Error(Stage::Build, "ZipMap: X must be float");
    int64_t n = static_cast<int64_t>(labels_.size());
    keys_ = labels_.strings ? Tensor::from_vector(labels_.names, {n}) : Tensor::from_vector(labels_.ints, {n});
  }

  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, DType::Float); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.is_tensor() || x.dtype() != DType::Float || (x.rank() != 1 && x.rank() != 2))
      throw Error(Stage::Run, "ZipMap: X must be a float tensor [N, C] or [C]");
    int64_t c = x.shape().back(), rows = x.rank() == 2 ? x.dim(0) : 1;
    if (c != keys_.numel())
      throw Error(Stage::Run, "ZipMap: X has " + std::to_string(c) + " columns but there are " +
                                  std::to_string(keys_.numel()) + " class labels");
    std::vector<Tensor> maps;
    maps.reserve(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) {
      Tensor v(DType::Float, {c});
      if (c) std::memcpy(v.data<float>(), x.data<float>() + r * c, static_cast<size_t>(c) * sizeof(float));
      maps.push_back(Tensor::map(keys_, std::move(v)));
    }
    ctx.set_output(0, Tensor::sequence(DType::Float, std::move(maps)));
  }

 private:
  ClassLabels labels_;
  Tensor keys_;
};

class DictVectorizerKernel : public Kernel {
 public:
  explicit DictVectorizerKernel(const BuildContext& ctx) {
    auto strs = ctx.attrs.get_strings("string_vocabulary");
    auto ints = ctx.attrs.get_ints("int64_vocabulary");
    if (strs.empty() == ints.empty())
      throw Error(Stage::Build, "DictVectorizer: exactly one of string_vocabulary and int64_vocabulary must be set");
    strings_ = !strs.empty();
    size_ = static_cast<int64_t>(strings_ ? strs.size() : ints.size());
    for (size_t i = 0; i < strs.size(); ++i) str_index_.emplace(strs[i], static_cast<int64_t>(i));
    for (size_t i = 0; i < ints.size(); ++i) int_index_.emplace(ints[i], static_cast<int64_t>(i));
    dtype_ = ctx.input_dtype(0);
    if (ctx.has_input(0) && dtype_ != DType::Undefined &&
        !dtype_in(dtype_, dtype_bit(DType::Int64) | dtype_bit(DType::Float) | dtype_bit(DType::Double) |
                              dtype_bit(DType::String)))
      throw Error(Stage::Build, "DictVectorizer: map values must be int64, float, double or string");
  }

  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, ctx.input_dtype(0)); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.is_map()) {
      Tensor y(x.dtype(), {size_});
      fill_row(x, y, 0);
      ctx.set_output(0, std::move(y));
      return;
    }
    if (!x.is_sequence()) throw Error(Stage::Run, "DictVectorizer: X must be a map (or a sequence of maps)");
    const auto& maps = x.elements();
    Tensor y(x.dtype(), {static_cast<int64_t>(maps.size()), size_});
    for (size_t r = 0; r < maps.size(); ++r) {
      if (!maps[r].is_map()) throw Error(Stage::Run, "DictVectorizer: X must be a map (or a sequence of maps)");
      if (maps[r].dtype() != x.dtype()) throw Error(Stage::Run, "DictVectorizer: the maps' value types differ");
      fill_row(maps[r], y, static_cast<int64_t>(r) * size_);
    }
    ctx.set_output(0, std::move(y));
  }

 private:
  // Writes map m's values at their vocabulary positions in y, from element `offset`.
  void fill_row(const Tensor& m, Tensor& y, int64_t offset) const {
    const Tensor& keys = m.map_keys();
    const Tensor& vals = m.map_values();
    if ((keys.dtype() == DType::String) != strings_)
      throw Error(Stage::Run, std::string("DictVectorizer: the map's keys must be ") +
                                  (strings_ ? "strings (string_vocabulary)" : "int64 (int64_vocabulary)"));
    size_t es = vals.dtype() == DType::String ? 0 : dtype_size(vals.dtype());
    for (int64_t i = 0; i < keys.numel(); ++i) {
      int64_t pos = -1;
      if (strings_) {
        auto it = str_index_.find(keys.strings()[static_cast<size_t>(i)]);
        if (it != str_index_.end()) pos = it->second;
      } else {
        auto it = int_index_.find(keys.data<int64_t>()[i]);
        if (it != int_index_.end()) pos = it->second;
      }
      if (pos < 0) throw Error(Stage::Run, "DictVectorizer: map key " + std::to_string(i) + " is not in the vocabulary");
      int64_t to = offset + pos;
      if (es)
        std::memcpy(static_cast<char*>(y.raw_data()) + static_cast<size_t>(to) * es,
                    static_cast<const char*>(vals.raw_data()) + static_cast<size_t>(i) * es, es);
      else
        y.strings()[static_cast<size_t>(to)] = vals.strings()[static_cast<size_t>(i)];
    }
  }

  bool strings_ = true;
  int64_t size_ = 0;
  DType dtype_ = DType::Undefined;
  std::unordered_map<std::string, int64_t> str_index_;
  std::map<int64_t, int64_t> int_index_;
};

ONNXI_REGISTER_KERNEL(kDomain, "ZipMap", 1, 1, kRef, [](const BuildContext& c) { return std::make_unique<ZipMapKernel>(c); });
ONNXI_REGISTER_KERNEL(kDomain, "DictVectorizer", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<DictVectorizerKernel>(c);
});

}  // namespace
}  // namespace onnxi::ml
