// Subcommands of the onnxi CLI. Each registers its options on a CLI11 subcommand and
// returns the function that runs it (exit code).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "onnxi/session.h"

namespace onnxi::cli {

using Command = std::function<int()>;

Command add_run(CLI::App& app);
Command add_info(CLI::App& app);
Command add_test(CLI::App& app);
Command add_bench(CLI::App& app);

// Shared helpers.
std::string format_shape(const std::vector<int64_t>& shape, const std::vector<std::string>& names = {});
// Parses "NAME=VALUE"; throws Error(Stage::Usage) when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& s, const char* what);

}  // namespace onnxi::cli
