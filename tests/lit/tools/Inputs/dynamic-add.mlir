// Rows known only at run time: x and y have a run-time size each ("" names),
// z shares x's ("n").
func.func @f(%x: tensor<?x3xf32> {kiln.name = "x", kiln.dim_names = ["n", ""]},
             %y: tensor<?x3xf32> {kiln.name = "y"},
             %z: tensor<?x3xf32> {kiln.name = "z", kiln.dim_names = ["n", ""]})
    -> (tensor<?x3xf32> {kiln.name = "sum"}) {
  %0 = kiln.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %1 = kiln.add %0, %z : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}
