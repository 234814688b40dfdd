// StringNormalizer (opset 10): removes stopwords from a [C] or [1, C] string tensor, then
// optionally changes case. Case handling is ASCII only (other bytes, e.g. UTF-8
// sequences, are kept as they are), whatever the locale. When every string is removed the
// output is a single empty string ([1] or [1, 1]).
#include <algorithm>
#include <set>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string ascii_upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

class StringNormalizerKernel : public Kernel {
 public:
  enum class CaseChange { None, Lower, Upper };

  explicit StringNormalizerKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "StringNormalizer expects 1 input");
    if (ctx.input_dtype(0) != DType::String)
      throw Error(Stage::Build, "StringNormalizer input must be string, got " +
                                    std::string(dtype_name(ctx.input_dtype(0))));
    std::string action = ctx.attrs.get_string("case_change_action", "NONE");
    if (action == "NONE")
      case_ = CaseChange::None;
    else if (action == "LOWER")
      case_ = CaseChange::Lower;
    else if (action == "UPPER")
      case_ = CaseChange::Upper;
    else
      throw Error(Stage::Build,
                  "StringNormalizer case_change_action must be NONE, LOWER or UPPER, got '" + action + "'");
    case_sensitive_ = ctx.attrs.get_int("is_case_sensitive", 0) != 0;
    for (const auto& w : ctx.attrs.get_strings("stopwords"))
      stopwords_.insert(case_sensitive_ ? w : ascii_lower(w));
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0)) check_shape(*s, Stage::Plan);
    ctx.set_output_dtype(0, DType::String);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.is_tensor() || x.dtype() != DType::String)
      throw Error(Stage::Run, "StringNormalizer input must be a string tensor");
    check_shape(x.shape(), Stage::Run);
    std::vector<std::string> kept;
    for (const auto& s : x.strings()) {
      if (!stopwords_.empty() && stopwords_.count(case_sensitive_ ? s : ascii_lower(s))) continue;
      kept.push_back(case_ == CaseChange::Lower   ? ascii_lower(s)
                     : case_ == CaseChange::Upper ? ascii_upper(s)
                                                  : s);
    }
    if (kept.empty()) kept.push_back("");
    Shape shape = {static_cast<int64_t>(kept.size())};
    if (x.rank() == 2) shape.insert(shape.begin(), 1);
    ctx.set_output(0, Tensor::from_vector<std::string>(kept, shape));
  }

 private:
  static void check_shape(const Shape& s, Stage stage) {
    if (!(s.size() == 1 || (s.size() == 2 && s[0] == 1)))
      throw Error(stage, "StringNormalizer input must be [C] or [1, C], got " + shape_to_string(s));
  }

  CaseChange case_ = CaseChange::None;
  bool case_sensitive_ = false;
  std::set<std::string> stopwords_;
};

ONNXI_REGISTER_KERNEL("", "StringNormalizer", 10, 10, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new StringNormalizerKernel(ctx));
});

}  // namespace
}  // namespace onnxi
