#!/usr/bin/python3
"""Kiln's benchmarks: models against ONNX Runtime and PyTorch, kernels against oneDNN.

  /usr/bin/python3 benchmarks/bench.py --build BUILD [--quick] [options]

benchmarks/run.sh installs what this needs and builds Kiln first; see
benchmarks/README.md for what is measured and what the columns mean. Steps:

 1. export the models and kernel shapes (export_models.py) into BUILD/benchmarks/;
 2. build the C runner and the microbenchmark programs;
 3. per model: kiln-compile -O3 --timings; then per thread count, each framework in its
    own process (kiln_runner, ort_runner.js, torch_runner.py): warm-up, timed runs,
    outputs compared with PyTorch's reference (rtol 1e-3, atol 1e-4) - a framework whose
    output disagrees gets no time in the table, only the disagreement;
 4. a cached kiln-run start (compile once into a fresh cache, then time five starts from it);
 5. microbenchmarks: FMA peak, SGEMM and ResNet-50's conv layers, Kiln vs oneDNN;
 6. writes RESULTS.md (and results.json next to it in the build folder), prints a summary.

Nothing here is asserted: a model that fails anywhere is reported as "n/a (reason)".
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import models  # noqa: E402

ALL_MODELS = ["resnet18", "resnet50", "mobilenet_v2", "squeezenet1_1", "lstm_lm", "bert_encoder",
              "dcgan_generator"]
QUICK_MODELS = ["resnet18", "squeezenet1_1", "dcgan_generator"]
SGEMM_SIZES = [256, 512, 1024, 2048]
QUICK_SGEMM_SIZES = [256, 512]
QUICK_CONV_SHAPES = 3
FRAMEWORKS = ["kiln", "ort", "torch"]
FRAMEWORK_TITLES = {"kiln": "Kiln", "ort": "ORT", "torch": "PyTorch"}
RTOL, ATOL = 1e-3, 1e-4
# The targets, printed next to what was measured (not asserted).
COMPILE_TARGET_S = 30.0
CACHED_START_TARGET_MS = 100.0


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


def warn(message):
    """Problems that make a figure missing or wrong: impossible to overlook in the log."""
    print("bench: *** " + message + " ***", file=sys.stderr, flush=True)


def run_command(command, env=None, timeout=3600):
    """Runs `command`; returns (exit status, stdout, stderr, seconds)."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "", "timed out after %d s" % timeout, time.perf_counter() - start
    return result.returncode, result.stdout, result.stderr, time.perf_counter() - start


def short_reason(stderr, limit=140):
    """The most telling line of a tool's error output, for an n/a cell."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    text = (errors or lines or ["no output"])[0]
    text = text.replace("|", "/")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def last_json(stdout):
    """The JSON object a runner printed: the whole output (kiln-run --json prints one object
    over several lines) or its last one-line object."""
    try:
        return json.loads(stdout)
    except ValueError:
        pass
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON in output: %r" % stdout[-300:])


def load_average():
    return os.getloadavg()[0]


# --- Machine description ------------------------------------------------------------


def read_text(path):
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return ""


def machine_description(tools):
    cpuinfo = read_text("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    flags = set((re.search(r"^flags\s*:\s*(.*)$", cpuinfo, re.M) or [None, ""])[1].split())
    lscpu = run_command(["lscpu"])[1]

    def lscpu_field(name):
        match = re.search(r"^\s*%s:\s*(.*)$" % re.escape(name), lscpu, re.M)
        return match.group(1).strip() if match else "?"

    memory = re.search(r"^MemTotal:\s*(\d+) kB", read_text("/proc/meminfo"), re.M)
    os_name = re.search(r'^PRETTY_NAME="(.*)"', read_text("/etc/os-release"), re.M)
    interesting = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
                   "amx_tile"]
    kiln_version = run_command([tools["kiln-compile"], "--version"])[1].strip().replace("\n", "; ")
    commit = run_command(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"])[1].strip()
    dirty = run_command(["git", "-C", SOURCE, "status", "--porcelain", "--untracked-files=no"])[1]
    torch_info = run_command([sys.executable, "-c",
                              "import torch; print(torch.__version__); "
                              "print(torch.__config__.show())"])[1]
    blas = re.search(r"BLAS_INFO=([^,]*)", torch_info)
    capability = re.search(r"CPU capability usage: (\S+)", torch_info)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cpu_family_model": "family %s, model %s" % (lscpu_field("CPU family"), lscpu_field("Model")),
        "cores": "%d logical CPUs (%s thread(s) per core, %s socket(s))" % (
            os.cpu_count(), lscpu_field("Thread(s) per core"), lscpu_field("Socket(s)")),
        "caches": "L1d %s, L2 %s, L3 %s" % (lscpu_field("L1d cache"), lscpu_field("L2 cache"),
                                           lscpu_field("L3 cache")),
        "hypervisor": lscpu_field("Hypervisor vendor"),
        "flags": ", ".join("%s %s" % (flag, "yes" if flag in flags else "no") for flag in interesting),
        "memory": "%.1f GiB" % (int(memory.group(1)) / 2**20) if memory else "?",
        "os": "%s, Linux %s" % (os_name.group(1) if os_name else "?", platform.release()),
        "kiln": "%s (commit %s%s)" % (kiln_version, commit, ", with uncommitted changes" if dirty else ""),
        "torch": "%s (Debian build: BLAS %s, CPU capability %s)" % (
            torch_info.splitlines()[0] if torch_info else "?", blas.group(1) if blas else "?",
            capability.group(1) if capability else "?"),
        "node": run_command(["node", "--version"])[1].strip(),
        "cc": run_command(["cc", "--version"])[1].splitlines()[0],
    }


# --- Building the helper programs ---------------------------------------------------


def build_programs(build, work):
    """Compiles the C runner and the microbenchmark programs into WORK/bin."""
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    lib_dir = os.path.join(build, "lib")
    programs = {
        "kiln_runner": ["cc", "-std=c11", "-O2", "-Wall", "-Wextra",
                        "-I" + os.path.join(SOURCE, "runtime", "include"),
                        os.path.join(HERE, "runners", "kiln_runner.c"), "-L" + lib_dir,
                        "-lkiln_runtime", "-lm", "-Wl,-rpath," + os.path.abspath(lib_dir)],
        "fma_peak": ["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-pthread",
                     os.path.join(HERE, "micro", "fma_peak.c")],
        "onednn_bench": ["c++", "-std=c++17", "-O2", "-Wall", "-Wextra",
                         os.path.join(HERE, "micro", "onednn_bench.cpp"), "-ldnnl"],
    }
    paths = {}
    for name, command in programs.items():
        path = os.path.join(bin_dir, name)
        status, _, stderr, _ = run_command(command + ["-o", path])
        if status != 0:
            sys.exit("bench: cannot build %s:\n%s" % (name, stderr))
        paths[name] = path
    return paths


# --- Kiln compile -------------------------------------------------------------------


def parse_timings(stderr):
    """kiln-compile --timings' stage lines: {stage: ms}."""
    stages = {}
    for match in re.finditer(r"^\s{2}(\S.*?)\s+([0-9.]+) ms$", stderr, re.M):
        stages[match.group(1)] = float(match.group(2))
    return stages


def kiln_compile(tools, model_path, library, extra=()):
    """Compiles with -O3 --timings; returns {"ok", "seconds", "stages"} or {"ok": False, "reason"}."""
    os.makedirs(os.path.dirname(library), exist_ok=True)
    command = [tools["kiln-compile"], model_path, "-O3", "--timings", "--no-header", "-o", library]
    command += list(extra)
    status, _, stderr, seconds = run_command(command)
    if status != 0:
        return {"ok": False, "reason": "kiln-compile: " + short_reason(stderr)}
    stages = parse_timings(stderr)
    return {"ok": True, "seconds": stages.get("total", seconds * 1e3) / 1e3, "wall_seconds": seconds,
            "stages": stages}


# --- Running and checking -----------------------------------------------------------


def compare_outputs(case_dir, manifest, output_dir):
    """None when every output matches PyTorch's reference, else what differs."""
    for index, spec in enumerate(manifest["outputs"]):
        expected = np.fromfile(os.path.join(case_dir, spec["file"]), dtype=spec["dtype"])
        path = os.path.join(output_dir, "output_%d.bin" % index)
        if not os.path.exists(path):
            return "output %d missing" % index
        actual = np.fromfile(path, dtype=spec["dtype"])
        if actual.shape != expected.shape:
            return "output %d has %d elements, expected %d" % (index, actual.size, expected.size)
        if not np.all(np.isfinite(actual)):
            return "output %d has NaN or infinite values" % index
        # The absolute tolerance scales with the output's magnitude: with random
        # weights ResNet-50's logits reach +-500, and float32 sums of that size
        # differ by more than 1e-4 between correct implementations on the elements
        # near zero (errors follow the partial sums, not each element).
        atol = ATOL * max(1.0, float(np.max(np.abs(expected))))
        if not np.allclose(actual, expected, rtol=RTOL, atol=atol):
            excess = np.max(np.abs(actual - expected) - atol - RTOL * np.abs(expected))
            return "output %d differs from PyTorch: max |diff| %.3g, %.3g above the tolerance" % (
                index, float(np.max(np.abs(actual - expected))), float(excess))
    return None


def timing_arguments(settings):
    return ["--warmup", str(settings["warmup"]), "--runs", str(settings["runs"]),
            "--min-runs", str(settings["min_runs"]), "--min-seconds", str(settings["min_seconds"]),
            "--max-seconds", str(settings["max_seconds"])]


def framework_command(framework, tools, name, case_dir, library, threads, settings, output_dir):
    manifest = os.path.join(case_dir, "manifest.json")
    if framework == "kiln":
        with open(manifest) as stream:
            inputs = [os.path.join(case_dir, spec["file"]) for spec in json.load(stream)["inputs"]]
        return [tools["kiln_runner"], "--library", library, "--threads", str(threads),
                "--output-dir", output_dir] + timing_arguments(settings) + inputs
    if framework == "ort":
        return ["node", os.path.join(HERE, "runners", "ort_runner.js"), "--model",
                os.path.join(case_dir, "model.onnx"), "--manifest", manifest, "--threads",
                str(threads), "--output-dir", output_dir] + timing_arguments(settings)
    return [sys.executable, os.path.join(HERE, "runners", "torch_runner.py"), "--name", name,
            "--manifest", manifest, "--threads", str(threads), "--output-dir",
            output_dir] + timing_arguments(settings)


def framework_env(framework, threads, node_path):
    env = dict(os.environ, NODE_PATH=node_path)
    # PyTorch's and oneDNN's OpenMP pools size themselves from OMP_NUM_THREADS;
    # set it to T for every framework so none gets more threads than asked.
    env["OMP_NUM_THREADS"] = str(threads)
    return env


def run_framework(framework, tools, name, case_dir, library, threads, settings, work, node_path):
    """Times one framework on one model; returns its result dict ("ok" False: reason)."""
    output_dir = os.path.join(work, "outputs", name, "%s_t%d" % (framework, threads))
    shutil.rmtree(output_dir, ignore_errors=True)
    os.makedirs(output_dir)
    command = framework_command(framework, tools, name, case_dir, library, threads, settings,
                                output_dir)
    load = load_average()
    status, stdout, stderr, _ = run_command(command, env=framework_env(framework, threads, node_path))
    if status != 0:
        return {"ok": False, "reason": "%s: %s" % (FRAMEWORK_TITLES[framework], short_reason(stderr))}
    result = last_json(stdout)
    result["ok"] = True
    result["load_average"] = load
    with open(os.path.join(case_dir, "manifest.json")) as stream:
        mismatch = compare_outputs(case_dir, json.load(stream), output_dir)
    if mismatch:
        warn("%s on %s (%d threads): WRONG OUTPUT, time not reported: %s" %
             (FRAMEWORK_TITLES[framework], name, threads, mismatch))
        return {"ok": False, "wrong": True, "reason": "wrong output: " + mismatch,
                "p50_ms_of_wrong_model": result["p50_ms"]}
    return result


def benchmark_model(name, tools, work, thread_counts, settings, node_path):
    case_dir = os.path.join(work, "models", name)
    library = os.path.join(work, "kiln", name + ".so")
    log("%s: kiln-compile -O3" % name)
    compile_result = kiln_compile(tools, os.path.join(case_dir, "model.onnx"), library)
    if compile_result["ok"]:
        log("%s: compiled in %.1f s" % (name, compile_result["seconds"]))
    else:
        warn("%s: %s" % (name, compile_result["reason"]))
    runs = {}
    for threads in thread_counts:
        for framework in FRAMEWORKS:
            if framework == "kiln" and not compile_result["ok"]:
                runs["%s_t%d" % (framework, threads)] = {"ok": False, "reason": compile_result["reason"]}
                continue
            result = run_framework(framework, tools, name, case_dir, library, threads, settings, work,
                                   node_path)
            runs["%s_t%d" % (framework, threads)] = result
            log("%s, %d thread(s), %s: %s" % (name, threads, FRAMEWORK_TITLES[framework],
                                              "p50 %.2f ms" % result["p50_ms"] if result["ok"]
                                              else "n/a (%s)" % result["reason"]))
    return {"compile": compile_result, "runs": runs}


def baselines(tools, node_path):
    """Peak RSS of each runner with its framework loaded but no model (what a model adds
    is the difference)."""
    commands = {"kiln": [tools["kiln_runner"], "--baseline"],
                "ort": ["node", os.path.join(HERE, "runners", "ort_runner.js"), "--baseline"],
                "torch": [sys.executable, os.path.join(HERE, "runners", "torch_runner.py"), "--baseline"]}
    results = {}
    for framework, command in commands.items():
        status, stdout, stderr, _ = run_command(command, env=dict(os.environ, NODE_PATH=node_path))
        results[framework] = last_json(stdout) if status == 0 else {"error": short_reason(stderr)}
    return results


CACHED_STARTS = 5


def cached_start(tools, work, name):
    """Compiles `name` with kiln-run -O3 into a fresh cache, then starts it CACHED_STARTS more
    times from the cache; the start whose start-up (below) is the median is reported, and the
    range of all of them. One process alone is at the mercy of a moment of load."""
    cache = os.path.join(work, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    command = [tools["kiln-run"], os.path.join(work, "models", name, "model.onnx"), "-O3",
               "--random-inputs", "--json"]
    results = []
    for attempt in ["first"] + ["cached"] * CACHED_STARTS:
        status, stdout, stderr, seconds = run_command(command, env=env)
        if status != 0:
            return {"ok": False, "reason": "kiln-run (%s start): %s" % (attempt, short_reason(stderr))}
        result = last_json(stdout)
        result["process_seconds"] = seconds
        # The whole process (exec, read the model, hash it, load the library, exit) without
        # the one run of the model it does.
        result["start_ms"] = seconds * 1e3 - result["p50_ms"]
        results.append(result)
    first, starts = results[0], sorted(results[1:], key=lambda r: r["start_ms"])
    cached = starts[len(starts) // 2]
    return {"ok": True, "model": name, "first_compile_ms": first["compile_ms"],
            "cached": all(r["cached"] for r in starts), "cached_compile_ms": cached["compile_ms"],
            "cached_load_ms": cached["load_ms"], "cached_run_ms": cached["p50_ms"],
            "cached_process_ms": cached["process_seconds"] * 1e3,
            "cached_start_ms": cached["start_ms"], "cached_starts": len(starts),
            "cached_start_min_ms": starts[0]["start_ms"],
            "cached_start_max_ms": starts[-1]["start_ms"]}


# --- Microbenchmarks ----------------------------------------------------------------


def kiln_kernel(tools, work, case, variant, extra, settings):
    """Compiles and times one microbenchmark model with Kiln; checks its output."""
    case_dir = os.path.join(work, "micro", case)
    library = os.path.join(work, "kiln-micro", variant, case + ".so")
    compiled = kiln_compile(tools, os.path.join(case_dir, "model.onnx"), library, extra)
    if not compiled["ok"]:
        return compiled
    output_dir = os.path.join(work, "outputs", "micro", variant, case)
    shutil.rmtree(output_dir, ignore_errors=True)
    os.makedirs(output_dir)
    with open(os.path.join(case_dir, "manifest.json")) as stream:
        manifest = json.load(stream)
    command = [tools["kiln_runner"], "--library", library, "--threads", "1", "--output-dir",
               output_dir] + timing_arguments(settings)
    command += [os.path.join(case_dir, spec["file"]) for spec in manifest["inputs"]]
    status, stdout, stderr, _ = run_command(command)
    if status != 0:
        return {"ok": False, "reason": "kiln_runner: " + short_reason(stderr)}
    result = last_json(stdout)
    mismatch = compare_outputs(case_dir, manifest, output_dir)
    if mismatch:
        warn("Kiln %s on %s: WRONG OUTPUT, time not reported: %s" % (variant, case, mismatch))
        return {"ok": False, "reason": "wrong output: " + mismatch}
    return {"ok": True, "p50_ms": result["p50_ms"], "runs": result["runs"]}


def onednn_kernel(tools, arguments, settings):
    command = [tools["onednn_bench"]] + arguments + ["--runs", str(settings["runs"]), "--warmup",
                                                     str(settings["warmup"])]
    status, stdout, stderr, _ = run_command(command, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if status != 0:
        return {"ok": False, "reason": "oneDNN: " + short_reason(stderr)}
    result = last_json(stdout)
    result["ok"] = True
    return result


def microbenchmarks(tools, work, quick, settings, kiln_variants):
    log("microbenchmarks: FMA peak")
    peak = {}
    for threads in (1, os.cpu_count() or 1):
        status, stdout, stderr, _ = run_command([tools["fma_peak"], str(threads)])
        peak[threads] = last_json(stdout) if status == 0 else {"error": short_reason(stderr)}
    results = {"peak": peak, "sgemm": [], "conv": [], "kiln_variants": [v for v, _ in kiln_variants]}
    for size in (QUICK_SGEMM_SIZES if quick else SGEMM_SIZES):
        log("microbenchmarks: SGEMM %d" % size)
        row = {"size": size, "flops": 2.0 * size**3}
        for variant, extra in kiln_variants:
            row[variant] = kiln_kernel(tools, work, "sgemm_%d" % size, variant, extra, settings)
        row["onednn"] = onednn_kernel(tools, ["matmul", str(size), str(size), str(size)], settings)
        results["sgemm"].append(row)
    with open(os.path.join(work, "micro", "conv_shapes.json")) as stream:
        shapes = json.load(stream)
    for shape in (shapes[:QUICK_CONV_SHAPES] if quick else shapes):
        log("microbenchmarks: %s" % shape["name"])
        h, w = shape["input"]
        kh, kw = shape["kernel"]
        oh = (h + 2 * shape["padding"] - kh) // shape["stride"] + 1
        ow = (w + 2 * shape["padding"] - kw) // shape["stride"] + 1
        row = dict(shape, flops=2.0 * shape["out_channels"] * oh * ow * shape["in_channels"] * kh * kw)
        for variant, extra in kiln_variants:
            row[variant] = kiln_kernel(tools, work, shape["name"], variant, extra, settings)
        row["onednn"] = onednn_kernel(tools, ["conv"] + [str(v) for v in (
            shape["in_channels"], shape["out_channels"], kh, kw, shape["stride"], shape["padding"], h,
            w)], settings)
        results["conv"].append(row)
    return results


# --- Report -------------------------------------------------------------------------


def fmt_ms(value):
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    return "%.2f" % value


def fmt_mib(kib):
    return "%.0f" % (kib / 1024.0)


def cell(result, key="p50_ms"):
    if result is None:
        return "-"
    if not result.get("ok"):
        return "n/a (%s)" % result["reason"]
    return fmt_ms(result[key])


def ratio(a, b):
    if a and b and a.get("ok") and b.get("ok"):
        return "%.2fx" % (a["p50_ms"] / b["p50_ms"])
    return "-"


def model_table(results, thread_counts):
    lines = ["| model | threads | Kiln p50 ms | ORT p50 ms | PyTorch p50 ms | Kiln/ORT | Kiln/PyTorch "
             "| Kiln p90 | ORT p90 | PyTorch p90 | peak RSS MiB Kiln / ORT / PyTorch | runs K/O/P "
             "| load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, model in results.items():
        for threads in thread_counts:
            runs = {f: model["runs"].get("%s_t%d" % (f, threads)) for f in FRAMEWORKS}
            rss = " / ".join(fmt_mib(r["peak_rss_kib"]) if r and r.get("ok") else "-"
                             for r in runs.values())
            counts = "/".join(str(r["runs"]) if r and r.get("ok") else "-" for r in runs.values())
            loads = [r["load_average"] for r in runs.values() if r and r.get("ok")]
            lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, threads, cell(runs["kiln"]), cell(runs["ort"]), cell(runs["torch"]),
                ratio(runs["kiln"], runs["ort"]), ratio(runs["kiln"], runs["torch"]),
                cell(runs["kiln"], "p90_ms") if runs["kiln"] and runs["kiln"].get("ok") else "-",
                cell(runs["ort"], "p90_ms") if runs["ort"] and runs["ort"].get("ok") else "-",
                cell(runs["torch"], "p90_ms") if runs["torch"] and runs["torch"].get("ok") else "-",
                rss, counts, "%.1f" % max(loads) if loads else "-"))
    return lines


def summary_table(results, thread_counts):
    """The short table printed at the end (and at the top of RESULTS.md)."""
    lines = ["| model | threads | Kiln ms | ORT ms | PyTorch ms | Kiln/ORT | Kiln/PyTorch |",
             "|---|---|---|---|---|---|---|"]
    for name, model in results.items():
        for threads in thread_counts:
            runs = {f: model["runs"].get("%s_t%d" % (f, threads)) for f in FRAMEWORKS}

            def short(result):
                if not result.get("ok"):
                    return "WRONG" if result.get("wrong") else "n/a"
                return fmt_ms(result["p50_ms"])
            lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                name, threads, short(runs["kiln"]), short(runs["ort"]), short(runs["torch"]),
                ratio(runs["kiln"], runs["ort"]), ratio(runs["kiln"], runs["torch"])))
    return lines


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def micro_section(micro):
    peak1 = micro["peak"].get(1, {})
    peak_all = {k: v for k, v in micro["peak"].items() if k != 1}
    per_core = peak1.get("gflops")
    variants = micro["kiln_variants"]
    titles = {"codegen": "Kiln (codegen)", "onednn-kernels": "Kiln (oneDNN kernels)"}
    lines = ["### FMA peak", ""]
    if per_core:
        lines.append("Measured with `micro/fma_peak.c` (%s FMAs, 16 independent chains, best of "
                     "2000 repetitions of ~1 ms): **%.1f GFLOP/s on one core** (median repetition "
                     "%.1f)." % (peak1["isa"].upper(), per_core, peak1["median_gflops"]))
        for threads, value in peak_all.items():
            if "gflops" in value:
                lines.append("With %d threads at once: %.1f GFLOP/s in total (%.1f per thread)." % (
                    threads, value["gflops"], value["gflops_per_thread"]))
        lines.append("")
    else:
        lines += ["n/a (%s)" % peak1.get("error", "not measured"), ""]

    def gflops_cell(result, flops):
        if not result.get("ok"):
            return "n/a (%s)" % result["reason"]
        gflops = flops / (result["p50_ms"] * 1e6)
        pct = " (%.0f%%)" % (100 * gflops / per_core) if per_core else ""
        return "%s ms, %.1f GFLOP/s%s" % (fmt_ms(result["p50_ms"]), gflops, pct)

    lines += ["### SGEMM (one thread)", "",
              "C = A·B, all N×N row-major fp32, both operands inputs. Cells: p50 time, GFLOP/s "
              "(2N³ / p50) and % of the one-core FMA peak.", "",
              "| N | " + " | ".join(titles.get(v, v) for v in variants) + " | oneDNN | "
              + " | ".join("%s / oneDNN" % titles.get(v, v) for v in variants) + " |",
              "|---|" + "---|" * (2 * len(variants) + 1)]
    for row in micro["sgemm"]:
        cells = [gflops_cell(row[v], row["flops"]) for v in variants]
        cells.append(gflops_cell(row["onednn"], row["flops"]))
        cells += [ratio(row[v], row["onednn"]) for v in variants]
        lines.append("| %d | %s |" % (row["size"], " | ".join(cells)))
    impls = sorted({row["onednn"].get("impl", "?") for row in micro["sgemm"] if row["onednn"].get("ok")})
    lines += ["", "oneDNN implementation: %s." % ", ".join(impls) if impls else "", ""]

    lines += ["### ResNet-50 convolutions (batch 1, one thread)", "",
              "Every distinct Conv layer of torchvision ResNet-50 (count = how often it occurs). Kiln: "
              "a one-Conv ONNX model, weights as an initializer. oneDNN: `convolution_forward`, "
              "layouts `any`, reorders not timed.", "",
              "| layer (in→out, kernel, stride, input) | count | " +
              " | ".join(titles.get(v, v) for v in variants) + " | oneDNN | " +
              " | ".join("%s / oneDNN" % titles.get(v, v) for v in variants) + " |",
              "|---|---|" + "---|" * (2 * len(variants) + 1)]
    for row in micro["conv"]:
        label = "%d→%d, %dx%d, s%d, %dx%d" % (row["in_channels"], row["out_channels"], row["kernel"][0],
                                             row["kernel"][1], row["stride"], row["input"][0],
                                             row["input"][1])
        cells = [gflops_cell(row[v], row["flops"]) for v in variants]
        cells.append(gflops_cell(row["onednn"], row["flops"]))
        cells += [ratio(row[v], row["onednn"]) for v in variants]
        lines.append("| %s | %d | %s |" % (label, row["count"], " | ".join(cells)))
    lines.append("")
    for variant in variants:
        pairs = [(row[variant], row["onednn"], row["count"]) for row in micro["conv"]
                 if row[variant].get("ok") and row["onednn"].get("ok")]
        if pairs:
            mean = geomean([k["p50_ms"] / o["p50_ms"] for k, o, _ in pairs])
            kiln_total = sum(c * k["p50_ms"] for k, _, c in pairs)
            onednn_total = sum(c * o["p50_ms"] for _, o, c in pairs)
            lines.append("%s / oneDNN over %d layers: **geomean %.2fx**; all of ResNet-50's convs "
                         "(each layer times its count): %s ms vs %s ms, %.2fx." % (
                             titles.get(variant, variant), len(pairs), mean, fmt_ms(kiln_total),
                             fmt_ms(onednn_total), kiln_total / onednn_total))
        else:
            lines.append("%s / oneDNN: no layer measured by both." % titles.get(variant, variant))
    return lines


def write_results(path, machine, settings, thread_counts, results, compile_times, start, micro,
                  base, load_start, load_end, has_onednn_option, quick):
    lines = ["# Kiln benchmark results", "",
             "Written by `benchmarks/run.sh%s` on %s. Every figure below comes from that run; "
             "[README.md](README.md) says how each is measured. Ratios are Kiln's time divided by "
             "the other's: **above 1 means Kiln is slower**." % (" --quick" if quick else "",
                                                                 machine["date"]), "",
             "Kiln runs with its default kernels (`--cpu-kernels=auto`: oneDNN for convolutions "
             "and matrix products, generated code for the rest); the session's `num_threads` "
             "is the kernels' OpenMP thread count and the parallelism of generated loops "
             "(tasks on the same OpenMP threads).", "",
             "## Machine", "",
             "| | |", "|---|---|"]
    for key, title in (("date", "date"), ("cpu", "CPU"), ("cpu_family_model", "CPU id"),
                       ("cores", "cores"), ("caches", "caches"), ("hypervisor", "hypervisor"),
                       ("flags", "flags"), ("memory", "memory"), ("os", "OS"), ("kiln", "Kiln"),
                       ("ort", "ONNX Runtime"), ("torch", "PyTorch"), ("onednn", "oneDNN"),
                       ("node", "Node.js"), ("cc", "C compiler")):
        lines.append("| %s | %s |" % (title, machine.get(key, "?")))
    lines.append("| load average (1 min) | %.1f at the start, %.1f at the end |" % (load_start,
                                                                                   load_end))
    lines += ["", "The machine is shared (other engineers build on it): the `load` column gives "
              "the highest 1-minute load average seen when that row's three runs started. With "
              "a load above the number of cores, a run shares its core and its time grows; "
              "compare ratios within a row, which were measured minutes apart.", "",
              "Timing: %d warm-up runs, then up to %d timed runs (at least %d; a framework stops "
              "after %g s once it has those), or more for fast models until %g s have passed, "
              "so that a percentile spans more than a moment of the machine's load. Each "
              "framework runs in its own process." % (
                  settings["warmup"], settings["runs"], settings["min_runs"],
                  settings["max_seconds"], settings["min_seconds"]), "",
              "## Summary", ""]
    lines += summary_table(results, thread_counts)
    lines += ["", "## Models", "",
              "Same seeded input for all three; each framework's output was compared with "
              "PyTorch's (rtol %g, atol %g times the output's largest magnitude, at least 1) "
              "before its time was accepted. Peak RSS is the "
              "process's `ru_maxrss` (includes the framework's own footprint, see the baseline "
              "below)." % (RTOL, ATOL), ""]
    lines += model_table(results, thread_counts)
    lines += ["", "| model | what it is |", "|---|---|"]
    for name in results:
        lines.append("| %s | %s |" % (name, models.DESCRIPTIONS[name]))
    lines += ["", "Process baseline (runner with its framework loaded, no model): " + ", ".join(
        "%s %s MiB" % (FRAMEWORK_TITLES[f], fmt_mib(b["peak_rss_kib"]) if "peak_rss_kib" in b else
                       "n/a") for f, b in base.items()) + ".", ""]

    lines += ["## Compile time and start-up", "",
              "`kiln-compile -O3 --timings` (total of its stages; target for ResNet-50: at most "
              "%g s):" % COMPILE_TARGET_S, "",
              "| model | compile s | slowest stage |", "|---|---|---|"]
    for name, compiled in compile_times.items():
        if compiled["ok"]:
            stages = {k: v for k, v in compiled["stages"].items() if k != "total"}
            slowest = max(stages.items(), key=lambda kv: kv[1]) if stages else ("?", 0)
            lines.append("| %s | %.1f | %s (%.1f s) |" % (name, compiled["seconds"], slowest[0],
                                                          slowest[1] / 1e3))
        else:
            lines.append("| %s | n/a (%s) | |" % (name, compiled["reason"]))
    lines.append("")
    if start and start.get("ok"):
        lines += ["Cached start of `kiln-run %s.onnx -O3 --random-inputs --json` (target: under "
                  "%g ms): the first run compiled for %.1f s into an empty cache; %d more "
                  "found it (`cached: %s`, compile_ms %g). The median of them reported "
                  "**load_ms %.1f** (read and hash the model, verify and load the cached "
                  "library); its whole process took %.0f ms, of which %.0f ms was the one run of "
                  "the model: **%.0f ms of start-up and exit** (%.0f to %.0f ms over the %d)." % (
                      start["model"], CACHED_START_TARGET_MS, start["first_compile_ms"] / 1e3,
                      start["cached_starts"], str(start["cached"]).lower(),
                      start["cached_compile_ms"], start["cached_load_ms"],
                      start["cached_process_ms"], start["cached_run_ms"], start["cached_start_ms"],
                      start["cached_start_min_ms"], start["cached_start_max_ms"],
                      start["cached_starts"]), ""]
    elif start:
        lines += ["Cached start: n/a (%s)" % start["reason"], ""]

    lines += ["## Kernel microbenchmarks", ""]
    if micro:
        if not has_onednn_option:
            lines += ["`kiln-compile` has no `--cpu-kernels` option yet, so Kiln is measured with "
                      "its generated code only (column \"Kiln (codegen)\").", ""]
        lines += micro_section(micro)
    else:
        lines.append("Not run (--skip-micro).")
    lines.append("")
    with open(path, "w") as stream:
        stream.write("\n".join(lines))


# --- Main ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, help="Kiln's build folder (tools in BUILD/bin)")
    parser.add_argument("--quick", action="store_true",
                        help="3 small models, fewer runs, 2 SGEMM sizes, 3 conv layers")
    parser.add_argument("--models", help="comma-separated subset of: " + ", ".join(ALL_MODELS))
    parser.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    parser.add_argument("--runs", type=int, help="timed runs per framework (default 30; quick 5)")
    parser.add_argument("--warmup", type=int, help="warm-up runs (default 3; quick 1)")
    parser.add_argument("--max-seconds", type=float,
                        help="stop timing a framework after this long (default 20; quick 5)")
    parser.add_argument("--skip-micro", action="store_true", help="no kernel microbenchmarks")
    parser.add_argument("--results", help="the report (default benchmarks/RESULTS.md; quick: "
                        "BUILD/benchmarks/RESULTS-quick.md)")
    parser.add_argument("--node-path", help="folder holding node_modules/onnxruntime-node")
    args = parser.parse_args()

    build = os.path.abspath(args.build)
    work = os.path.join(build, "benchmarks")
    os.makedirs(work, exist_ok=True)
    node_path = args.node_path or os.path.join(work, "npm", "node_modules")
    names = args.models.split(",") if args.models else (QUICK_MODELS if args.quick else ALL_MODELS)
    for name in names:
        if name not in ALL_MODELS:
            sys.exit("bench: unknown model '%s' (known: %s)" % (name, ", ".join(ALL_MODELS)))
    thread_counts = [int(t) for t in args.threads.split(",")]
    settings = {"warmup": args.warmup if args.warmup is not None else (1 if args.quick else 3),
                "runs": args.runs or (5 if args.quick else 30), "min_runs": 3 if args.quick else 5,
                "min_seconds": 0.0 if args.quick else 2.0,
                "max_seconds": args.max_seconds or (5.0 if args.quick else 20.0)}
    # The kernels are timed over a fixed number of runs, as onednn_bench times oneDNN's.
    micro_settings = {"warmup": 1, "runs": 5 if args.quick else 10, "min_runs": 3, "min_seconds": 0.0,
                      "max_seconds": 5.0 if args.quick else 10.0}
    results_path = args.results or (os.path.join(work, "RESULTS-quick.md") if args.quick
                                    else os.path.join(HERE, "RESULTS.md"))
    tools = {name: os.path.join(build, "bin", name) for name in ("kiln-compile", "kiln-run")}
    for name, path in tools.items():
        if not os.access(path, os.X_OK):
            sys.exit("bench: %s not found: build Kiln first (benchmarks/run.sh does)" % path)
    if not os.path.isdir(os.path.join(node_path, "onnxruntime-node")):
        sys.exit("bench: onnxruntime-node not found under %s (benchmarks/run.sh installs it)" % node_path)

    load_start = load_average()
    log("load average %.1f; models: %s; threads: %s" % (load_start, ", ".join(names), thread_counts))
    # Export what is missing or older than the scripts that define it.
    scripts_time = max(os.path.getmtime(os.path.join(HERE, f)) for f in ("models.py", "export_models.py"))
    wanted = names + ([] if args.skip_micro else ["micro"])
    stale = []
    for name in wanted:
        marker = os.path.join(work, "micro" if name == "micro" else "models/" + name,
                              "conv_shapes.json" if name == "micro" else "manifest.json")
        if not os.path.exists(marker) or os.path.getmtime(marker) < scripts_time:
            stale.append(name)
    if stale:
        log("exporting %s" % ", ".join(stale))
        status, _, stderr, _ = run_command([sys.executable, os.path.join(HERE, "export_models.py"), work]
                                           + stale)
        if status != 0:
            sys.exit("bench: export failed:\n" + stderr)
    tools.update(build_programs(build, work))
    machine = machine_description(tools)
    base = baselines(tools, node_path)
    machine["ort"] = "%s (npm onnxruntime-node, CPU execution provider)" % base["ort"].get("version", "?")

    results, compile_times = {}, {}
    for name in names:
        results[name] = benchmark_model(name, tools, work, thread_counts, settings, node_path)
        compile_times[name] = results[name]["compile"]

    start_model = "resnet50" if "resnet50" in names else names[0]
    log("cached start: kiln-run %s twice with a fresh cache" % start_model)
    start = cached_start(tools, work, start_model)

    status, help_text, _, _ = run_command([tools["kiln-compile"], "--help"])
    has_onednn_option = "--cpu-kernels" in help_text
    kiln_variants = [("codegen", ["--cpu-kernels=codegen"] if has_onednn_option else [])]
    if has_onednn_option:
        kiln_variants.append(("onednn-kernels", ["--cpu-kernels=onednn"]))
    micro = None if args.skip_micro else microbenchmarks(tools, work, args.quick, micro_settings,
                                                         kiln_variants)
    onednn_versions = {row["onednn"].get("version") for row in (micro or {}).get("sgemm", [])
                       if row["onednn"].get("ok")}
    machine["onednn"] = (", ".join(sorted(onednn_versions)) + " (Debian libdnnl, OpenMP, "
                         "OMP_NUM_THREADS=1)") if onednn_versions else "not measured"
    load_end = load_average()

    write_results(results_path, machine, settings, thread_counts, results, compile_times, start,
                  micro, base, load_start, load_end, has_onednn_option, args.quick)
    with open(os.path.join(work, "results.json"), "w") as stream:
        json.dump({"machine": machine, "settings": settings, "models": results, "cached_start": start,
                   "micro": micro, "baselines": base}, stream, indent=1, default=str)
    print("\n".join(summary_table(results, thread_counts)))
    if start and start.get("ok"):
        print("\n%s: kiln-compile -O3 %.1f s; cached kiln-run start: load %.1f ms, process "
              "start-up and exit %.0f ms" % (
                  start["model"], compile_times.get(start["model"], {}).get("seconds", float("nan")),
                  start["cached_load_ms"], start["cached_start_ms"]))
    if micro:
        print("\n".join(line for line in micro_section(micro) if "geomean" in line or "on one core" in line))
    print("\nwrote %s" % results_path)


if __name__ == "__main__":
    main()
