//===- ReductionGradCheckTest.cpp - Reduction rules vs finite differences ---===//

#include "GradCheck.h"
