#include "cli/commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

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
  // The providers this build has (oneDNN is optional: ONNXI_WITH_ONEDNN), lowest priority
  // first: "ref, xnnpack or onednn".
  std::vector<std::string> names;
  for (const auto& p : available_providers())
    if (p.selectable) names.insert(names.begin(), p.name);
  std::string list;
  for (size_t i = 0; i < names.size(); ++i)
    list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  std::vector<std::string> choices{""};
  choices.insert(choices.end(), names.begin(), names.end());
  app.add_option("--provider", flags.provider, "Force a kernel provider where it applies (ref elsewhere): " + list)
      ->check(CLI::IsMember(choices));
}

std::map<std::string, Tensor> read_feeds(const std::vector<std::string>& specs) {
  std::map<std::string, Tensor> feeds;
  for (const auto& spec : specs) {
    auto [name, file] = split_assignment(spec, "--input");
    feeds[name] = read_tensor_file(file);
  }
  return feeds;
}

void write_outputs(const std::string& dir, const std::vector<IOInfo>& infos, const std::vector<Tensor>& outputs,
                   const std::string& format) {
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < outputs.size() && i < infos.size(); ++i) {
    std::string fname = infos[i].name;
    std::replace_if(fname.begin(), fname.end(), [](char c) { return c == '/' || c == '\\' || c == ':'; }, '_');
    std::filesystem::path base = std::filesystem::path(dir) / fname;
    if (format == "pb")
      write_tensor_pb(base.string() + ".pb", outputs[i], infos[i].name);
    else
      write_npy(base.string() + ".npy", outputs[i]);
  }
}

std::map<std::string, Tensor> make_timing_feeds(const Session& session, const std::vector<std::string>& specs,
                                                int64_t batch, uint32_t seed) {
  std::map<std::string, Tensor> feeds = read_feeds(specs);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (const auto& io : session.inputs()) {
    if (feeds.count(io.name)) continue;
    if (!io.has_shape) throw Error(Stage::Usage, "input '" + io.name + "' has no declared shape; give it with --input");
    if (io.dtype != DType::Float)
      throw Error(Stage::Usage, "input '" + io.name + "' is " + std::string(dtype_name(io.dtype)) +
                                    "; only float32 inputs are made up, give it with --input");
    Shape s;
    for (int64_t d : io.shape) s.push_back(d < 0 ? batch : d);
    Tensor t(DType::Float, s);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng);
    feeds[io.name] = t;
  }
  return feeds;
}

double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return 0;
}

}  // namespace onnxi::cli
