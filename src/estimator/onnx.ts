import type onnxProto from 'onnx-proto';
import { optionalImport } from '../util/optional.js';
import type { Regressor } from './estimator.js';

type Onnx = typeof onnxProto.onnx;

/** Opset 13 has every operator used here in its current form; runtimes since 2020 read it. */
const OPSET = 13;

function tensor(onnx: Onnx, name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

function valueInfo(onnx: Onnx, name: string, cols: number): onnxProto.onnx.IValueInfoProto {
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
export async function toOnnx(model: Regressor): Promise<Uint8Array> {
  const { onnx } = (await optionalImport(() => import('onnx-proto'), 'onnx-proto', 'the ONNX export')).default;
  const { network: net, standardization: s, features, targets } = model;
  const d = net.p - 1;
  const { h, c } = net;
  const bias = Float64Array.from(net.b0, (v, k) => v + s.yMean[k]);
  const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) => ({ opType, input, output: [output], name: output, attribute });
  const graph: onnxProto.onnx.IGraphProto = {
    name: `anmin ${model.trainer}`,
    docString: `inputs (in order): ${features.join(', ')}; outputs: ${targets.join(', ')}`,
    initializer: [
      tensor(onnx, 'x_mean', [d], s.xMean),
      tensor(onnx, 'x_std', [d], s.xStd),
      tensor(onnx, 'A_inputs', [d, h], net.A.subarray(h)),
      tensor(onnx, 'A_bias', [h], net.A.subarray(0, h)),
      tensor(onnx, 'B', [h, c], net.B),
      tensor(onnx, 'y_bias', [c], bias),
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
    input: [valueInfo(onnx, 'x', d)],
    output: [valueInfo(onnx, 'y', c)],
  };
  const model_: onnxProto.onnx.IModelProto = {
    irVersion: onnx.Version.IR_VERSION,
    producerName: 'anmin',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model_)).finish();
}
