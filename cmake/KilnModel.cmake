# kiln_add_model(): compile a model at build time into a static library target.
#
#   kiln_add_model(NAME SOURCE model.onnx|model.mlir
#                  [SHAPES input=1x3x224x224 ...]   # --shape for ONNX inputs
#                  [OPTIONS -O3 --target-cpu=x86-64-v3 ...]
#                  [DEPENDS files...])              # e.g. ONNX external data
#
# Runs kiln-compile --emit=object at build time (again whenever the model, a
# DEPENDS file or kiln-compile itself changes) and makes NAME a static library
# holding the model, with its generated header NAME.h on its include path and
# the Kiln runtime (and libm) as link dependencies:
#
#   kiln_add_model(classifier SOURCE classifier.onnx SHAPES input=1x3x32x32)
#   target_link_libraries(app PRIVATE classifier)   # then #include "classifier.h"
#
# NAME must be a C identifier: it prefixes everything the header declares.
# Works with an installed Kiln (find_package(Kiln)) and inside Kiln's own build.

function(kiln_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SOURCE" "SHAPES;OPTIONS;DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_add_model(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
    message(FATAL_ERROR "kiln_add_model(${name}): the name must be a C identifier "
                        "(letters, digits and '_', starting with a letter)")
  endif()
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "kiln_add_model(${name}): SOURCE is required")
  endif()
  if(NOT TARGET Kiln::kiln-compile)
    message(FATAL_ERROR "kiln_add_model(${name}): this Kiln has no compiler "
                        "(it was built with KILN_BUILD_COMPILER=OFF)")
  endif()

  get_filename_component(source "${ARG_SOURCE}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/kiln_models/${name}")
  set(object "${dir}/${name}.o")
  set(header "${dir}/${name}.h")
  set(shape_arguments "")
  foreach(shape IN LISTS ARG_SHAPES)
    list(APPEND shape_arguments "--shape=${shape}")
  endforeach()
  set(extra_dependencies "")
  foreach(dependency IN LISTS ARG_DEPENDS)
    get_filename_component(dependency "${dependency}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND extra_dependencies "${dependency}")
  endforeach()

  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND Kiln::kiln-compile "${source}" --emit=object -o "${object}"
            "--header=${header}" "--name=${name}" ${shape_arguments}
            ${ARG_OPTIONS}
    DEPENDS "${source}" ${extra_dependencies} "$<TARGET_FILE:Kiln::kiln-compile>"
    COMMENT "Compiling model ${name} (${ARG_SOURCE}) with Kiln"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${name} STATIC "${object}" "${header}")
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${name} PUBLIC "${dir}")
  target_link_libraries(${name} PUBLIC Kiln::runtime)
  if(UNIX)
    # Generated code calls libm (expf, ...).
    target_link_libraries(${name} PUBLIC m)
  endif()
endfunction()
