// NCHW <-> NHWC copies for the XNNPACK kernels that take ONNX (channels-first) tensors.
#pragma once
#include <cstdint>

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi::nn {

// dst[n][p][c] = src[n][c][p] for p < pixels (any number of spatial dims flattened).
void nchw_to_nhwc(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool);
// dst[n][c][p] = src[n][p][c].
void nhwc_to_nchw(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool);

}  // namespace onnxi::nn
