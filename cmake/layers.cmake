# The layers of onnxi and the one direction they may use each other in. This table is the
# only place the rule is written down: CMakeLists.txt builds one target per layer from it
# (onnxi_<layer>), and cmake/check_layers.cmake (run by every build, target
# onnxi_layer_check) fails the build on an #include the table does not allow.
#
#   cli ──▶ public headers only (include/onnxi/)
#   api ──▶ onnx, runtime, ir        (the facade: Session::from_file, summarize_model, C API)
#   ops ──▶ runtime, ir
#   runtime ──▶ ir                   (kernel contract, registry, passes, planner, session)
#   onnx ──▶ ir                      (the only layer that sees protobuf)
#   ir                               (Tensor, DType, Error, Graph, file and .npy utilities)
#
# A layer is a list of paths relative to the source root: a path ending in "/" is
# everything under that directory, anything else is one file. A file belongs to the first
# layer (in ONNXI_LAYERS order) that lists it. Public headers (include/onnxi/) belong to
# the layer that implements them.
#
# To add a file: put it in its layer's directory (ir/, onnx/, runtime/, ops/, api/, cli/); a
# new public header goes in the list of the layer that implements it.
set(ONNXI_LAYERS ir onnx runtime ops api cli)

set(ONNXI_LAYER_ir_PATHS
  include/onnxi/dtype.h include/onnxi/error.h include/onnxi/limits.h include/onnxi/tensor.h
  include/onnxi/io.h include/onnxi/element.h include/onnxi/image.h ir/)
set(ONNXI_LAYER_onnx_PATHS onnx/)
set(ONNXI_LAYER_runtime_PATHS include/onnxi/session.h include/onnxi/custom_op.h runtime/)
set(ONNXI_LAYER_ops_PATHS ops/)
set(ONNXI_LAYER_api_PATHS include/onnxi/onnxi.h include/onnxi/summary.h api/)
set(ONNXI_LAYER_cli_PATHS cli/)

# The layers each layer may include besides itself. "public" is any header under
# include/onnxi/, whatever its layer.
set(ONNXI_LAYER_ir_USES)
set(ONNXI_LAYER_onnx_USES ir)
set(ONNXI_LAYER_runtime_USES ir)
set(ONNXI_LAYER_ops_USES runtime ir)
set(ONNXI_LAYER_api_USES onnx runtime ir)
set(ONNXI_LAYER_cli_USES public)

# Third-party headers (#include <...>, by prefix) that only one layer may include.
set(ONNXI_LAYER_onnx_OWNS_EXTERNAL onnx/ google/protobuf/)

# onnxi_layer_of(<path relative to the source root> <out var>): the layer a file belongs
# to, or "" when it is in none (tests/, examples/, fuzz/ ...).
function(onnxi_layer_of path out)
  foreach(layer IN LISTS ONNXI_LAYERS)
    foreach(p IN LISTS ONNXI_LAYER_${layer}_PATHS)
      if(p MATCHES "/$")
        string(FIND "${path}" "${p}" at)
        if(at EQUAL 0)
          set(${out} ${layer} PARENT_SCOPE)
          return()
        endif()
      elseif(path STREQUAL p)
        set(${out} ${layer} PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# onnxi_layer_files(<layer> <source root> <out var> <glob patterns...>): the files of
# <layer> under <source root> matching the patterns (e.g. *.cc), relative to the root.
function(onnxi_layer_files layer root out)
  set(found)
  foreach(p IN LISTS ONNXI_LAYER_${layer}_PATHS)
    if(p MATCHES "/$")
      set(globs)
      foreach(pattern IN LISTS ARGN)
        list(APPEND globs "${root}/${p}${pattern}")
      endforeach()
      file(GLOB_RECURSE files RELATIVE "${root}" ${globs})
    elseif(EXISTS "${root}/${p}")
      set(files)
      foreach(pattern IN LISTS ARGN)
        string(REPLACE "." "\\." rx "${pattern}")
        string(REPLACE "*" ".*" rx "${rx}")
        if(p MATCHES "(^|/)${rx}$")
          set(files ${p})
        endif()
      endforeach()
    else()
      set(files)
    endif()
    foreach(f IN LISTS files)
      onnxi_layer_of("${f}" owner)
      if(owner STREQUAL layer)
        list(APPEND found ${f})
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES found)
  list(SORT found)
  set(${out} ${found} PARENT_SCOPE)
endfunction()
