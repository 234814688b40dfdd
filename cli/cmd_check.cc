// onnxi check MODEL: can onnxi run this model? Lists every unsupported (domain, op, opset)
// found in the graph and its subgraphs with the reason (schema version, versions onnxi
// implements), then builds a session to find nodes whose input
// dtypes no kernel handles; exit 1 when anything is unsupported.
#include <cstdio>

#include "cli/commands.h"
#include "onnxi/summary.h"

namespace onnxi::cli {

Command add_check(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  auto flags = std::make_shared<SessionFlags>();
  app.add_option("model", *model, "ONNX model file")->required();
  add_session_flags(app, *flags, nullptr);
  app.footer(
      "Exit status: 0 when every node has a kernel, 1 when something is unsupported (each listed on\n"
      "stdout as domain::op at opset N (why) [: input types]), 1 with a one-line error for an unreadable\n"
      "model. Operators missing for the node's opset are all found in one pass over the graph and its\n"
      "subgraphs; each names the op's schema version at that opset and the versions onnxi implements\n"
      "(an op whose newer version changed its meaning is unsupported until onnxi implements it).\n"
      "Only when there are none is a session built, which reports the first node whose input dtypes no\n"
      "kernel supports (its output type is then unknown, so later nodes cannot be checked).\n"
      "\n"
      "Examples:\n"
      "  onnxi check models/resnet50/model.onnx\n"
      "  onnxi check model.onnx || echo 'not supported yet'");
  return [model, flags]() {
    ModelSummary s = summarize_model(*model);
    std::vector<std::string> problems = s.unsupported;
    if (problems.empty()) {
      try {
        Session::from_file(*model, flags->options());
      } catch (const Error& e) {
        if (e.stage() != Stage::Build) throw;
        const ErrorContext& c = e.context();
        std::string entry = (c.domain.empty() ? std::string("ai.onnx") : c.domain) + "::" + c.op_type +
                            " at opset " + std::to_string(c.opset);
        if (c.op_type.empty()) entry = "model";
        problems.push_back(entry + ": " + e.message() + (c.node.empty() ? "" : " [node " + c.node + "]"));
      }
    }
    if (problems.empty()) {
      std::printf("%s: supported (%zu op types, every node has a kernel)\n", model->c_str(),
                  s.op_histogram.size());
      return 0;
    }
    std::printf("%s: %zu unsupported\n", model->c_str(), problems.size());
    for (const auto& p : problems) std::printf("  %s\n", p.c_str());
    return 1;
  };
}

}  // namespace onnxi::cli
