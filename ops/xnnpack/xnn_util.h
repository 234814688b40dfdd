// Shared helpers for kernels built on XNNPACK's operator API.
#pragma once
#include <xnnpack.h>

#include <cstddef>

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi {

// Initializes XNNPACK once per process (thread-safe). Throws Error when the library
// cannot be initialized (e.g. unsupported hardware); later calls throw the same error.
void ensure_xnnpack_initialized();

// Throws Error(Stage::Run) naming `what` and the status when `s` is not success.
void check_xnn(xnn_status s, const char* what);

// True when `n` floats at `p` include -inf. XNNPACK clamps every f32 result to its
// [output_min, output_max] with max/min instructions that return the bound for a NaN, so a
// NaN comes out as -inf even with bounds of -inf and +inf; ONNX keeps the NaN. Kernels whose
// reference loop is at hand check their output with this and recompute when it is true
// (rare: it needs a NaN or an infinity in the data).
bool any_negative_infinity(const float* p, size_t n, pthreadpool_t pool);

}  // namespace onnxi
