# Fails unless the library LIBRARY exports exactly the functions that HEADERS
# declare with KILN_API (the C API), KILN_KERNEL_API (the kernels compiled
# modules call, including MLIR's mgpu* GPU calls) or KILN_ASYNC_API (MLIR's
# mlirAsyncRuntime* async runtime calls): no missing function, and no stray symbol (such as C++
# template instances) that other code could bind to.
# Run with: cmake -DREADELF=<readelf> -DLIBRARY=<lib.so>
#                 "-DHEADERS=<runtime.h>;<kernel_abi.h>;..." -P <this file>
foreach(variable READELF LIBRARY HEADERS)
  if(NOT ${variable})
    message(FATAL_ERROR "set -D${variable}=...")
  endif()
endforeach()

# The API: every `KILN_API <type> kiln_name(` declaration in the headers.
set(declarations "")
foreach(header IN LISTS HEADERS)
  file(READ ${header} header_text)
  string(REGEX MATCHALL "KILN_(KERNEL_|ASYNC_)?API [^;]*" found "${header_text}")
  list(APPEND declarations ${found})
endforeach()
set(declared "")
foreach(declaration IN LISTS declarations)
  if(declaration MATCHES
     "(kiln_[a-z0-9_]+|_mlir_[a-z0-9_]+|mgpu[A-Za-z0-9_]+|mlirAsyncRuntim[A-Za-z]+)[ \t\n]*\\(")
    list(APPEND declared ${CMAKE_MATCH_1})
  endif()
endforeach()
list(SORT declared)
if(NOT declared)
  message(FATAL_ERROR "found no KILN_API declarations in ${HEADERS}")
endif()

# The defined global and weak symbols of the dynamic symbol table.
execute_process(
  COMMAND ${READELF} --wide --dyn-syms ${LIBRARY}
  OUTPUT_VARIABLE symbol_table
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "readelf --dyn-syms ${LIBRARY} failed: ${errors}")
endif()
string(REPLACE "\n" ";" lines "${symbol_table}")
set(exported "")
foreach(line IN LISTS lines)
  # Num: Value Size Type Bind Vis Ndx Name
  if(line MATCHES "^ *[0-9]+: +[0-9a-f]+ +[0-9]+ +[A-Z_]+ +(GLOBAL|WEAK|UNIQUE) +[A-Z]+ +([A-Z0-9]+) +([^ @]+)")
    if(NOT CMAKE_MATCH_2 STREQUAL "UND")
      list(APPEND exported ${CMAKE_MATCH_3})
    endif()
  endif()
endforeach()
list(SORT exported)

set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(extra ${exported})
list(REMOVE_ITEM extra ${declared})
list(LENGTH declared declared_count)
message(STATUS "${LIBRARY} exports ${declared_count} C API functions")
if(missing OR extra)
  message(FATAL_ERROR "exports of ${LIBRARY} do not match ${HEADERS}\n"
                      "  declared but not exported: ${missing}\n"
                      "  exported but not declared: ${extra}")
endif()
