//===- kiln-opt.cpp - mlir-opt with Kiln's dialects and passes ------------===//
//
// Runs any pipeline of Kiln and upstream passes on a .mlir file; the lit tests
// use it. `kiln-opt --help` lists every pass, the kiln-* ones included.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Registration.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
