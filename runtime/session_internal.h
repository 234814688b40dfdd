// Internal entry points of the session, for tests and other runtime code.
#pragma once
#include <memory>

#include "onnxi/session.h"
#include "runtime/graph.h"

namespace onnxi {

// Creates a session from an already-built Model (no file involved).
std::unique_ptr<Session> make_session(Model model, const SessionOptions& options);

}  // namespace onnxi
