#include "cli/commands.h"

#include <algorithm>
#include <filesystem>

#include "onnxi/io.h"

namespace onnxi::cli {

std::string format_shape(const std::vector<int64_t>& shape, const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    if (shape[i] >= 0)
      s += std::to_string(shape[i]);
    else
      s += i < names.size() && !names[i].empty() ? names[i] : "?";
  }
  return s + "]";
}

std::pair<std::string, std::string> split_assignment(const std::string& s, const char* what) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(Stage::Usage, std::string(what) + " '" + s + "' must look like NAME=FILE");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

SessionOptions SessionFlags::options() const {
  SessionOptions so;
  so.threads = threads;
  so.optimize = !no_optimize;
  so.force_provider = provider;
  return so;
}

void add_session_flags(CLI::App& app, SessionFlags& flags, const char* threads_help) {
  if (threads_help) app.add_option("-t,--threads", flags.threads, threads_help)->check(CLI::Range(0, 1024));
  app.add_flag("--no-optimize", flags.no_optimize, "Run the graph as loaded, without rewrites");
  app.add_option("--provider", flags.provider,
                 "Force a kernel provider where it applies (ref elsewhere): ref, xnnpack or onednn")
      ->check(CLI::IsMember({"", "ref", "xnnpack", "onednn"}));
}

std::map<std::string, Tensor> read_feeds(const std::vector<std::string>& specs) {
  std::map<std::string, Tensor> feeds;
  for (const auto& spec : specs) {
    auto [name, file] = split_assignment(spec, "--input");
    feeds[name] = read_tensor_file(file);
  }
  return feeds;
}

void write_outputs(const std::string& dir, const std::vector<IOInfo>& infos, const std::vector<Tensor>& outputs) {
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < outputs.size() && i < infos.size(); ++i) {
    std::string fname = infos[i].name;
    std::replace_if(fname.begin(), fname.end(), [](char c) { return c == '/' || c == '\\' || c == ':'; }, '_');
    write_npy((std::filesystem::path(dir) / (fname + ".npy")).string(), outputs[i]);
  }
}

}  // namespace onnxi::cli
