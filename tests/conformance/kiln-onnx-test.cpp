//===- kiln-onnx-test.cpp - Runs the ONNX backend test data through Kiln --===//
//
// For every test case folder (model.onnx + test_data_set_*/input_*.pb and
// output_*.pb) under the chosen folders of the ONNX test data, imports and
// JIT-compiles the model, runs every data set through the runtime, and compares
// each output at rtol 1e-3, atol 1e-7 (NaN equals NaN; integers and bools
// exactly). Each case runs in its own child process with a time limit, so a
// crash or a hang is a FAIL of that case and not the end of the run.
//
// Prints PASS / FAIL (with the largest error) / UNSUPPORTED (with the reason)
// per case and ends with "N passed, M failed, K skipped". With --expected, any
// listed case that does not pass is a regression and the exit status is 1.
//
//===----------------------------------------------------------------------===//

#include "ConformanceCase.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

using namespace llvm;
using namespace kiln::conformance;

static cl::OptionCategory category("kiln-onnx-test options");
static cl::opt<std::string>
    dataRoot("data", cl::desc("The ONNX test data folder"),
             cl::init("/usr/share/libonnx-testdata/data"), cl::cat(category));
static cl::list<std::string>
    folders("folder",
            cl::desc("A folder under --data to run (repeatable; default: "
                     "node, pytorch-converted, pytorch-operator, simple)"),
            cl::cat(category));
static cl::opt<std::string>
    filter("filter", cl::desc("Run only cases whose folder/name matches"),
           cl::value_desc("regex"), cl::cat(category));
static cl::opt<unsigned> jobs("j", cl::desc("Cases run at once (default 2)"),
                              cl::init(2), cl::cat(category));
static cl::opt<unsigned>
    timeoutSeconds("timeout", cl::desc("Seconds per case (default 120)"),
                   cl::init(120), cl::cat(category));
static cl::opt<double>
    relativeTolerance("rtol",
                      cl::desc("Relative tolerance (default 1e-3, ONNX's)"),
                      cl::init(1e-3), cl::cat(category));
static cl::opt<double>
    absoluteTolerance("atol",
                      cl::desc("Absolute tolerance (default 1e-7, ONNX's)"),
                      cl::init(1e-7), cl::cat(category));
static cl::opt<std::string> cpuKernels(
    "cpu-kernels",
    cl::desc("Who runs convolutions and matrix products: auto (default), "
             "onednn or codegen (as kiln-compile's option)"),
    cl::value_desc("auto|onednn|codegen"), cl::init("auto"), cl::cat(category));
static cl::opt<std::string>
    expectedPath("expected",
                 cl::desc("File listing cases that must pass (one per line)"),
                 cl::cat(category));
static cl::opt<bool>
    requirePass("require-pass",
                cl::desc("Exit with status 1 unless every case passes"),
                cl::cat(category));
static cl::opt<std::string>
    writeExpected("write-expected",
                  cl::desc("Write the passing cases to this file"),
                  cl::cat(category));
static cl::opt<std::string>
    reportPath("report",
               cl::desc("Write a Markdown report (counts per "
                        "folder and per op) to this file"),
               cl::cat(category));

namespace {

struct Case {
  std::string id;     // folder/name
  std::string folder; // under --data
  std::string path;   // the case's directory
  CaseResult result;
  int slot = -1;
};

std::vector<Case> collectCases() {
  std::vector<std::string> chosen(folders.begin(), folders.end());
  if (chosen.empty())
    chosen = {"node", "pytorch-converted", "pytorch-operator", "simple"};
  Regex pattern(filter.empty() ? ".*" : filter.getValue());
  std::vector<Case> cases;
  for (const std::string &folder : chosen) {
    SmallString<256> directory(dataRoot);
    sys::path::append(directory, folder);
    std::error_code error;
    std::vector<std::string> names;
    for (sys::fs::directory_iterator it(directory, error), end;
         it != end && !error; it.increment(error))
      if (sys::fs::is_directory(it->path()))
        names.push_back(sys::path::filename(it->path()).str());
    if (error)
      errs() << "kiln-onnx-test: cannot list '" << directory
             << "': " << error.message() << "\n";
    std::sort(names.begin(), names.end());
    for (const std::string &name : names) {
      std::string id = folder + "/" + name;
      if (pattern.match(id))
        cases.push_back({id, folder, (directory + "/" + name).str(), {}, -1});
    }
  }
  return cases;
}

/// A running child: the case it runs, its pid, the pipe it reports on, its
/// start.
struct Child {
  size_t caseIndex;
  pid_t pid;
  int pipe;
  std::string output;
  std::chrono::steady_clock::time_point start;
};

void startChild(std::vector<Case> &cases, size_t index,
                std::vector<Child> &children) {
  int fds[2];
  if (::pipe(fds) != 0) {
    cases[index].result = {CaseStatus::Fail, "cannot create a pipe", {}};
    return;
  }
  outs().flush();
  errs().flush();
  pid_t pid = fork();
  if (pid == 0) {
    ::close(fds[0]);
    CaseResult result =
        runCase(cases[index].path, {relativeTolerance, absoluteTolerance},
                cpuKernels);
    std::string record = serializeResult(result);
    size_t written = 0;
    while (written < record.size()) {
      ssize_t n =
          ::write(fds[1], record.data() + written, record.size() - written);
      if (n <= 0)
        break;
      written += n;
    }
    ::close(fds[1]);
    _exit(0);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    cases[index].result = {CaseStatus::Fail, "cannot fork", {}};
    return;
  }
  children.push_back(
      {index, pid, fds[0], "", std::chrono::steady_clock::now()});
}

/// Reads from children until one finishes (or times out), records its result.
void reapOne(std::vector<Case> &cases, std::vector<Child> &children) {
  while (true) {
    std::vector<pollfd> fds;
    for (const Child &child : children)
      fds.push_back({child.pipe, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 200);
    for (size_t i = 0; i < children.size(); ++i) {
      Child &child = children[i];
      bool finished = false;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buffer[4096];
        ssize_t n = ::read(child.pipe, buffer, sizeof(buffer));
        if (n > 0)
          child.output.append(buffer, n);
        else
          finished = true;
      }
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - child.start)
                           .count();
      bool timedOut = !finished && seconds > timeoutSeconds;
      if (!finished && !timedOut)
        continue;
      if (timedOut)
        ::kill(child.pid, SIGKILL);
      int status = 0;
      ::waitpid(child.pid, &status, 0);
      ::close(child.pipe);
      CaseResult &result = cases[child.caseIndex].result;
      if (timedOut)
        result = {CaseStatus::Fail,
                  "timed out after " + std::to_string(timeoutSeconds) + " s",
                  {}};
      else if (WIFSIGNALED(status))
        result = {CaseStatus::Fail,
                  std::string("crashed with signal ") +
                      strsignal(WTERMSIG(status)),
                  {}};
      else
        result = parseResult(child.output);
      children.erase(children.begin() + i);
      return;
    }
  }
}

void printResult(const Case &c) {
  const char *label = c.result.status == CaseStatus::Pass   ? "PASS"
                      : c.result.status == CaseStatus::Fail ? "FAIL"
                                                            : "UNSUPPORTED";
  outs() << label << " " << c.id;
  if (!c.result.message.empty())
    outs() << ": " << c.result.message;
  outs() << "\n";
  outs().flush();
}

std::set<std::string> readLines(StringRef path) {
  std::set<std::string> lines;
  std::ifstream stream(path.str());
  std::string line;
  while (std::getline(stream, line)) {
    StringRef trimmed = StringRef(line).trim();
    if (!trimmed.empty() && !trimmed.starts_with("#"))
      lines.insert(trimmed.str());
  }
  return lines;
}

void writeReport(const std::vector<Case> &cases, StringRef path) {
  std::error_code error;
  raw_fd_ostream os(path, error);
  if (error) {
    errs() << "kiln-onnx-test: cannot write '" << path
           << "': " << error.message() << "\n";
    return;
  }
  struct Counts {
    int pass = 0, fail = 0, unsupported = 0;
    void add(CaseStatus status) {
      (status == CaseStatus::Pass   ? pass
       : status == CaseStatus::Fail ? fail
                                    : unsupported)++;
    }
    int total() const { return pass + fail + unsupported; }
  };
  std::map<std::string, Counts> byFolder, byOp;
  Counts all;
  for (const Case &c : cases) {
    byFolder[c.folder].add(c.result.status);
    all.add(c.result.status);
    for (const std::string &op : c.result.ops)
      byOp[op].add(c.result.status);
  }
  auto percent = [](int part, int whole) {
    return whole ? formatv("{0:F1}%", 100.0 * part / whole).str()
                 : std::string("-");
  };
  os << "# ONNX conformance\n\n"
     << "Generated by `kiln-onnx-test --report` (see "
        "tests/conformance/README.md) from "
        "the ONNX 1.12 backend test data installed by Debian's "
        "`libonnx-testdata`. A "
        "case passes when every output of every data set matches at rtol 1e-3, "
        "atol "
        "1e-7.\n\n"
     << "**" << all.pass << " of " << all.total() << " cases pass ("
     << percent(all.pass, all.total()) << ")**; " << all.fail << " fail, "
     << all.unsupported << " are unsupported.\n\n"
     << "| folder | cases | pass | fail | unsupported | pass rate "
        "|\n|---|---|---|---|---|---|\n";
  for (const auto &[folder, counts] : byFolder)
    os << "| " << folder << " | " << counts.total() << " | " << counts.pass
       << " | " << counts.fail << " | " << counts.unsupported << " | "
       << percent(counts.pass, counts.total()) << " |\n";
  os << "\n## By op\n\nA case counts for every op in its model file "
        "(before Kiln expands ONNX functions), so one failing op marks the "
        "others in its case.\n\n"
     << "| op | cases | pass | fail | unsupported |\n|---|---|---|---|---|\n";
  for (const auto &[op, counts] : byOp)
    os << "| " << op << " | " << counts.total() << " | " << counts.pass << " | "
       << counts.fail << " | " << counts.unsupported << " |\n";
  os << "\n## Cases that do not pass\n\n| case | result |\n|---|---|\n";
  for (const Case &c : cases)
    if (c.result.status != CaseStatus::Pass) {
      std::string message = c.result.message;
      std::replace(message.begin(), message.end(), '|', '/');
      os << "| " << c.id << " | "
         << (c.result.status == CaseStatus::Fail ? "FAIL: " : "unsupported: ")
         << message << " |\n";
    }
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-onnx-test: run the ONNX backend test data through Kiln\n\n"
      "  kiln-onnx-test --expected tests/conformance/expected-passes.txt\n");

  std::vector<Case> cases = collectCases();
  if (cases.empty()) {
    errs() << "kiln-onnx-test: no test cases found under '" << dataRoot
           << "' (is libonnx-testdata installed?)\n";
    return 1;
  }
  std::vector<Child> children;
  size_t next = 0, done = 0;
  while (done < cases.size()) {
    while (next < cases.size() &&
           children.size() < std::max(1u, jobs.getValue())) {
      startChild(cases, next, children);
      if (children.empty() || children.back().caseIndex != next) {
        printResult(cases[next]); // failed to start
        ++done;
      }
      ++next;
    }
    if (children.empty())
      continue;
    size_t before = children.size();
    reapOne(cases, children);
    if (children.size() < before)
      ++done;
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case &a, const Case &b) { return a.id < b.id; });
  int passed = 0, failed = 0, skipped = 0;
  for (const Case &c : cases) {
    printResult(c);
    (c.result.status == CaseStatus::Pass   ? passed
     : c.result.status == CaseStatus::Fail ? failed
                                           : skipped)++;
  }
  outs() << passed << " passed, " << failed << " failed, " << skipped
         << " skipped (unsupported) of " << cases.size() << " cases ("
         << formatv("{0:F1}", 100.0 * passed / cases.size()) << "% pass)\n";

  if (!reportPath.empty())
    writeReport(cases, reportPath);
  if (!writeExpected.empty()) {
    std::error_code error;
    raw_fd_ostream os(writeExpected, error);
    os << "# Cases kiln-onnx-test must pass; regenerate with "
          "--write-expected.\n";
    for (const Case &c : cases)
      if (c.result.status == CaseStatus::Pass)
        os << c.id << "\n";
  }
  if (requirePass && (failed || skipped))
    return 1;
  if (!expectedPath.empty()) {
    std::set<std::string> expected = readLines(expectedPath);
    std::map<std::string, const Case *> byId;
    for (const Case &c : cases)
      byId[c.id] = &c;
    int regressions = 0;
    for (const std::string &id : expected) {
      auto found = byId.find(id);
      if (found == byId.end() && !filter.empty())
        continue; // not selected by --filter
      if (found == byId.end() ||
          found->second->result.status != CaseStatus::Pass) {
        outs() << "REGRESSION " << id
               << (found == byId.end() ? ": not found"
                                       : ": " + found->second->result.message)
               << "\n";
        ++regressions;
      }
    }
    if (regressions) {
      outs() << regressions << " expected passes no longer pass\n";
      return 1;
    }
  }
  return 0;
}
