// MaxPool (ai.onnx). Opset differences resolved here: storage_order and the optional
// Indices output from 8, dilations and ceil_mode from 10, int8/uint8 from 12 (accepted
// at every opset by the reference kernel).
//   ref:     1-3 spatial dims; float, double, int8, uint8; Indices.
//   xnnpack: 2-D float without Indices (see XnnPool2d::supports).
#include "ops/nn/pool_common.h"
#include "ops/xnnpack/provider.h"

namespace onnxi::nn {

namespace {

PoolConfig read_max_pool(const BuildContext& ctx) {
  PoolOpsetFeatures f;
  f.storage_order = ctx.opset >= 8;
  f.max_outputs = ctx.opset >= 8 ? 2 : 1;
  f.dilations = f.ceil_mode = ctx.opset >= 10;
  return read_pool_config(ctx, PoolKind::Max, /*nhwc=*/false, f);
}

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  PoolConfig cfg = read_max_pool(ctx);
  if (!dtype_in(cfg.dtype, {DType::Float, DType::Double, DType::Int8, DType::UInt8})) return nullptr;
  return make_pool_ref_kernel(std::move(cfg));
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx) {
  return make_pool_xnnpack_kernel(read_max_pool(ctx));
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "MaxPool", 1, 22, kXnnpack, make_xnnpack);
ONNXI_REGISTER_KERNEL("", "MaxPool", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
