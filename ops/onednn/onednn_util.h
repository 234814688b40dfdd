// Shared pieces of the oneDNN provider: one CPU engine per process, and which of
// oneDNN's implementations count as fast enough to take a node from XNNPACK.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

namespace onnxi {

// False when oneDNN cannot make a CPU engine here (the provider's availability; switching
// it off is SessionOptions::disabled_providers).
bool onednn_available();
// The process's CPU engine (valid when onednn_available()).
const dnnl::engine& onednn_engine();
// True for JIT/brgemm implementations; false for oneDNN's reference kernels
// ("ref:any", "gemm:ref", ...), which are slower than XNNPACK.
bool onednn_impl_is_optimized(const std::string& impl_name);
// Threads oneDNN would use when the session does not say (one per core).
int onednn_default_threads();

}  // namespace onnxi
