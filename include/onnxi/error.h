// The one exception type of onnxi. Carries the stage that failed and, where a node is
// involved, which one; kernels throw short messages and the session adds the context.
#pragma once
#include <stdexcept>
#include <string>

namespace onnxi {

enum class Stage { Load, Build, Plan, Run, Io, Usage };

const char* stage_name(Stage s);

struct ErrorContext {
  std::string file;      // model or tensor file, when known
  std::string node;      // node name (or "#index" when the node has none)
  std::string op_type;   // e.g. "Conv"
  std::string domain;    // "" for ai.onnx
  int64_t opset = 0;     // opset the node was resolved against
};

class Error : public std::runtime_error {
 public:
  Error(Stage stage, std::string message, ErrorContext ctx = {});

  Stage stage() const { return stage_; }
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return ctx_; }

  // Returns a copy with context fields filled in where this error has none yet.
  Error with_context(const ErrorContext& outer) const;
  Error with_stage(Stage stage) const;

 private:
  static std::string format(Stage stage, const std::string& message, const ErrorContext& ctx);
  Stage stage_;
  std::string message_;
  ErrorContext ctx_;
};

}  // namespace onnxi
