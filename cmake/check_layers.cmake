# Fails when a file includes a header of a layer its own layer may not use (the table and
# the rule are in cmake/layers.cmake). Run by every build (target onnxi_layer_check) and
# by the `layers:` tests:
#   cmake -DONNXI_SOURCE_DIR=<source root> -P cmake/check_layers.cmake
# Project includes are "…" paths from the source root (or from include/ for "onnxi/…", or
# from the including file's directory);
# an include that names no file of the tree is a third-party header and is checked only
# against the prefixes a layer owns (ONNXI_LAYER_<layer>_OWNS_EXTERNAL).
cmake_minimum_required(VERSION 3.25)
if(NOT ONNXI_SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DONNXI_SOURCE_DIR=<source root> -P check_layers.cmake")
endif()
get_filename_component(root "${ONNXI_SOURCE_DIR}" ABSOLUTE)
include(${CMAKE_CURRENT_LIST_DIR}/layers.cmake)

set(owners_of_external)
foreach(layer IN LISTS ONNXI_LAYERS)
  foreach(prefix IN LISTS ONNXI_LAYER_${layer}_OWNS_EXTERNAL)
    list(APPEND owners_of_external "${prefix}=${layer}")
  endforeach()
endforeach()

# The line number of the first line of `file` that is exactly `line`.
function(line_number_of file line out)
  file(READ "${file}" content)
  string(FIND "${content}" "${line}" at)
  set(n 1)
  if(at GREATER 0)
    string(SUBSTRING "${content}" 0 ${at} before)
    string(REGEX REPLACE "[^\n]" "" newlines "${before}")
    string(LENGTH "${newlines}" n)
    math(EXPR n "${n} + 1")
  endif()
  set(${out} ${n} PARENT_SCOPE)
endfunction()

set(violations 0)
set(checked 0)
foreach(layer IN LISTS ONNXI_LAYERS)
  set(allowed ${layer} ${ONNXI_LAYER_${layer}_USES})
  list(JOIN allowed ", " allowed_text)
  onnxi_layer_files(${layer} "${root}" files *.h *.hpp *.cc *.cpp *.c)
  foreach(f IN LISTS files)
    math(EXPR checked "${checked} + 1")
    get_filename_component(dir "${f}" DIRECTORY)
    file(STRINGS "${root}/${f}" includes ENCODING UTF-8 REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(inc_line IN LISTS includes)
      set(problem "")
      if(inc_line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
        set(header "${CMAKE_MATCH_1}")
        # From the root, from include/, or relative to the including file (the project spells
        # paths from the root, but the compiler would accept the others too).
        set(target "")
        foreach(candidate "${header}" "include/${header}" "${dir}/${header}")
          cmake_path(SET candidate NORMALIZE "${candidate}")
          if(NOT candidate MATCHES "^\\.\\./" AND EXISTS "${root}/${candidate}"
             AND NOT IS_DIRECTORY "${root}/${candidate}")
            set(target "${candidate}")
            break()
          endif()
        endforeach()
        if(target STREQUAL "")
          continue()  # not a file of this tree: third-party or generated
        endif()
        onnxi_layer_of("${target}" target_layer)
        if(target_layer STREQUAL "" OR target_layer IN_LIST allowed)
          continue()
        endif()
        if("public" IN_LIST allowed AND target MATCHES "^include/onnxi/")
          continue()
        endif()
        set(problem "\"${header}\" is in layer '${target_layer}'")
      elseif(inc_line MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>")
        set(header "${CMAKE_MATCH_1}")
        foreach(entry IN LISTS owners_of_external)
          string(REGEX REPLACE "=.*" "" prefix "${entry}")
          string(REGEX REPLACE ".*=" "" owner "${entry}")
          string(FIND "${header}" "${prefix}" at)
          if(at EQUAL 0 AND NOT owner STREQUAL layer)
            set(problem "<${header}> may be included only by layer '${owner}'")
            break()
          endif()
        endforeach()
      endif()
      if(problem)
        line_number_of("${root}/${f}" "${inc_line}" line)
        string(STRIP "${inc_line}" shown)
        message("${root}/${f}:${line}: error: layer '${layer}' may not include this: ${shown}\n"
                "  ${problem}; layer '${layer}' may include only: ${allowed_text}.\n"
                "  The layers and their allowed directions are in cmake/layers.cmake "
                "(see docs/architecture.md, \"Layers\").")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "layer check: no source files found under ${root}")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "layer check: ${violations} include(s) against the layer direction "
                      "(${checked} files checked)")
endif()
message(STATUS "layer check: ${checked} files, every include in an allowed direction")
