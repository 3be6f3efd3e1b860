import onnxProto from 'onnx-proto';
import type { Regressor } from './estimator.js';

const { onnx } = onnxProto;

/** Opset 13 has every operator used here in its current form; runtimes since 2020 read it. */
const OPSET = 13;

function tensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

function valueInfo(name: string, cols: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'rows' }, { dimValue: cols }] } } },
  };
}

/**
 * The fitted network as an ONNX model in float32: input "x" (rows × d, raw features in the model's
 * feature order), output "y" (rows × c, in target units). The standardization is part of the graph:
 * y = LeakyRelu((x − mean)/sd · A₁ + a₀, α) · B + (b⁰ + ȳ), where a₀ is A's first (bias) row.
 */
export function toOnnx(model: Regressor): Uint8Array {
  const { network: net, standardization: s, features, targets } = model;
  const d = net.p - 1;
  const { h, c } = net;
  const bias = Float64Array.from(net.b0, (v, k) => v + s.yMean[k]);
  const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) => ({ opType, input, output: [output], name: output, attribute });
  const graph: onnxProto.onnx.IGraphProto = {
    name: `anmin ${model.trainer}`,
    docString: `inputs (in order): ${features.join(', ')}; outputs: ${targets.join(', ')}`,
    initializer: [
      tensor('x_mean', [d], s.xMean),
      tensor('x_std', [d], s.xStd),
      tensor('A_inputs', [d, h], net.A.subarray(h)),
      tensor('A_bias', [h], net.A.subarray(0, h)),
      tensor('B', [h, c], net.B),
      tensor('y_bias', [c], bias),
    ],
    node: [
      node('Sub', ['x', 'x_mean'], 'x_centred'),
      node('Div', ['x_centred', 'x_std'], 'x_standardized'),
      node('MatMul', ['x_standardized', 'A_inputs'], 'hidden_linear'),
      node('Add', ['hidden_linear', 'A_bias'], 'hidden_pre'),
      node('LeakyRelu', ['hidden_pre'], 'hidden', [{ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: net.alpha }]),
      node('MatMul', ['hidden', 'B'], 'output_linear'),
      node('Add', ['output_linear', 'y_bias'], 'y'),
    ],
    input: [valueInfo('x', d)],
    output: [valueInfo('y', c)],
  };
  const model_: onnxProto.onnx.IModelProto = {
    irVersion: onnx.Version.IR_VERSION,
    producerName: 'anmin',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model_)).finish();
}
