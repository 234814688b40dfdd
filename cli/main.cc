// onnxi command line: a thin client of the public API in include/onnxi/.
#include <cstdio>
#include <exception>
#include <map>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"onnxi: a small, fast ONNX inference runtime", "onnxi"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "onnxi 0.1.0");
  std::map<CLI::App*, onnxi::cli::Command> commands;
  auto add = [&](const char* name, const char* help, onnxi::cli::Command (*make)(CLI::App&)) {
    CLI::App* sub = app.add_subcommand(name, help);
    commands[sub] = make(*sub);
  };
  add("run", "Run a model on inputs from files (or random ones) and print its outputs", onnxi::cli::add_run);
  add("test", "Run ONNX backend-test directories and compare with their expected outputs", onnxi::cli::add_test);
  add("bench", "Time a model: session creation, latency percentiles, throughput, peak memory",
      onnxi::cli::add_bench);
  add("info", "Describe a model: versions, inputs/outputs, ops, unsupported ops; its graph (--graph, --dot)",
      onnxi::cli::add_info);
  add("profile", "Time every node: per-node and per-op tables, memory plan, layout report, Chrome trace",
      onnxi::cli::add_profile);
  add("classify", "Classify JPEG/PNG images with an ImageNet model and print the top-K class names",
      onnxi::cli::add_classify);
  add("check", "List every unsupported operator (domain, op, opset, input types); exit 1 if any",
      onnxi::cli::add_check);
  add("operators", "List the operators onnxi implements: versions, latest ONNX version, providers (--markdown)",
      onnxi::cli::add_operators);
  app.footer(
      "Each subcommand has its own --help with examples. Output: human text on stdout, one-line errors\n"
      "on stderr; --json prints one JSON document on stdout. Exit 0 ok, 1 failure, 2 usage error.\n"
      "\n"
      "Examples:\n"
      "  onnxi run models/resnet50/model.onnx --random --runs 10\n"
      "  onnxi profile models/resnet50/model.onnx --top 10\n"
      "  onnxi classify cat.jpg dog.png\n"
      "  onnxi check model.onnx");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, cmd] : commands) {
    if (!sub->parsed()) continue;
    try {
      return cmd();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "onnxi: %s\n", e.what());
      return 1;
    }
  }
  return 2;
}
