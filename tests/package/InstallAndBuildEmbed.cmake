# Installs Kiln from KILN_BINARY_DIR into WORK_DIR/prefix, builds
# examples/embed against it in WORK_DIR/build, runs it, and checks its output
# against the installed kiln-run. Then touches a copy of the model and checks
# that only the model (and what links it) is rebuilt.
# Run with: cmake -DKILN_BINARY_DIR=... -DKILN_SOURCE_DIR=... -DWORK_DIR=...
#                 -DGENERATOR=... [-DC_COMPILER=...] -P <this file>
foreach(variable KILN_BINARY_DIR KILN_SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT ${variable})
    message(FATAL_ERROR "set -D${variable}=...")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${result}): ${command}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

function(expect text pattern what)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: no match for '${pattern}' in:\n${text}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(source "${WORK_DIR}/source")
set(build "${WORK_DIR}/build")

# 1. Install.
run(${CMAKE_COMMAND} --install "${KILN_BINARY_DIR}" --prefix "${prefix}")
foreach(file include/kiln/runtime.h include/kiln/runtime.hpp
             include/kiln/module_abi.h bin/kiln-compile bin/kiln-run
             lib/cmake/Kiln/KilnConfig.cmake
             lib/cmake/Kiln/KilnConfigVersion.cmake
             lib/cmake/Kiln/KilnModel.cmake)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()

# 2. Configure and build a copy of the example (so the model can be touched).
file(COPY "${KILN_SOURCE_DIR}/examples/embed/" DESTINATION "${source}")
set(compiler_argument "")
if(C_COMPILER)
  set(compiler_argument "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
run(${CMAKE_COMMAND} -S "${source}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release
    ${compiler_argument})
run(${CMAKE_COMMAND} --build "${build}")
expect("${output}" "Compiling model xor" "the first build")

# 3. Run it: the right predictions, and the checksum the installed kiln-run
#    computes for the same model and input.
run("${build}/embed")
set(program_output "${output}")
expect("${program_output}" "xor\\(0, 1\\) = 0\\.9933 -> 1" "embed's output")
expect("${program_output}" "xor\\(1, 1\\) = 0\\.0067 -> 0" "embed's output")
string(REGEX MATCH "checksum ([0-9a-f]+)" _ "${program_output}")
set(program_checksum "${CMAKE_MATCH_1}")
run("${prefix}/bin/kiln-run" "${source}/model/xor.mlir" --no-cache --json
    --input x=0,0,0,1,1,0,1,1)
string(REGEX MATCH "\"checksum\": \"([0-9a-f]+)\"" _ "${output}")
if(NOT program_checksum OR NOT program_checksum STREQUAL CMAKE_MATCH_1)
  message(FATAL_ERROR "embed's checksum '${program_checksum}' is not "
                      "kiln-run's '${CMAKE_MATCH_1}'")
endif()

# 4. Nothing to do until the model changes; then the model is compiled again.
run(${CMAKE_COMMAND} --build "${build}")
if(output MATCHES "Compiling model")
  message(FATAL_ERROR "an unchanged model was compiled again:\n${output}")
endif()
file(TOUCH "${source}/model/xor.mlir")
run(${CMAKE_COMMAND} --build "${build}")
expect("${output}" "Compiling model xor" "the build after touching the model")
message(STATUS "examples/embed built against ${prefix} and printed:\n"
               "${program_output}")
