//===- KilnRtDialect.cpp - The kiln_rt dialect ----------------------------===//

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"

using namespace mlir;
using namespace kiln::rt;

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.cpp.inc"

void KilnRtDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Dialect/KilnRt/IR/KilnRtOps.cpp.inc"
      >();
}
