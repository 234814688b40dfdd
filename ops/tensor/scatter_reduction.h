// The `reduction` attribute of ScatterElements and ScatterND (opset 16): how an update is
// combined with the element it lands on. "none" just stores (any dtype); the others
// compute, so they need a numeric or bool dtype (bool: add = or, mul = and).
#pragma once
#include <string>
#include <type_traits>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/wrap_arith.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {

enum class ScatterReduction { None, Add, Mul, Max, Min };

// Reads the attribute (opset >= 16; earlier opsets always store) and checks the dtype.
inline ScatterReduction scatter_reduction(const BuildContext& ctx, DType dtype) {
  if (ctx.opset < 16) return ScatterReduction::None;
  const std::string r = ctx.attrs.get_string("reduction", "none");
  ScatterReduction red;
  if (r == "none")
    red = ScatterReduction::None;
  else if (r == "add")
    red = ScatterReduction::Add;
  else if (r == "mul")
    red = ScatterReduction::Mul;
  else if (r == "max")
    red = ScatterReduction::Max;
  else if (r == "min")
    red = ScatterReduction::Min;
  else
    throw Error(Stage::Build, "unknown reduction '" + r + "'");
  if (red != ScatterReduction::None && !dtype_in(dtype, kNumericDTypes | kBoolDTypes))
    throw Error(Stage::Build, "reduction '" + r + "' does not support " + dtype_str(dtype));
  return red;
}

// Calls f(TypeTag<T>{}, combine) where combine(T& dst, const T& update) applies `red`. For
// None, T is the storage type (any dtype); otherwise the dtype's own type.
template <class F>
void dispatch_scatter(DType dtype, ScatterReduction red, F&& f) {
  if (red == ScatterReduction::None) {
    dispatch_storage(dtype, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      f(tag, [](S& d, const S& u) { d = u; });
    });
    return;
  }
  bool ok = visit_dtype<kNumericDTypes | kBoolDTypes>(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;
    auto with = [&](auto op) {
      f(tag, [op](T& d, const T& u) { d = store_elem<T>(op(load_elem(d), load_elem(u))); });
    };
    switch (red) {
      case ScatterReduction::Add:
        if constexpr (std::is_same_v<T, bool>)
          with([](bool a, bool b) { return a || b; });
        else
          with([](C a, C b) { return wrap_add(a, b); });
        break;
      case ScatterReduction::Mul:
        if constexpr (std::is_same_v<T, bool>)
          with([](bool a, bool b) { return a && b; });
        else
          with([](C a, C b) { return wrap_mul(a, b); });
        break;
      case ScatterReduction::Max:
        with([](C a, C b) { return b > a ? b : a; });
        break;
      case ScatterReduction::Min:
        with([](C a, C b) { return b < a ? b : a; });
        break;
      case ScatterReduction::None:
        break;
    }
  });
  if (!ok) throw Error(Stage::Run, "scatter reduction does not support " + dtype_str(dtype));
}

}  // namespace onnxi
