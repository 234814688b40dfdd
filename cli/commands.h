// Subcommands of the onnxi CLI. Each registers its options on a CLI11 subcommand and
// returns the function that runs it (exit code).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>

#include "onnxi/session.h"

namespace onnxi::cli {

using Command = std::function<int()>;

Command add_run(CLI::App& app);
Command add_info(CLI::App& app);
Command add_test(CLI::App& app);
Command add_bench(CLI::App& app);
Command add_profile(CLI::App& app);
Command add_classify(CLI::App& app);
Command add_check(CLI::App& app);
Command add_operators(CLI::App& app);

// Options every command that makes a session takes.
struct SessionFlags {
  int threads = 0;
  bool no_optimize = false;
  std::string provider;
  SessionOptions options() const;
};
// Adds --no-optimize and --provider (and --threads unless `threads_help` is null).
void add_session_flags(CLI::App& app, SessionFlags& flags, const char* threads_help);

// Reads NAME=FILE specs (.pb or .npy) into named tensors.
std::map<std::string, Tensor> read_feeds(const std::vector<std::string>& specs);
// Writes outputs[i] to DIR/<infos[i].name>.npy, or .pb (TensorProto) when format is "pb"
// (path separators in names become '_').
void write_outputs(const std::string& dir, const std::vector<IOInfo>& infos, const std::vector<Tensor>& outputs,
                   const std::string& format = "npy");

// The inputs for a timing run: NAME=FILE specs, and seeded normal random float32 for the
// others (dynamic dims set to `batch`). Throws Error(Stage::Usage) for an input it cannot make.
std::map<std::string, Tensor> make_timing_feeds(const Session& session, const std::vector<std::string>& specs,
                                                int64_t batch, uint32_t seed);
// Peak resident set size of this process in MB (VmHWM from /proc/self/status).
double peak_rss_mb();

// Shared helpers.
std::string format_shape(const std::vector<int64_t>& shape, const std::vector<std::string>& names = {});
// Parses "NAME=VALUE"; throws Error(Stage::Usage) when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& s, const char* what);

}  // namespace onnxi::cli
