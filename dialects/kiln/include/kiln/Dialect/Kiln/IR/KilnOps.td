//===- KilnOps.td - Operations of the kiln dialect ---------*- tablegen -*-===//
//
// Every op: a summary, a description with an example, a verifier (through type
// inference and, where attributes need it, `hasVerifier`), result-type inference, and a
// folder where one makes sense. The ops live in one file per family.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNOPS
#define KILN_DIALECT_KILN_IR_KILNOPS

include "kiln/Dialect/Kiln/IR/KilnElementwiseOps.td"
include "kiln/Dialect/Kiln/IR/KilnNNOps.td"
include "kiln/Dialect/Kiln/IR/KilnReductionOps.td"
include "kiln/Dialect/Kiln/IR/KilnShapeOps.td"
include "kiln/Dialect/Kiln/IR/KilnSpatialOps.td"
include "kiln/Dialect/Kiln/IR/KilnDynamicShapeOps.td"
include "kiln/Dialect/Kiln/IR/KilnDataDependentOps.td"

#endif // KILN_DIALECT_KILN_IR_KILNOPS
