// The `reduction` attribute of ScatterElements and ScatterND (opset 16): how an update is
// combined with the element it lands on. "none" just stores (any dtype); the others
// compute, so they need a numeric or bool dtype (bool: add = or, mul = and). Also the
// input checks and shape inference the two ops share.
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

// Checks the inputs (data, indices, updates) at build: three of them, updates of data's
// dtype, int32/int64 indices (named `indices_name` in errors). Returns data's dtype.
inline DType check_scatter_inputs(const BuildContext& ctx, const char* indices_name) {
  if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
    throw Error(Stage::Build, ctx.node.op_type + " expects 3 inputs");
  const DType dtype = ctx.input_dtype(0);
  if (ctx.input_dtype(2) != dtype)
    throw Error(Stage::Build,
                "updates have dtype " + dtype_str(ctx.input_dtype(2)) + ", data " + dtype_str(dtype));
  dispatch_index(ctx.input_dtype(1), Stage::Build, indices_name, [](auto) {});
  return dtype;
}

// Output 0 takes data's shape once check(data, indices, updates, Stage::Plan) passes; only
// its dtype while a shape is unknown.
template <class Check>
void infer_scatter(InferContext& ctx, DType dtype, Check&& check) {
  const Shape* data = ctx.input_shape(0);
  const Shape* idx = ctx.input_shape(1);
  const Shape* upd = ctx.input_shape(2);
  if (data && idx && upd) {
    check(*data, *idx, *upd, Stage::Plan);
    ctx.set_output(0, dtype, *data);
  } else {
    ctx.set_output_dtype(0, dtype);
  }
}

}  // namespace onnxi
