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
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "unknown status";
}
}  // namespace

void ensure_xnnpack_initialized() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  check_xnn(status, "xnn_initialize");
}

void check_xnn(xnn_status s, const char* what) {
  if (s != xnn_status_success)
    throw Error(Stage::Run, std::string(what) + ": xnn_status " + std::to_string(static_cast<int>(s)) + " (" +
                                xnn_status_name(s) + ")");
}

}  // namespace onnxi
