// Pieces shared by the pooling ops (MaxPool, AveragePool and their onnxi::Nhwc* variants):
// attribute and shape validation, the reference loops, the XNNPACK wrapper, and the two
// kernel classes the op files instantiate with their own configuration.
#pragma once
#include <array>
#include <cstdint>
#include <memory>

#include "ops/nn/scratch.h"
#include "ops/nn/window.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

enum class PoolKind { Max, Average };

struct PoolConfig {
  PoolKind kind = PoolKind::Max;
  bool nhwc = false;  // X and Y are [N, H, W, C]
  WindowAttrs win;
  bool count_include_pad = false;  // AveragePool
  int64_t storage_order = 0;       // MaxPool Indices: 0 row major, 1 column major
  bool want_indices = false;       // MaxPool's optional second output
  DType dtype = DType::Undefined;

  const char* op_name() const;
};

struct PoolOpsetFeatures {
  bool dilations = false;
  bool ceil_mode = false;
  bool count_include_pad = false;
  bool storage_order = false;
  int max_outputs = 1;
};

// Reads and validates a pooling node; throws Error(Stage::Build).
PoolConfig read_pool_config(const BuildContext& ctx, PoolKind kind, bool nhwc,
                            const PoolOpsetFeatures& features);

struct PoolShapes {
  WindowGeometry geom;
  int64_t batch = 0, channels = 0;
  Shape output;
};
// Throws Error(stage) when X does not fit the configuration.
PoolShapes pool_shapes(const PoolConfig& cfg, const Shape& x, Stage stage);

// Reference loops. NCHW handles 1 to 3 spatial dims; `indices` may be null. NHWC is 2-D.
template <class T>
void pool_nchw_ref(const PoolConfig& cfg, const PoolShapes& s, const T* x, T* y, int64_t* indices,
                   pthreadpool_t pool);
template <class T>
void pool_nhwc_ref(const PoolConfig& cfg, const PoolShapes& s, const T* x, T* y, pthreadpool_t pool);

// XNNPACK 2-D float max / average pooling on NHWC data, one per execution context (it is
// bound to that context's buffers). The operator is created on the first run and again
// only when the channel count or the applied padding changes.
class XnnPool2d {
 public:
  explicit XnnPool2d(const PoolConfig& cfg) : cfg_(cfg) {}
  // Whether XNNPACK computes exactly the ONNX result for this configuration.
  static bool supports(const PoolConfig& cfg);
  // False for degenerate sizes XNNPACK must not see (callers then use the reference).
  static bool handles(const PoolShapes& s);
  void setup(const PoolShapes& s, const float* in, float* out, pthreadpool_t pool);
  void run(pthreadpool_t pool);

 private:
  PoolConfig cfg_;
  XnnOperatorHolder op_;
  int64_t op_channels_ = -1;
  std::array<int64_t, 4> op_pads_{};
};

// Kernels for both layouts; the op files provide the configuration.
std::unique_ptr<Kernel> make_pool_ref_kernel(PoolConfig cfg);
std::unique_ptr<Kernel> make_pool_xnnpack_kernel(PoolConfig cfg);  // nullptr unless supports()

}  // namespace onnxi::nn
