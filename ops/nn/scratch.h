// Kernel-owned scratch memory that grows when shapes change and is reused across runs.
// (XNNPACK operator handles: XnnOperatorHolder, ops/xnnpack/xnn_operator_holder.h.)
#pragma once
#include <xnnpack.h>

#include <cstddef>
#include <memory>

#include "onnxi/tensor.h"

namespace onnxi::nn {

// Aligned, tail-padded (kTensorTailPadding >= XNN_EXTRA_BYTES) memory that only grows.
class Scratch {
 public:
  template <class T>
  T* ensure(size_t count) {
    const size_t bytes = count * sizeof(T);
    if (!mem_ || bytes > bytes_) {
      mem_ = allocate_aligned(bytes);
      bytes_ = bytes;
    }
    return static_cast<T*>(mem_.get());
  }
  template <class T>
  T* get() const {
    return static_cast<T*>(mem_.get());
  }
  void release() {
    mem_.reset();
    bytes_ = 0;
  }

 private:
  std::shared_ptr<void> mem_;
  size_t bytes_ = 0;
};

static_assert(kTensorTailPadding >= XNN_EXTRA_BYTES, "tensors must be over-readable by XNNPACK");

}  // namespace onnxi::nn
