# Helpers for the compiler-side libraries (everything except the runtime).

# kiln_add_compiler_library(name SRCS... [DEPS targets...])
# A static library of compiler code that links MLIR/LLVM through the shared libraries.
function(kiln_add_compiler_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} ${KILN_MLIR_LIBS})
endfunction()
