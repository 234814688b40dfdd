#include "onnxi/error.h"

namespace onnxi {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::Load: return "load";
    case Stage::Build: return "build";
    case Stage::Plan: return "plan";
    case Stage::Run: return "run";
    case Stage::Io: return "io";
    case Stage::Usage: return "usage";
  }
  return "error";
}

std::string Error::format(Stage stage, const std::string& message, const ErrorContext& ctx) {
  std::string out = stage_name(stage);
  out += " error";
  if (!ctx.file.empty()) out += " in " + ctx.file;
  if (!ctx.op_type.empty() || !ctx.node.empty()) {
    out += " at node '" + ctx.node + "' (";
    out += ctx.domain.empty() ? std::string("ai.onnx") : ctx.domain;
    out += "::" + ctx.op_type;
    if (ctx.opset > 0) out += ", opset " + std::to_string(ctx.opset);
    out += ")";
  }
  out += ": " + message;
  return out;
}

Error::Error(Stage stage, std::string message, ErrorContext ctx)
    : std::runtime_error(format(stage, message, ctx)),
      stage_(stage),
      message_(std::move(message)),
      ctx_(std::move(ctx)) {}

Error Error::with_context(const ErrorContext& outer) const {
  ErrorContext c = ctx_;
  if (c.file.empty()) c.file = outer.file;
  if (c.node.empty() && c.op_type.empty()) {
    c.node = outer.node;
    c.op_type = outer.op_type;
    c.domain = outer.domain;
    c.opset = outer.opset;
  }
  return Error(stage_, message_, c);
}

Error Error::with_stage(Stage stage) const { return Error(stage, message_, ctx_); }

}  // namespace onnxi
