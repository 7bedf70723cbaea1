# Find ATEscreen's dependencies (all from Debian 12) as imported targets ATE::<name>.
# Order for each: a CMake package (CONFIG), then pkg-config, then find_library/find_path.
# The Debian package that provides each is named in the error message.
find_package(PkgConfig REQUIRED)

function(ate_find_dependency name)
  cmake_parse_arguments(A "" "CONFIG;CONFIG_TARGET;PKG;HEADER;DEBIAN" "LIBS" ${ARGN})
  if(TARGET ATE::${name})
    return()
  endif()
  if(A_CONFIG)
    find_package(${A_CONFIG} CONFIG QUIET)
    if(${A_CONFIG}_FOUND AND TARGET ${A_CONFIG_TARGET})
      add_library(ATE::${name} INTERFACE IMPORTED GLOBAL)
      target_link_libraries(ATE::${name} INTERFACE ${A_CONFIG_TARGET})
      message(STATUS "ATEscreen: ${name} from CMake package ${A_CONFIG}")
      return()
    endif()
  endif()
  if(A_PKG)
    pkg_check_modules(ATE_PC_${name} QUIET IMPORTED_TARGET GLOBAL ${A_PKG})
    if(ATE_PC_${name}_FOUND)
      add_library(ATE::${name} INTERFACE IMPORTED GLOBAL)
      target_link_libraries(ATE::${name} INTERFACE PkgConfig::ATE_PC_${name})
      message(STATUS "ATEscreen: ${name} from pkg-config ${A_PKG} ${ATE_PC_${name}_VERSION}")
      return()
    endif()
  endif()
  find_library(ATE_LIB_${name} NAMES ${A_LIBS})
  if(A_HEADER)
    find_path(ATE_INC_${name} NAMES ${A_HEADER})
  else()
    set(ATE_INC_${name} "")
  endif()
  if(ATE_LIB_${name} AND (NOT A_HEADER OR ATE_INC_${name}))
    add_library(ATE::${name} UNKNOWN IMPORTED GLOBAL)
    set_target_properties(ATE::${name} PROPERTIES IMPORTED_LOCATION ${ATE_LIB_${name}})
    if(ATE_INC_${name})
      set_target_properties(ATE::${name} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${ATE_INC_${name}})
    endif()
    message(STATUS "ATEscreen: ${name} from ${ATE_LIB_${name}}")
    return()
  endif()
  message(FATAL_ERROR "ATEscreen: ${name} not found. On Debian 12: apt-get install ${A_DEBIAN}")
endfunction()

find_package(MPI REQUIRED COMPONENTS C)
if(NOT TARGET ATE::MPI)
  add_library(ATE::MPI INTERFACE IMPORTED GLOBAL)
  target_link_libraries(ATE::MPI INTERFACE MPI::MPI_C)
endif()
find_package(Threads REQUIRED)

ate_find_dependency(yaml PKG yaml-0.1 LIBS yaml HEADER yaml.h DEBIAN libyaml-dev)
ate_find_dependency(spglib CONFIG Spglib CONFIG_TARGET Spglib::symspg PKG spglib LIBS symspg
                    HEADER spglib.h DEBIAN libsymspg-dev)
ate_find_dependency(openblas PKG openblas LIBS openblas DEBIAN libopenblas-dev)
ate_find_dependency(lapacke PKG lapacke LIBS lapacke HEADER lapacke.h DEBIAN liblapacke-dev)
ate_find_dependency(fftw3 CONFIG FFTW3 CONFIG_TARGET FFTW3::fftw3 PKG fftw3 LIBS fftw3
                    HEADER fftw3.h DEBIAN libfftw3-dev)
# fftw3_mpi has neither a CMake config nor a .pc file on Debian.
ate_find_dependency(fftw3_mpi LIBS fftw3_mpi HEADER fftw3-mpi.h DEBIAN libfftw3-mpi-dev)
# Debian's scalapack-openmpi CMake config references files the package does not ship
# (scalapack-targets.cmake fails), so ScaLAPACK goes straight to pkg-config.
ate_find_dependency(scalapack PKG scalapack-openmpi
                    LIBS scalapack-openmpi DEBIAN libscalapack-openmpi-dev)
# Debian's Libxc CMake files are incomplete (Fortran targets missing); pkg-config is reliable.
ate_find_dependency(libxc PKG libxc LIBS xc HEADER xc.h DEBIAN libxc-dev)
ate_find_dependency(hdf5 PKG hdf5-openmpi LIBS hdf5_openmpi HEADER hdf5.h
                    DEBIAN libhdf5-openmpi-dev)
# zlib: HDF5's deflate filter, run by hand for chunks compressed on other ranks (h5.h)
ate_find_dependency(zlib PKG zlib LIBS z HEADER zlib.h DEBIAN zlib1g-dev)
