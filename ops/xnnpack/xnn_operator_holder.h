// Owns one XNNPACK operator.
#pragma once
#include <xnnpack.h>

#include <utility>

#include "runtime/kernel.h"

namespace onnxi {

class XnnOperatorHolder {
 public:
  XnnOperatorHolder() = default;
  XnnOperatorHolder(const XnnOperatorHolder&) = delete;
  XnnOperatorHolder& operator=(const XnnOperatorHolder&) = delete;
  XnnOperatorHolder(XnnOperatorHolder&& o) noexcept : op_(std::exchange(o.op_, nullptr)) {}
  XnnOperatorHolder& operator=(XnnOperatorHolder&& o) noexcept {
    if (this != &o) {
      reset();
      op_ = std::exchange(o.op_, nullptr);
    }
    return *this;
  }
  ~XnnOperatorHolder() { reset(); }

  void reset() {
    if (op_) xnn_delete_operator(op_);
    op_ = nullptr;
  }
  xnn_operator_t get() const { return op_; }
  explicit operator bool() const { return op_ != nullptr; }
  // For xnn_create_* out-parameters; releases any operator held.
  xnn_operator_t* out() {
    reset();
    return &op_;
  }

 private:
  xnn_operator_t op_ = nullptr;
};

// The state of a kernel that runs one XNNPACK operator: the operator is bound to the
// buffers of the context that runs it (xnn_setup_*), so each execution context has its own.
struct XnnOpState : KernelState {
  XnnOperatorHolder op;
};

}  // namespace onnxi
