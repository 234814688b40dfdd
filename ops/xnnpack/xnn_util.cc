#include "ops/xnnpack/xnn_util.h"

#include <mutex>
#include <string>

#include "onnxi/error.h"

namespace onnxi {

namespace {

const char* xnn_status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid_parameter";
    case xnn_status_invalid_state:
      return "invalid_state";
    case xnn_status_unsupported_parameter:
      return "unsupported_parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported_hardware";
    case xnn_status_out_of_memory:
      return "out_of_memory";
  }
  return "unknown";
}

}  // namespace

void ensure_xnnpack_initialized() {
  // xnn_initialize is itself idempotent, but it is not documented as safe to call from
  // several threads at once; remember its result so a failure is reported every time.
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  check_xnn(status, "xnn_initialize");
}

void check_xnn(xnn_status s, const char* what) {
  if (s == xnn_status_success) return;
  throw Error(Stage::Run, std::string(what) + " failed: xnn_status_" + xnn_status_name(s) + " (" +
                              std::to_string(static_cast<int>(s)) + ")");
}

}  // namespace onnxi
