// Cast (and CastLike) between numeric dtypes, bool and string. Numeric conversions follow convert_value
// (ops/common/convert.h): truncation toward zero, saturating float->int, round-to-nearest-
// even into float16/bfloat16. Numbers become strings in their shortest round-trip form
// ("0.5", "1e-05", "inf", "nan"; bools "1"/"0"); strings parse as decimal or scientific
// notation (and inf/nan for floats), anything else is an Error.
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>

#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

template <class T>
std::string number_to_string(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "1" : "0";
  } else if constexpr (is_half_v<T>) {
    return number_to_string(load_elem(v));
  } else {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, res.ptr);
  }
}

template <class T>
T string_to_number(const std::string& s) {
  const char* begin = s.c_str();
  char* end = nullptr;
  auto bad = [&]() { return Error(Stage::Run, "cannot cast string '" + s + "' to a number"); };
  if (s.empty()) throw bad();
  if constexpr (is_floating_v<T>) {
    double d = std::strtod(begin, &end);
    if (end != begin + s.size()) throw bad();
    return convert_value<T>(d);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (s == "true" || s == "True") return true;
    if (s == "false" || s == "False") return false;
    double d = std::strtod(begin, &end);
    if (end != begin + s.size()) throw bad();
    return d != 0;
  } else if constexpr (std::is_signed_v<T>) {
    errno = 0;
    long long v = std::strtoll(begin, &end, 10);
    if (end != begin + s.size() || errno == ERANGE) throw bad();
    return static_cast<T>(v);
  } else {
    errno = 0;
    if (s[0] == '-') throw bad();
    unsigned long long v = std::strtoull(begin, &end, 10);
    if (end != begin + s.size() || errno == ERANGE) throw bad();
    return static_cast<T>(v);
  }
}

class CastKernel : public Kernel {
 public:
  // CastLike takes the target dtype from its second input.
  CastKernel(const BuildContext& ctx, bool like) {
    const size_t inputs = like ? 2 : 1;
    if (ctx.node.inputs.size() != inputs || !ctx.has_input(0) || (like && !ctx.has_input(1)))
      throw Error(Stage::Build, ctx.node.op_type + " expects " + std::to_string(inputs) + " input(s)");
    from_ = ctx.input_dtype(0);
    to_ = like ? ctx.input_dtype(1) : target_dtype(ctx);
    constexpr DTypeSet kCastable = kFixedSizeDTypes | kStringDTypes;
    for (DType t : {from_, to_})
      if (!dtype_in(t, kCastable))
        throw Error(Stage::Build, "Cast does not support " + std::string(dtype_name(t)));
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, to_, *s);
    else
      ctx.set_output_dtype(0, to_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, to_, x.shape());
    if (from_ == to_) {
      copy_elements(x, y);
    } else if (from_ == DType::String) {
      const auto& in = x.strings();
      visit_dtype<kFixedSizeDTypes>(to_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* out = static_cast<T*>(y.raw_data());
        for (size_t i = 0; i < in.size(); ++i) out[i] = string_to_number<T>(in[i]);
      });
    } else if (to_ == DType::String) {
      auto& out = y.strings();
      visit_dtype<kFixedSizeDTypes>(from_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* in = static_cast<const T*>(x.raw_data());
        for (size_t i = 0; i < out.size(); ++i) out[i] = number_to_string(in[i]);
      });
    } else {
      convert_elements(x, y);
    }
  }

 private:
  // `to` is a TensorProto data type code; before opset 6 it was its name ("FLOAT").
  static DType target_dtype(const BuildContext& ctx) {
    const Attribute* a = ctx.node.find_attribute("to");
    if (a && a->kind == Attribute::Kind::String) {
      std::string lower;
      for (char c : a->s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto t = dtype_from_name(lower);
      if (!t) throw Error(Stage::Build, "Cast 'to' has unknown data type '" + a->s + "'");
      return *t;
    }
    int64_t code = ctx.attrs.get_int("to");
    auto t = code == static_cast<int32_t>(code) ? dtype_from_onnx(static_cast<int32_t>(code)) : std::nullopt;
    if (!t) throw Error(Stage::Build, "Cast 'to' has unknown data type " + std::to_string(code));
    return *t;
  }

  DType from_ = DType::Undefined, to_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "Cast", 1, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CastKernel(ctx, false));
});
ONNXI_REGISTER_KERNEL("", "CastLike", 15, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CastKernel(ctx, true));
});

}  // namespace
}  // namespace onnxi
