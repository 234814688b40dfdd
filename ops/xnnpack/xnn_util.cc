#include "ops/xnnpack/xnn_util.h"

#include <pthreadpool.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>

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

namespace {

// Reads the floats' bits as integers: an integer compare-and-or reduction vectorizes
// (AVX2 vpcmpeqd), where a float test may not.
bool has_negative_infinity(const float* p, size_t n) {
  constexpr uint32_t kNegInf = 0xff800000u;
  uint32_t hit = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, p + i, sizeof b);
    hit |= b == kNegInf;
  }
  return hit != 0;
}

struct ScanJob {
  const float* p;
  size_t n;
  std::atomic<bool> found{false};
};

void scan_tile(void* arg, size_t start, size_t count) {
  auto* job = static_cast<ScanJob*>(arg);
  if (has_negative_infinity(job->p + start, std::min(count, job->n - start)))
    job->found.store(true, std::memory_order_relaxed);
}

}  // namespace

bool any_negative_infinity(const float* p, size_t n, pthreadpool_t pool) {
  constexpr size_t kTile = 1 << 15;
  if (!pool || n < 2 * kTile) return has_negative_infinity(p, n);
  ScanJob job{p, n};
  pthreadpool_parallelize_1d_tile_1d(pool, scan_tile, &job, n, kTile, 0);
  return job.found.load();
}

}  // namespace onnxi
