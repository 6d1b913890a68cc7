# lit configuration for Kiln's FileCheck tests.
#
# ctest runs each test file on its own (see CMakeLists.txt), passing the build's tool
# folder and output folder as lit parameters:
#   lit-22 --param kiln_bin_dir=build/bin --param kiln_test_output=build/tests/lit FILE
import os

import lit.formats

config.name = "Kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
# Inputs/ folders hold files that tests read, not tests.
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)

params = lit_config.params
bin_dir = params.get("kiln_bin_dir")
if not bin_dir:
    lit_config.fatal("pass --param kiln_bin_dir=<build>/bin (ctest does this)")
config.test_exec_root = params.get(
    "kiln_test_output", os.path.join(os.path.dirname(bin_dir), "tests", "lit"))
llvm_tools_dir = params.get("llvm_tools_dir", "/usr/lib/llvm-22/bin")
kiln_source_dir = os.path.dirname(os.path.dirname(config.test_source_root))

# The tools under test first, then LLVM's FileCheck, not and count.
config.environment["PATH"] = os.pathsep.join(
    [bin_dir, llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%kiln_src", kiln_source_dir))

# For tests that build C programs against the runtime and compiled models.
config.substitutions.append(
    ("%kiln_runtime_include", os.path.join(kiln_source_dir, "runtime", "include")))
config.substitutions.append(
    ("%kiln_lib_dir", os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "lib")))
# The build folder itself, for scripts that take it (scripts/run-example.sh).
config.substitutions.append(
    ("%kiln_build_dir", os.path.dirname(os.path.abspath(bin_dir))))

# kiln-run's compile cache lives under the test output folder, never in the
# home folder of whoever runs the tests. Tests that need a fresh cache set
# XDG_CACHE_HOME themselves.
config.environment["XDG_CACHE_HOME"] = os.path.abspath(
    os.path.join(config.test_exec_root, "xdg-cache"))

# The CUDA toolkit's PTX assembler, for the compile-only CUDA tests: PTX that
# ptxas accepts for an sm_ target is valid for it. Tests that need it say
# `REQUIRES: ptxas` and are reported unsupported where the toolkit is absent.
cuda_root = os.environ.get("CUDA_PATH") or "/usr/local/cuda"
ptxas = os.path.join(cuda_root, "bin", "ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
    # The toolkit's stub libcuda (not a driver), for the "no CUDA device" tests.
    config.substitutions.append(
        ("%cuda_stub_driver", os.path.join(cuda_root, "lib64", "stubs", "libcuda.so")))
