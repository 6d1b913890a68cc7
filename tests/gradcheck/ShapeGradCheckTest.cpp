//===- ShapeGradCheckTest.cpp - Shape rules vs finite differences ---===//

#include "GradCheck.h"
