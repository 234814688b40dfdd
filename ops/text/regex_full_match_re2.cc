// RegexFullMatch (opset 20): true where the whole string matches `pattern`, in RE2 syntax,
// matched with RE2 itself (Debian's libre2; the file is left out of builds with
// ONNXI_WITH_RE2=OFF, where the op is unsupported). An invalid pattern is a build error
// carrying RE2's message. RE2 objects are safe to match from several threads at once.
#include <re2/re2.h>

#include <memory>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class RegexFullMatchKernel : public Kernel {
 public:
  explicit RegexFullMatchKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || ctx.input_dtype(0) != DType::String)
      throw Error(Stage::Build, "RegexFullMatch expects a string input, got " +
                                    std::string(dtype_name(ctx.input_dtype(0))));
    if (!ctx.attrs.has("pattern")) throw Error(Stage::Build, "RegexFullMatch needs a 'pattern' attribute");
    const std::string pattern = ctx.attrs.get_string("pattern");
    re_ = std::make_unique<const RE2>(pattern, RE2::Quiet);
    if (!re_->ok())
      throw Error(Stage::Build, "RegexFullMatch pattern '" + pattern + "' is not valid RE2 syntax: " + re_->error());
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, DType::Bool, *s);
    else
      ctx.set_output_dtype(0, DType::Bool);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, DType::Bool, x.shape());
    const std::vector<std::string>& in = x.strings();
    bool* out = y.data<bool>();
    for (size_t i = 0; i < in.size(); ++i) out[i] = RE2::FullMatch(in[i], *re_);
  }

 private:
  std::unique_ptr<const RE2> re_;
};

ONNXI_REGISTER_KERNEL("", "RegexFullMatch", 20, 20, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new RegexFullMatchKernel(ctx)); });

}  // namespace
}  // namespace onnxi
