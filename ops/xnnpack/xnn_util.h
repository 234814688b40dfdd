// Shared helpers for kernels built on XNNPACK's operator API.
#pragma once
#include <xnnpack.h>

namespace onnxi {

// Initializes XNNPACK once per process (thread-safe). Throws Error when the library
// cannot be initialized (e.g. unsupported hardware); later calls throw the same error.
void ensure_xnnpack_initialized();

// Throws Error(Stage::Run) naming `what` and the status when `s` is not success.
void check_xnn(xnn_status s, const char* what);

}  // namespace onnxi
