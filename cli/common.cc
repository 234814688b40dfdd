#include "cli/commands.h"

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

}  // namespace onnxi::cli
