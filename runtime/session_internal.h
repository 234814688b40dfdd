// Internal entry points of the session, for tests and other runtime code.
#pragma once
#include <memory>

#include "onnxi/session.h"
#include "ir/graph.h"

namespace onnxi {

// The public description of a declared input or output.
IOInfo to_io_info(const ValueInfo& vi);

// What the runtime may do with a Session beyond its public API (the one friend of Session).
struct SessionAccess {
  static std::unique_ptr<Session> make(Model model, const SessionOptions& options);
  static std::vector<DType> output_dtypes(Session& session);
};

// Creates a session from an already-built Model (no file involved).
inline std::unique_ptr<Session> make_session(Model model, const SessionOptions& options) {
  return SessionAccess::make(std::move(model), options);
}

// The element type of each graph output (for kernels that run subgraphs and must know
// their output types before running them). Builds the kernels now, treating every input
// shape as unknown, when the session has not been built yet.
inline std::vector<DType> session_output_dtypes(Session& session) { return SessionAccess::output_dtypes(session); }

}  // namespace onnxi
