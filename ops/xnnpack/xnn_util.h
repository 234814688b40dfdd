// XNNPACK glue shared by the kernels that use it.
#pragma once
#include <xnnpack.h>

namespace onnxi {

// Initializes XNNPACK once per process (thread-safe). Throws Error when it cannot be
// initialized (e.g. unsupported hardware).
void ensure_xnnpack_initialized();

// Throws Error("<what>: <status name>") when `s` is not xnn_status_success.
void check_xnn(xnn_status s, const char* what);

}  // namespace onnxi
