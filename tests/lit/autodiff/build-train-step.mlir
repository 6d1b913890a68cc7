// kiln-build-train-step: the float constants that hold named weights become
// parameters of @predict and @train_step; train_step computes the loss and its
// gradient with respect to the prediction, sweeps back to the parameters only,
// and applies the optimizer.
// RUN: kiln-opt %s -split-input-file -kiln-build-train-step="loss=mse optimizer=sgd momentum=0.9" -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @predict(
// CHECK-SAME: %{{.+}}: tensor<4x3xf32> {kiln.name = "x"}, %{{.+}}: tensor<3xf32> {kiln.name = "w"}, %{{.+}}: tensor<3xf32> {kiln.name = "b"})
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {kiln.name = "x"}, %[[T:[^:]+]]: tensor<4x3xf32> {kiln.name = "target"}, %[[LR:[^:]+]]: tensor<f32> {kiln.name = "learning_rate"}, %{{[^:]+}}: tensor<f32> {kiln.name = "step"}, %[[W:[^:]+]]: tensor<3xf32> {kiln.name = "w"}, %[[B:[^:]+]]: tensor<3xf32> {kiln.name = "b"}, %[[VW:[^:]+]]: tensor<3xf32> {kiln.name = "w.momentum"}, %[[VB:[^:]+]]: tensor<3xf32> {kiln.name = "b.momentum"})
// CHECK-SAME: -> (tensor<f32> {kiln.name = "loss"}, tensor<4x3xf32> {kiln.name = "prediction"}, tensor<3xf32> {kiln.name = "w"}, tensor<3xf32> {kiln.name = "b"}, tensor<3xf32> {kiln.name = "w.momentum"}, tensor<3xf32> {kiln.name = "b.momentum"})
// CHECK-NOT: kiln.constant {kiln.initializer
// CHECK: %[[SCALED:.+]] = kiln.mul %[[X]], %[[W]]
// CHECK: %[[Y:.+]] = kiln.add %[[SCALED]], %[[B]]
// mse: mean((y - t)^2), gradient 2 (y - t) / 12.
// CHECK: %[[DIFF:.+]] = kiln.sub %[[Y]], %[[T]]
// CHECK: %[[LOSS:.+]] = kiln.reduce_mean
// CHECK: %[[DY:.+]] = kiln.div
// The momentum update of w: v = 0.9 v + g; w - lr v.
// CHECK: %[[VW_NEW:.+]] = kiln.add %{{.+}}, %{{.+}} : (tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[STEP_W:.+]] = kiln.mul %[[LR]], %[[VW_NEW]]
// CHECK: %[[W_NEW:.+]] = kiln.sub %[[W]], %[[STEP_W]]
// CHECK: return %[[LOSS]], %[[Y]], %[[W_NEW]], %{{.+}}, %[[VW_NEW]], %{{.+}}
func.func @forward(%x: tensor<4x3xf32> {kiln.name = "x"}) -> (tensor<4x3xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.initializer = "w"} dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %b = kiln.constant {kiln.initializer = "b"} dense<0.1> : tensor<3xf32>
  %0 = kiln.mul %x, %w : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = kiln.add %0, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// A model without named weights has nothing to train.
// expected-error @below {{the model has no trainable weights}}
func.func @forward(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %c = kiln.constant dense<1.0> : tensor<3xf32>
  %0 = kiln.mul %x, %c : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
