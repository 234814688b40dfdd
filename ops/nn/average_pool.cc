// AveragePool (ai.onnx). Opset differences resolved here: count_include_pad from 7,
// ceil_mode from 10, dilations from 19.
//   ref:     1-3 spatial dims; float, double.
//   xnnpack: 2-D float where XNNPACK's divisor (input elements only) is the ONNX one
//            (see XnnPool2d::supports).
#include "ops/nn/pool_common.h"
#include "ops/xnnpack/provider.h"

namespace onnxi::nn {

namespace {

PoolConfig read_average_pool(const BuildContext& ctx) {
  PoolOpsetFeatures f;
  f.count_include_pad = ctx.opset >= 7;
  f.ceil_mode = ctx.opset >= 10;
  f.dilations = ctx.opset >= 19;
  return read_pool_config(ctx, PoolKind::Average, /*nhwc=*/false, f);
}

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  PoolConfig cfg = read_average_pool(ctx);
  if (!dtype_in(cfg.dtype, {DType::Float, DType::Double})) return nullptr;
  return make_pool_ref_kernel(std::move(cfg));
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx) {
  return make_pool_xnnpack_kernel(read_average_pool(ctx));
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "AveragePool", 1, 22, kXnnpack, make_xnnpack);
ONNXI_REGISTER_KERNEL("", "AveragePool", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
