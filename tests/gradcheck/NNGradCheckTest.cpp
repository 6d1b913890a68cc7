//===- NNGradCheckTest.cpp - NN rules vs finite differences ---===//

#include "GradCheck.h"
