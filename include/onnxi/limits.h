// Process-wide resource limits.
#pragma once
#include <cstddef>

namespace onnxi {

// Largest single buffer (tensor, activation arena, kernel scratch) onnxi will allocate, in
// bytes; a larger one is an Error naming the size, not an attempt that exhausts memory.
// Default: the machine's physical memory, or ONNXI_MAX_TENSOR_BYTES when set in the
// environment. set_max_tensor_bytes(0) restores the default.
size_t max_tensor_bytes();
void set_max_tensor_bytes(size_t bytes);

// Most iterations one Loop node may run in one call; beyond it the run fails with an Error
// instead of running on (a crafted trip count or a condition that never turns false).
// Default 2^31, or ONNXI_MAX_LOOP_ITERATIONS when set; set_max_loop_iterations(0) restores it.
long long max_loop_iterations();
void set_max_loop_iterations(long long iterations);

}  // namespace onnxi
