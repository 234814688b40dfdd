// Cast (and CastLike) between numeric dtypes, bool and string. Numeric conversions follow convert_value
// (ops/common/convert.h): truncation toward zero, saturating float->int, round-to-nearest-
// even into float16/bfloat16. Numbers become strings in their shortest round-trip form
// ("0.5", "1e-05", "inf", "nan"; bools "1"/"0"); strings parse as decimal or scientific
// notation (and inf/nan for floats), anything else is an Error.
// The narrow types come with the schema versions that add them (float8 in 19 with the
// `saturate` attribute, int4/uint4 in 21, float4e2m1 in 23, float8e8m0 in 24 with
// `round_mode`, int2/uint2 in 25); their conversions are convert_narrow_elements'. Schema
// 28 adds only float6, which is not supported (not loaded).
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

// The dtypes Cast and CastLike accept at `opset`.
DTypeSet castable_dtypes(int64_t opset) {
  DTypeSet s = kFixedSizeDTypes | kStringDTypes;
  if (opset >= 19)
    s |= dtype_bit(DType::Float8E4M3FN) | dtype_bit(DType::Float8E4M3FNUZ) | dtype_bit(DType::Float8E5M2) |
         dtype_bit(DType::Float8E5M2FNUZ);
  if (opset >= 21) s |= dtype_bit(DType::Int4) | dtype_bit(DType::UInt4);
  if (opset >= 23) s |= dtype_bit(DType::Float4E2M1);
  if (opset >= 24) s |= dtype_bit(DType::Float8E8M0);
  if (opset >= 25) s |= dtype_bit(DType::Int2) | dtype_bit(DType::UInt2);
  return s;
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
    const DTypeSet castable = castable_dtypes(ctx.opset);
    for (DType t : {from_, to_})
      if (!dtype_in(t, castable))
        throw Error(Stage::Build, ctx.node.op_type + " does not support " + std::string(dtype_name(t)) +
                                      " at opset " + std::to_string(ctx.opset));
    if (ctx.opset >= 19) opts_.saturate = ctx.attrs.get_int("saturate", 1) != 0;
    if (ctx.opset >= 24) {
      const std::string mode = ctx.attrs.get_string("round_mode", "up");
      if (mode == "up")
        opts_.e8m0_rounding = E8M0Rounding::Up;
      else if (mode == "down")
        opts_.e8m0_rounding = E8M0Rounding::Down;
      else if (mode == "nearest")
        opts_.e8m0_rounding = E8M0Rounding::Nearest;
      else
        throw Error(Stage::Build, "round_mode must be up, down or nearest, got '" + mode + "'");
    }
  }

  bool handles_packed_dtypes() const override { return true; }

  void infer(InferContext& ctx) override { infer_same_shape(ctx, to_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, to_, x.shape());
    if (from_ == to_) {
      copy_elements(x, y);
    } else if (from_ == DType::String && dtype_in(to_, kNarrowDTypes)) {
      // Through int64 (keeping Cast's integer parsing) or float64 (exact for every narrow value).
      Tensor wide(is_packed_int(to_) ? DType::Int64 : DType::Double, x.shape());
      cast_strings(x, wide);
      convert_elements(wide, y, opts_);
    } else if (to_ == DType::String && dtype_in(from_, kNarrowDTypes)) {
      cast_to_strings(convert_tensor(x, is_packed_int(from_) ? DType::Int32 : DType::Float), y);
    } else if (from_ == DType::String) {
      cast_strings(x, y);
    } else if (to_ == DType::String) {
      cast_to_strings(x, y);
    } else {
      convert_elements(x, y, opts_);
    }
  }

 private:
  static void cast_strings(const Tensor& x, Tensor& y) {
    const auto& in = x.strings();
    visit_dtype<kFixedSizeDTypes>(y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = static_cast<T*>(y.raw_data());
      for (size_t i = 0; i < in.size(); ++i) out[i] = string_to_number<T>(in[i]);
    });
  }

  static void cast_to_strings(const Tensor& x, Tensor& y) {
    auto& out = y.strings();
    visit_dtype<kFixedSizeDTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = static_cast<const T*>(x.raw_data());
      for (size_t i = 0; i < out.size(); ++i) out[i] = number_to_string(in[i]);
    });
  }

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
  CastOptions opts_;
};

// Schema versions 1, 6, 9, 13, 19, 21, 23, 24, 25 and 28. Version 28 only adds the float6
// types, which onnxi does not load (a model using them fails to load with an error), so every
// model that reaches this kernel at version 28 means what it means at 25.
ONNXI_REGISTER_KERNEL("", "Cast", 1, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CastKernel(ctx, false));
});
// Schema versions 15, 19, 21, 23, 24, 25.
ONNXI_REGISTER_KERNEL("", "CastLike", 15, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CastKernel(ctx, true));
});

}  // namespace
}  // namespace onnxi
