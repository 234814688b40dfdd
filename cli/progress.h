// A one-line progress bar on stderr, drawn only when stderr is a terminal (and the user
// did not ask for --quiet), so pipes, logs and --json output never see it.
#pragma once
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace onnxi::cli {

class Progress {
 public:
  Progress(std::string label, size_t total, bool quiet)
      : label_(std::move(label)), total_(total), on_(!quiet && total > 1 && isatty(fileno(stderr))) {}
  ~Progress() { clear(); }
  // Shows that `done` of `total` steps are finished; `what` names the current one.
  void update(size_t done, const std::string& what = "") {
    if (!on_) return;
    // At most ~10 redraws a second: fast steps (tiny models) must not flood the terminal.
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int kWidth = 24;
    int filled = total_ ? static_cast<int>(kWidth * done / total_) : 0;
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu %-40.40s", label_.c_str(), bar.c_str(), done, total_,
                 what.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (!on_ || !drawn_) return;
    std::fprintf(stderr, "\r%*s\r", static_cast<int>(label_.size()) + 80, "");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  std::string label_;
  size_t total_;
  bool on_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace onnxi::cli
