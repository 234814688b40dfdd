// Session::from_file / from_bytes: the public entry points that join ONNX loading (onnx/)
// and the runtime (make_session). They live in the facade layer so that runtime/ never
// sees the loader.
#include "onnx/loader.h"
#include "onnxi/session.h"
#include "runtime/session_internal.h"

namespace onnxi {

std::unique_ptr<Session> Session::from_file(const std::string& path, const SessionOptions& options) {
  return make_session(load_model_file(path), options);
}

std::unique_ptr<Session> Session::from_bytes(const void* data, size_t size, const SessionOptions& options,
                                             const std::string& name) {
  return make_session(load_model_bytes(data, size, name), options);
}

}  // namespace onnxi
