#include "ops/onednn/onednn_util.h"

#include <omp.h>

#include <thread>

namespace onnxi {

namespace {
struct EngineHolder {
  bool ok = false;
  dnnl::engine engine;
  EngineHolder() {
    try {
      engine = dnnl::engine(dnnl::engine::kind::cpu, 0);
      ok = true;
    } catch (const dnnl::error&) {
      ok = false;
    }
  }
};
const EngineHolder& holder() {
  static const EngineHolder h;
  return h;
}
}  // namespace

bool onednn_available() { return holder().ok; }

const dnnl::engine& onednn_engine() { return holder().engine; }

bool onednn_impl_is_optimized(const std::string& impl_name) {
  return impl_name.find("ref") == std::string::npos;
}

int onednn_default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

}  // namespace onnxi
