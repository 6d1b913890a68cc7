# Installation and the CMake package: `cmake --install` puts the runtime, its
# headers, the tools and lib/cmake/Kiln/{KilnConfig,KilnConfigVersion,
# KilnTargets,KilnModel}.cmake under the prefix, so that another project can
# find_package(Kiln) and call kiln_add_model().
#
# Targets join the export set KilnTargets where they are defined (runtime/,
# compiler/tools/); the export and config files are written once every
# directory has been processed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Kiln")

# In Kiln's own build, the names an installed Kiln provides.
include(KilnModel)

function(kiln_install_package)
  install(EXPORT KilnTargets
    NAMESPACE Kiln::
    DESTINATION "${KILN_INSTALL_CMAKEDIR}")
  configure_package_config_file(
    "${KILN_SOURCE_DIR}/cmake/KilnConfig.cmake.in"
    "${KILN_BINARY_DIR}/cmake/KilnConfig.cmake"
    INSTALL_DESTINATION "${KILN_INSTALL_CMAKEDIR}")
  # 0.x releases promise nothing across minor versions.
  write_basic_package_version_file(
    "${KILN_BINARY_DIR}/cmake/KilnConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMinorVersion)
  install(FILES
    "${KILN_BINARY_DIR}/cmake/KilnConfig.cmake"
    "${KILN_BINARY_DIR}/cmake/KilnConfigVersion.cmake"
    "${KILN_SOURCE_DIR}/cmake/KilnModel.cmake"
    DESTINATION "${KILN_INSTALL_CMAKEDIR}")
endfunction()
cmake_language(DEFER DIRECTORY "${KILN_SOURCE_DIR}" CALL kiln_install_package)
