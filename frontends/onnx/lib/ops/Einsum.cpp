//===- Einsum.cpp - ONNX Einsum to kiln transposes, matmuls and sums ------===//
//
// The equation is parsed into integer labels (letters, and one label per
// dimension that an ellipsis stands for, aligned at the right). Each operand
// first takes its diagonals (a label repeated within one operand: multiply by
// an identity matrix and sum one of the two dims) and sums the labels that
// appear nowhere else. Operands then combine left to right, two at a time, as
// one batched kiln.matmul: labels both operands share and that are still
// needed are batch dims, shared labels that are not are contracted, and the
// rest become the matmul's rows and columns (transposed and reshaped into
// place). A final transpose puts the labels in the output's order.
//
// Shapes must be static, and a label must have the same size everywhere it
// appears (no broadcasting of size-1 dims inside Einsum).
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Labels are small integers: letters are 0-51 in ASCII order (implicit
/// outputs sort them), ellipsis dims follow.
using Label = int64_t;
constexpr Label kFirstEllipsisLabel = 52;
/// Marks where "..." stands in a parsed term.
constexpr Label kEllipsis = -1;

/// One operand: its value and the label of each of its dims.
struct Operand {
  Value value;
  SmallVector<Label> labels;

  ArrayRef<int64_t> shape() const {
    return cast<RankedTensorType>(value.getType()).getShape();
  }
};

/// A term ("ij", "...ii") as labels with kEllipsis where "..." stands, or an
/// error for any other character.
llvm::Expected<SmallVector<Label>> parseTerm(NodeContext &context,
                                             StringRef term) {
  SmallVector<Label> labels;
  bool sawEllipsis = false;
  while (!term.empty()) {
    if (term.consume_front("...")) {
      if (sawEllipsis)
        return context.invalid("a term of the equation has two ellipses");
      sawEllipsis = true;
      labels.push_back(kEllipsis);
      continue;
    }
    char c = term.front();
    term = term.drop_front();
    if (c >= 'A' && c <= 'Z')
      labels.push_back(c - 'A');
    else if (c >= 'a' && c <= 'z')
      labels.push_back(26 + c - 'a');
    else
      return context.invalid("unexpected character '" + std::string(1, c) +
                             "' in the equation");
  }
  return labels;
}

/// Replaces the ellipsis of `term` by `count` labels, the last of which is
/// the last ellipsis label of an ellipsis of `maxCount` dims.
SmallVector<Label> expandEllipsis(ArrayRef<Label> term, int64_t count,
                                  int64_t maxCount) {
  SmallVector<Label> labels;
  for (Label label : term) {
    if (label != kEllipsis) {
      labels.push_back(label);
      continue;
    }
    for (int64_t i = 0; i < count; ++i)
      labels.push_back(kFirstEllipsisLabel + maxCount - count + i);
  }
  return labels;
}

/// Transposes `operand` so that its labels come in `order` (a permutation of
/// them).
llvm::Expected<Operand> permute(NodeContext &context, const Operand &operand,
                                ArrayRef<Label> order) {
  if (ArrayRef<Label>(operand.labels) == order)
    return operand;
  SmallVector<int64_t> permutation;
  for (Label label : order)
    permutation.push_back(llvm::find(operand.labels, label) -
                          operand.labels.begin());
  KILN_ASSIGN_OR_RETURN(
      Value value, context.create<TransposeOp>(operand.value, permutation));
  return Operand{value, SmallVector<Label>(order)};
}

/// Sums `operand` over the dims whose labels satisfy `drop`.
llvm::Expected<Operand> sumOver(NodeContext &context, const Operand &operand,
                                llvm::function_ref<bool(Label)> drop) {
  SmallVector<int64_t> axes;
  SmallVector<Label> kept;
  for (auto [dim, label] : llvm::enumerate(operand.labels)) {
    if (drop(label))
      axes.push_back(dim);
    else
      kept.push_back(label);
  }
  if (axes.empty())
    return operand;
  KILN_ASSIGN_OR_RETURN(
      Value value, context.create<ReduceSumOp>(operand.value, axes, false));
  return Operand{value, kept};
}

/// The diagonal of the first two dims labelled `label`: they move last, an
/// identity matrix zeroes everything off their diagonal, and a sum removes the
/// second. (A label repeated three times takes another call.)
llvm::Expected<Operand> takeDiagonal(NodeContext &context,
                                     const Operand &operand, Label label) {
  SmallVector<int64_t> pair, permutation;
  for (auto [dim, other] : llvm::enumerate(operand.labels)) {
    if (other == label && pair.size() < 2)
      pair.push_back(dim);
    else
      permutation.push_back(dim);
  }
  permutation.append(pair.begin(), pair.end());
  KILN_ASSIGN_OR_RETURN(
      Value moved, context.create<TransposeOp>(operand.value, permutation));
  int64_t size = operand.shape()[pair[0]];
  Type elementType = getElementTypeOrSelf(moved.getType());
  SmallVector<Attribute> eye;
  for (int64_t row = 0; row < size; ++row) {
    for (int64_t column = 0; column < size; ++column) {
      int64_t one = row == column ? 1 : 0;
      eye.push_back(isa<FloatType>(elementType)
                        ? Attribute(FloatAttr::get(elementType, one))
                        : Attribute(IntegerAttr::get(elementType, one)));
    }
  }
  Value identity = context.constant(DenseElementsAttr::get(
      RankedTensorType::get({size, size}, elementType), eye));
  KILN_ASSIGN_OR_RETURN(Value masked, context.create<MulOp>(moved, identity));
  SmallVector<int64_t> last = {static_cast<int64_t>(permutation.size()) - 1};
  KILN_ASSIGN_OR_RETURN(Value diagonal,
                        context.create<ReduceSumOp>(masked, last, false));
  SmallVector<Label> labels;
  for (int64_t dim : ArrayRef<int64_t>(permutation).drop_back())
    labels.push_back(operand.labels[dim]);
  return Operand{diagonal, labels};
}

/// Takes every diagonal of `operand`, then sums the labels that are not in
/// `needed`.
llvm::Expected<Operand> prepare(NodeContext &context, Operand operand,
                                const llvm::SmallDenseSet<Label> &needed) {
  while (true) {
    std::optional<Label> repeated;
    for (Label label : operand.labels)
      if (llvm::count(operand.labels, label) > 1)
        repeated = label;
    if (!repeated)
      break;
    KILN_ASSIGN_OR_RETURN(operand, takeDiagonal(context, operand, *repeated));
  }
  return sumOver(context, operand,
                 [&](Label label) { return !needed.contains(label); });
}

/// The product of the sizes of `labels` in `operand`, and the sizes
/// themselves appended to `sizes`.
int64_t collectSizes(const Operand &operand, ArrayRef<Label> labels,
                     SmallVectorImpl<int64_t> &sizes) {
  int64_t product = 1;
  for (Label label : labels) {
    int64_t size = operand.shape()[llvm::find(operand.labels, label) -
                                   operand.labels.begin()];
    sizes.push_back(size);
    product *= size;
  }
  return product;
}

/// Combines two prepared operands into one whose labels are their batch
/// labels, then lhs-only, then rhs-only labels; shared labels not in `keep`
/// are summed over.
llvm::Expected<Operand> contract(NodeContext &context, const Operand &lhs,
                                 const Operand &rhs,
                                 const llvm::SmallDenseSet<Label> &keep) {
  SmallVector<Label> batch, contracted, lhsOnly, rhsOnly;
  for (Label label : lhs.labels) {
    if (!llvm::is_contained(rhs.labels, label))
      lhsOnly.push_back(label);
    else if (keep.contains(label))
      batch.push_back(label);
    else
      contracted.push_back(label);
  }
  for (Label label : rhs.labels)
    if (!llvm::is_contained(lhs.labels, label))
      rhsOnly.push_back(label);

  SmallVector<int64_t> batchSizes, lhsSizes, rhsSizes, contractedSizes;
  collectSizes(lhs, batch, batchSizes);
  int64_t rows = collectSizes(lhs, lhsOnly, lhsSizes);
  int64_t columns = collectSizes(rhs, rhsOnly, rhsSizes);
  int64_t depth = collectSizes(lhs, contracted, contractedSizes);

  SmallVector<Label> lhsOrder = batch, rhsOrder = batch;
  lhsOrder.append(lhsOnly.begin(), lhsOnly.end());
  lhsOrder.append(contracted.begin(), contracted.end());
  rhsOrder.append(contracted.begin(), contracted.end());
  rhsOrder.append(rhsOnly.begin(), rhsOnly.end());
  KILN_ASSIGN_OR_RETURN(Operand lhsPermuted, permute(context, lhs, lhsOrder));
  KILN_ASSIGN_OR_RETURN(Operand rhsPermuted, permute(context, rhs, rhsOrder));

  SmallVector<int64_t> lhsShape = batchSizes, rhsShape = batchSizes;
  lhsShape.append({rows, depth});
  rhsShape.append({depth, columns});
  KILN_ASSIGN_OR_RETURN(Value lhsMatrix,
                        context.create<ReshapeOp>(lhsPermuted.value, lhsShape));
  KILN_ASSIGN_OR_RETURN(Value rhsMatrix,
                        context.create<ReshapeOp>(rhsPermuted.value, rhsShape));
  KILN_ASSIGN_OR_RETURN(Value product,
                        context.create<MatMulOp>(lhsMatrix, rhsMatrix));

  SmallVector<int64_t> shape = batchSizes;
  shape.append(lhsSizes.begin(), lhsSizes.end());
  shape.append(rhsSizes.begin(), rhsSizes.end());
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<ReshapeOp>(product, shape));
  SmallVector<Label> labels = batch;
  labels.append(lhsOnly.begin(), lhsOnly.end());
  labels.append(rhsOnly.begin(), rhsOnly.end());
  return Operand{result, labels};
}

/// How a label is written in the equation, for messages.
std::string labelName(Label label) {
  if (label < 26)
    return std::string(1, static_cast<char>('A' + label));
  if (label < kFirstEllipsisLabel)
    return std::string(1, static_cast<char>('a' + label - 26));
  return "... (dim " + std::to_string(label - kFirstEllipsisLabel) + ")";
}

/// Checks that every label has one size wherever it appears. A size of 1
/// against another size would broadcast in NumPy, which Kiln does not do here.
llvm::Error checkSizes(NodeContext &context, ArrayRef<Operand> operands) {
  std::map<Label, int64_t> sizes;
  for (const Operand &operand : operands) {
    for (auto [label, size] : llvm::zip(operand.labels, operand.shape())) {
      auto [it, inserted] = sizes.emplace(label, size);
      if (inserted || it->second == size)
        continue;
      std::string message = "label " + labelName(label) + " has sizes " +
                            std::to_string(it->second) + " and " +
                            std::to_string(size);
      if (it->second == 1 || size == 1)
        return context.unsupported(message + " (broadcasting inside Einsum)");
      return context.invalid(message);
    }
  }
  return llvm::Error::success();
}

/// The output labels: the given ones, or (implicit mode) the ellipsis dims and
/// then the letters that appear once, in alphabetical order.
llvm::Expected<SmallVector<Label>> outputLabels(NodeContext &context,
                                                std::optional<StringRef> output,
                                                ArrayRef<Operand> operands,
                                                int64_t ellipsisRank) {
  if (output) {
    KILN_ASSIGN_OR_RETURN(SmallVector<Label> term, parseTerm(context, *output));
    SmallVector<Label> labels =
        expandEllipsis(term, ellipsisRank, ellipsisRank);
    for (auto [index, label] : llvm::enumerate(labels)) {
      if (llvm::is_contained(ArrayRef<Label>(labels).take_front(index), label))
        return context.invalid("the output repeats a label");
      if (llvm::none_of(operands, [&](const Operand &operand) {
            return llvm::is_contained(operand.labels, label);
          }))
        return context.invalid("the output has a label no input has");
    }
    return labels;
  }
  SmallVector<Label> labels;
  for (int64_t i = 0; i < ellipsisRank; ++i)
    labels.push_back(kFirstEllipsisLabel + i);
  std::map<Label, int64_t> counts;
  for (const Operand &operand : operands)
    for (Label label : operand.labels)
      if (label < kFirstEllipsisLabel)
        ++counts[label];
  for (auto [label, count] : counts) // std::map: in ASCII order
    if (count == 1)
      labels.push_back(label);
  return labels;
}

llvm::Error convertEinsum(NodeContext &context) {
  std::string equation = context.stringAttribute("equation", "");
  llvm::erase_if(equation, [](char c) { return llvm::isSpace(c); });
  auto [inputsText, outputText] = StringRef(equation).split("->");
  std::optional<StringRef> output;
  if (StringRef(equation).contains("->"))
    output = outputText;
  SmallVector<StringRef> terms;
  inputsText.split(terms, ',');
  if (terms.size() != context.numInputs())
    return context.invalid("the equation has " + llvm::Twine(terms.size()) +
                           " inputs but the node " +
                           llvm::Twine(context.numInputs()));

  // Parse the terms, then give ellipses their labels.
  SmallVector<SmallVector<Label>> parsed;
  SmallVector<Operand> operands;
  int64_t ellipsisRank = 0;
  for (auto [index, term] : llvm::enumerate(terms)) {
    KILN_ASSIGN_OR_RETURN(SmallVector<Label> labels, parseTerm(context, term));
    KILN_ASSIGN_OR_RETURN(Value value, context.input(index));
    RankedTensorType type = context.inputType(index);
    if (!type.hasStaticShape())
      return context.unsupported("Einsum of tensors with dynamic dims");
    int64_t explicitCount =
        llvm::count_if(labels, [](Label label) { return label != kEllipsis; });
    bool hasEllipsis = llvm::is_contained(labels, kEllipsis);
    int64_t ellipsisCount = type.getRank() - explicitCount;
    if (ellipsisCount < 0 || (!hasEllipsis && ellipsisCount != 0))
      return context.invalid("term '" + term + "' does not match input " +
                             llvm::Twine(index) + " of rank " +
                             llvm::Twine(type.getRank()));
    ellipsisRank = std::max(ellipsisRank, ellipsisCount);
    parsed.push_back(labels);
    operands.push_back({value, {}});
  }
  for (auto [operand, labels] : llvm::zip(operands, parsed)) {
    int64_t rank = cast<RankedTensorType>(operand.value.getType()).getRank();
    int64_t explicitCount =
        llvm::count_if(labels, [](Label label) { return label != kEllipsis; });
    operand.labels = expandEllipsis(labels, rank - explicitCount, ellipsisRank);
  }
  if (llvm::Error error = checkSizes(context, operands))
    return error;
  KILN_ASSIGN_OR_RETURN(SmallVector<Label> outputs,
                        outputLabels(context, output, operands, ellipsisRank));

  // What each step must keep: the output's labels and those of the operands
  // not combined yet.
  auto neededAfter = [&](size_t index) {
    llvm::SmallDenseSet<Label> needed(outputs.begin(), outputs.end());
    for (size_t later = index + 1; later < operands.size(); ++later)
      needed.insert(operands[later].labels.begin(),
                    operands[later].labels.end());
    return needed;
  };
  auto neededBesides = [&](size_t index) {
    llvm::SmallDenseSet<Label> needed = neededAfter(index);
    for (size_t earlier = 0; earlier < index; ++earlier)
      needed.insert(operands[earlier].labels.begin(),
                    operands[earlier].labels.end());
    return needed;
  };
  KILN_ASSIGN_OR_RETURN(Operand result,
                        prepare(context, operands[0], neededBesides(0)));
  for (size_t index = 1; index < operands.size(); ++index) {
    KILN_ASSIGN_OR_RETURN(
        Operand next, prepare(context, operands[index], neededBesides(index)));
    KILN_ASSIGN_OR_RETURN(result,
                          contract(context, result, next, neededAfter(index)));
  }
  // Labels the last step kept for later operands are all in the output now;
  // put them in its order.
  KILN_ASSIGN_OR_RETURN(result, permute(context, result, outputs));
  context.setOutput(0, result.value);
  return llvm::Error::success();
}

} // namespace

void registerEinsumConverter(ConverterRegistry &registry) {
  registry.add("", "Einsum", convertEinsum);
}

} // namespace kiln::onnx_import
