# Tests cmake/check_layers.cmake on small fixture trees: a tree whose includes all go in
# allowed directions passes; each planted wrong-direction include fails the check with a
# message naming the file, the line, the header and the rule.
#   cmake -DONNXI_CHECK=<check_layers.cmake> -DWORK_DIR=<scratch dir> -P test_check_layers.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK_DIR}")

# A tree with one file per layer, every include allowed.
function(make_clean_tree dir)
  file(WRITE "${dir}/include/onnxi/tensor.h" "#pragma once\n#include \"onnxi/error.h\"\n")
  file(WRITE "${dir}/include/onnxi/error.h" "#pragma once\n")
  file(WRITE "${dir}/include/onnxi/session.h" "#pragma once\n#include \"onnxi/tensor.h\"\n")
  file(WRITE "${dir}/ir/graph.h" "#pragma once\n#include \"onnxi/tensor.h\"\n")
  file(WRITE "${dir}/runtime/kernel.h" "#pragma once\n#include \"ir/graph.h\"\n")
  file(WRITE "${dir}/runtime/memory_plan.cc" "// planner\n#include <vector>\n\n#include \"runtime/kernel.h\"\n")
  file(WRITE "${dir}/onnx/loader.h" "#pragma once\n#include \"ir/graph.h\"\n")
  file(WRITE "${dir}/onnx/loader.cc" "#include \"onnx/loader.h\"\n#include <onnx/onnx_pb.h>\n")
  file(WRITE "${dir}/ops/math/add.cc" "#include \"runtime/kernel.h\"\n#include \"onnxi/session.h\"\n")
  file(WRITE "${dir}/api/session_load.cc" "#include \"onnx/loader.h\"\n#include \"runtime/kernel.h\"\n")
  file(WRITE "${dir}/cli/main.cc" "#include \"onnxi/session.h\"\n#include <CLI/CLI.hpp>\n")
endfunction()

set(failures 0)
# expect(<name> <pass|fail> <tree> [regex...]): runs the check on <tree>; every regex must
# match its output.
function(expect name outcome tree)
  execute_process(COMMAND ${CMAKE_COMMAND} -DONNXI_SOURCE_DIR=${tree} -P ${ONNXI_CHECK}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(out "${out}${err}")
  set(ok TRUE)
  if(outcome STREQUAL "pass" AND NOT rc EQUAL 0)
    set(ok FALSE)
  elseif(outcome STREQUAL "fail" AND rc EQUAL 0)
    set(ok FALSE)
  endif()
  foreach(rx IN LISTS ARGN)
    if(NOT out MATCHES "${rx}")
      set(ok FALSE)
      message("  expected output matching: ${rx}")
    endif()
  endforeach()
  if(ok)
    message(STATUS "ok: ${name}")
  else()
    message("FAIL: ${name} (exit ${rc}, expected to ${outcome}); output:\n${out}")
    math(EXPR n "${failures} + 1")
    set(failures ${n} PARENT_SCOPE)
  endif()
endfunction()

make_clean_tree("${WORK_DIR}/clean")
expect("allowed includes pass" pass "${WORK_DIR}/clean" "every include in an allowed direction")

# runtime -> onnx: the issue's example (the runtime including the loader).
make_clean_tree("${WORK_DIR}/runtime_onnx")
file(WRITE "${WORK_DIR}/runtime_onnx/runtime/memory_plan.cc"
  "// planner\n#include <vector>\n\n#include \"onnx/loader.h\"\n#include \"runtime/kernel.h\"\n")
expect("runtime including onnx/ fails" fail "${WORK_DIR}/runtime_onnx"
  "runtime/memory_plan.cc:4: error: layer 'runtime' may not include this: #include \"onnx/loader.h\""
  "\"onnx/loader.h\" is in layer 'onnx'; layer 'runtime' may include only: runtime, ir\\."
  "1 include\\(s\\) against the layer direction")

# runtime -> ops (a higher layer), from a header.
make_clean_tree("${WORK_DIR}/runtime_ops")
file(WRITE "${WORK_DIR}/runtime_ops/ops/common/util.h" "#pragma once\n")
file(APPEND "${WORK_DIR}/runtime_ops/runtime/kernel.h" "#include \"ops/common/util.h\"\n")
expect("runtime including ops/ fails" fail "${WORK_DIR}/runtime_ops"
  "runtime/kernel.h:3: error: layer 'runtime' may not include this" "is in layer 'ops'")

# IR -> runtime.
make_clean_tree("${WORK_DIR}/ir_runtime")
file(APPEND "${WORK_DIR}/ir_runtime/ir/graph.h" "#include \"runtime/kernel.h\"\n")
expect("IR including the runtime fails" fail "${WORK_DIR}/ir_runtime"
  "ir/graph.h:3: error: layer 'ir' may not include this" "is in layer 'runtime'")

# ops -> onnx (a sibling it may not use) and ops -> protobuf (owned by onnx).
make_clean_tree("${WORK_DIR}/ops_onnx")
file(WRITE "${WORK_DIR}/ops_onnx/ops/math/add.cc"
  "#include \"onnx/loader.h\"\n#include <google/protobuf/message.h>\n")
expect("ops including onnx/ and protobuf fails" fail "${WORK_DIR}/ops_onnx"
  "ops/math/add.cc:1: error: layer 'ops' may not include this: #include \"onnx/loader.h\""
  "ops/math/add.cc:2: error: .*<google/protobuf/message.h> may be included only by layer 'onnx'"
  "2 include\\(s\\) against the layer direction")

# runtime -> ops through a path relative to the including file.
make_clean_tree("${WORK_DIR}/relative")
file(WRITE "${WORK_DIR}/relative/ops/common/util.h" "#pragma once\n")
file(APPEND "${WORK_DIR}/relative/runtime/memory_plan.cc" "#include \"../ops/common/util.h\"\n")
expect("a relative include of another layer fails" fail "${WORK_DIR}/relative"
  "runtime/memory_plan.cc:5: error: layer 'runtime' may not include this" "\"../ops/common/util.h\" is in layer 'ops'")

# cli -> an internal header (the CLI may use the public headers only).
make_clean_tree("${WORK_DIR}/cli_internal")
file(APPEND "${WORK_DIR}/cli_internal/cli/main.cc" "#include \"runtime/kernel.h\"\n")
expect("cli including runtime/ fails" fail "${WORK_DIR}/cli_internal"
  "cli/main.cc:3: error: layer 'cli' may not include this" "may include only: cli, public")

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} layer-check case(s) failed")
endif()
