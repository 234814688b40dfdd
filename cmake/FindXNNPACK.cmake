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

if(XNNPACK_FOUND)
  if(NOT TARGET cpuinfo::cpuinfo)
    add_library(cpuinfo::cpuinfo UNKNOWN IMPORTED)
    set_target_properties(cpuinfo::cpuinfo PROPERTIES
      IMPORTED_LOCATION "${CPUINFO_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${CPUINFO_INCLUDE_DIR}")
  endif()
  if(NOT TARGET pthreadpool::pthreadpool)
    add_library(pthreadpool::pthreadpool UNKNOWN IMPORTED)
    set_target_properties(pthreadpool::pthreadpool PROPERTIES
      IMPORTED_LOCATION "${PTHREADPOOL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${PTHREADPOOL_INCLUDE_DIR}")
  endif()
  if(NOT TARGET XNNPACK::XNNPACK)
    add_library(XNNPACK::XNNPACK UNKNOWN IMPORTED)
    set_target_properties(XNNPACK::XNNPACK PROPERTIES
      IMPORTED_LOCATION "${XNNPACK_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${XNNPACK_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "pthreadpool::pthreadpool;cpuinfo::cpuinfo")
  endif()
endif()
