// onnxi command line: a thin client of the public API in include/onnxi/.
#include <cstdio>
#include <exception>
#include <map>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"onnxi: a small, fast ONNX inference runtime"};
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
  add("info", "Describe a model: versions, inputs/outputs, ops, unsupported ops", onnxi::cli::add_info);
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
