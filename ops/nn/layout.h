// Layout. The graph decides it: runtime/passes/convert_to_nhwc.cc rewrites 2-D float
// convolutions (and pools fed by NHWC data) to the internal NHWC ops, with transposes that
// the later passes cancel between neighbours. A kernel never changes the layout of its
// inputs and outputs. XNNPACK computes only in NHWC, so its kernels for the NCHW ops (Conv,
// ConvTranspose, MaxPool, AveragePool: what runs when the pass is off or did not rewrite a
// node) go through NhwcBridge below, the one place kernels convert layout.
#pragma once
#include <cstdint>
#include <utility>

#include "ops/nn/scratch.h"

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi::nn {

// dst[n][p][c] = src[n][c][p] for p < pixels (any number of spatial dims flattened).
void nchw_to_nhwc(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool);
// dst[n][c][p] = src[n][p][c].
void nhwc_to_nchw(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool);

// Runs an NHWC computation on NCHW tensors: x ([N, C_in, pixels]) is copied to NHWC scratch,
// compute(in_nhwc, out_nhwc) runs, and its result is copied to y ([N, C_out, pixels_out]).
// The scratch belongs to the calling execution context's kernel state.
class NhwcBridge {
 public:
  template <class Compute>
  void run(const float* x, float* y, int64_t batch, int64_t in_channels, int64_t in_pixels, int64_t out_channels,
           int64_t out_pixels, pthreadpool_t pool, Compute&& compute) {
    float* in = in_.ensure<float>(static_cast<size_t>(batch * in_pixels * in_channels));
    float* out = out_.ensure<float>(static_cast<size_t>(batch * out_pixels * out_channels));
    nchw_to_nhwc(x, in, batch, in_channels, in_pixels, pool);
    std::forward<Compute>(compute)(in, out);
    nhwc_to_nchw(out, y, batch, out_channels, out_pixels, pool);
  }

 private:
  Scratch in_, out_;
};

}  // namespace onnxi::nn
