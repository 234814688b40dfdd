# FindXNNPACK: XNNPACK and the two libraries it is built on, as IMPORTED targets (Debian's
# libxnnpack-dev, libpthreadpool-dev and libcpuinfo-dev ship no CMake package of their own
# for XNNPACK and pthreadpool).
#   XNNPACK::XNNPACK            xnnpack.h, libXNNPACK (links the two below)
#   pthreadpool::pthreadpool    pthreadpool.h, libpthreadpool
#   cpuinfo::cpuinfo            cpuinfo.h, libcpuinfo (unless cpuinfo's own package made it)
# Installed with onnxi (lib/cmake/onnxi/) so that the package config can find the static
# library's dependencies the same way.
include(FindPackageHandleStandardArgs)

find_path(XNNPACK_INCLUDE_DIR xnnpack.h)
find_library(XNNPACK_LIBRARY XNNPACK)
find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h)
find_library(PTHREADPOOL_LIBRARY pthreadpool)
if(NOT TARGET cpuinfo::cpuinfo)
  find_path(CPUINFO_INCLUDE_DIR cpuinfo.h)
  find_library(CPUINFO_LIBRARY cpuinfo)
  set(_xnnpack_cpuinfo_vars CPUINFO_LIBRARY CPUINFO_INCLUDE_DIR)
endif()

find_package_handle_standard_args(XNNPACK
  REQUIRED_VARS XNNPACK_LIBRARY XNNPACK_INCLUDE_DIR PTHREADPOOL_LIBRARY PTHREADPOOL_INCLUDE_DIR
                ${_xnnpack_cpuinfo_vars})
unset(_xnnpack_cpuinfo_vars)
mark_as_advanced(XNNPACK_INCLUDE_DIR XNNPACK_LIBRARY PTHREADPOOL_INCLUDE_DIR PTHREADPOOL_LIBRARY
                 CPUINFO_INCLUDE_DIR CPUINFO_LIBRARY)

# An IMPORTED target for one found library, unless a package already made it.
function(_onnxi_xnnpack_import target library include_dir link_libraries)
  if(NOT TARGET ${target})
    add_library(${target} UNKNOWN IMPORTED)
    set_target_properties(${target} PROPERTIES
      IMPORTED_LOCATION "${library}"
      INTERFACE_INCLUDE_DIRECTORIES "${include_dir}"
      INTERFACE_LINK_LIBRARIES "${link_libraries}")
  endif()
endfunction()

if(XNNPACK_FOUND)
  _onnxi_xnnpack_import(cpuinfo::cpuinfo "${CPUINFO_LIBRARY}" "${CPUINFO_INCLUDE_DIR}" "")
  _onnxi_xnnpack_import(pthreadpool::pthreadpool "${PTHREADPOOL_LIBRARY}" "${PTHREADPOOL_INCLUDE_DIR}" "")
  _onnxi_xnnpack_import(XNNPACK::XNNPACK "${XNNPACK_LIBRARY}" "${XNNPACK_INCLUDE_DIR}"
                        "pthreadpool::pthreadpool;cpuinfo::cpuinfo")
endif()
