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

}  // namespace onnxi
