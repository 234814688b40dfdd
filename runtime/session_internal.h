// Internal entry points of the session, for tests and other runtime code.
#pragma once
#include <memory>

#include "onnxi/session.h"
#include "runtime/graph.h"

namespace onnxi {

// The public description of a declared input or output.
IOInfo to_io_info(const ValueInfo& vi);

// Creates a session from an already-built Model (no file involved).
std::unique_ptr<Session> make_session(Model model, const SessionOptions& options);

// The element type of each graph output (for kernels that run subgraphs and must know
// their output types before running them). Builds the kernels now, treating every input
// shape as unknown, when the session has not been built yet.
std::vector<DType> session_output_dtypes(Session& session);

}  // namespace onnxi
