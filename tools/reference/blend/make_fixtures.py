#!/usr/bin/python3
"""Builds the small ONNX model pairs that test io.seedgrid.udf.blend, and their expected blends.

Rerun (Debian's python3 with python3-onnx 1.12 and numpy; no ONNX Runtime needed):

    /usr/bin/python3 tools/reference/blend/make_fixtures.py udf/src/test/resources/blend

Writes, under the output folder:

  net32/a/model.onnx                  fp32 network, weights in the typed fields (float_data,
                                      int64_data, double_data, int32_data for bfloat16 and bool)
  net32/b/model.onnx(+model.onnx_data) same network, other weights, every float tensor external
                                      in one file, Constant values too (int/bool stay inline: ONNX
                                      shape inference in ONNX Runtime cannot read external shapes)
  net32/expected-0.3/model.onnx       A + 0.3 (B - A) computed here, weights inline (raw_data)
  net32/expected-0.5/model.onnx       same for 0.5
  net32/diff/*.onnx                   model A with one change each; blending with A must fail
  net16/a/model.onnx + one file per tensor   fp16 network, float tensors external, one file each
  net16/b/model.onnx                  same network, other weights, inline raw_data
  net16/expected-0.3, expected-0.5    as for net32
  expected.json                       the blend weights used and what each diff variant changes

net32 covers FLOAT, DOUBLE, BFLOAT16 initializers, an INT64 and a BOOL initializer (must stay
equal), a Constant node and an If node whose then-branch has its own Constant and initializer.
net16 covers FLOAT16 weights, with element pairs whose midpoint is an exact fp16 tie (so alpha=0.5
checks round-half-to-even), signed zeros, subnormals and large values.

The expected blends are computed in float64 as a + alpha * (b - a) (subtract, multiply, add, in
that order) and rounded once to each tensor's type: numpy's float64->float32 and ->float16 casts
(round to nearest even), and for bfloat16 an exact nearest-value search with Fractions (numpy has
no bfloat16). The fp16 casts are cross-checked with the same exact search.
"""
import copy
import json
import os
import shutil
import sys
from fractions import Fraction

import numpy as np
import onnx
from onnx import TensorProto, external_data_helper, helper

ALPHAS = (0.3, 0.5)
OPSET = 17


# ---------------------------------------------------------------------------------------------
# exact rounding references
# ---------------------------------------------------------------------------------------------

def bf16_value(bits):
    return float(np.frombuffer(np.uint32(bits << 16).tobytes(), dtype=np.float32)[0])


def half_value(bits):
    return float(np.frombuffer(np.uint16(bits).tobytes(), dtype=np.float16)[0])


def nearest_bits(x, value_of, neighbours):
    """The bit pattern whose exact value is nearest to x; ties go to the even pattern."""
    target = Fraction(x)
    best = None
    for bits in neighbours:
        v = value_of(bits)
        if not np.isfinite(v):
            continue
        d = abs(Fraction(v) - target)
        key = (d, bits & 1)
        if best is None or key < best[0]:
            best = (key, bits)
    return best[1]


def double_to_bf16_bits(x):
    assert np.isfinite(x) and abs(x) < 3e38
    start = int(np.frombuffer(np.float32(x).tobytes(), dtype=np.uint32)[0]) >> 16
    candidates = [b & 0xFFFF for b in range(start - 2, start + 3)]
    if x == 0:
        return start
    sign = 0x8000 if x < 0 else 0
    candidates = [c for c in candidates if (c & 0x8000) == sign]
    return nearest_bits(x, bf16_value, candidates)


def double_to_half_bits_exact(x):
    start = int(np.frombuffer(np.float16(x).tobytes(), dtype=np.uint16)[0])
    if x == 0:
        return start
    sign = 0x8000 if x < 0 else 0
    candidates = [c & 0xFFFF for c in range(start - 2, start + 3) if ((c & 0xFFFF) & 0x8000) == sign]
    return nearest_bits(x, half_value, candidates)


def lerp64(a, b, alpha):
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    return a64 + alpha * (b64 - a64)


def blend(a, b, alpha, dtype):
    """The expected blend of two arrays of one ONNX float type, as uint16 bits for 16-bit types."""
    r = lerp64(np.asarray(a, dtype=np.float64) if dtype == 'bf16' else a,
               np.asarray(b, dtype=np.float64) if dtype == 'bf16' else b, alpha)
    if dtype == 'bf16':
        return np.array([double_to_bf16_bits(v) for v in r.ravel()], dtype=np.uint16).reshape(r.shape)
    if dtype == np.float16:
        out = r.astype(np.float16)
        exact = [double_to_half_bits_exact(v) for v in r.ravel()]
        assert list(out.view(np.uint16).ravel()) == exact, 'numpy fp16 cast disagrees with exact rounding'
        return out
    return r.astype(dtype)


# ---------------------------------------------------------------------------------------------
# tensors in the encodings under test
# ---------------------------------------------------------------------------------------------

def bf16_bits_of(values):
    """Exact bfloat16 bit patterns nearest to float64 values (for making bfloat16 weights)."""
    return np.array([double_to_bf16_bits(v) for v in np.asarray(values, np.float64).ravel()],
                    dtype=np.uint16).reshape(np.shape(values))


def typed_tensor(name, kind, array):
    """A TensorProto with values in the typed field (float_data, int64_data, ...), not raw_data."""
    t = TensorProto()
    t.name = name
    t.dims.extend(array.shape)
    if kind == 'f32':
        t.data_type = TensorProto.FLOAT
        t.float_data.extend(array.ravel().tolist())
    elif kind == 'f64':
        t.data_type = TensorProto.DOUBLE
        t.double_data.extend(array.ravel().tolist())
    elif kind == 'f16':
        t.data_type = TensorProto.FLOAT16
        t.int32_data.extend(array.view(np.uint16).ravel().tolist())
    elif kind == 'bf16':
        t.data_type = TensorProto.BFLOAT16
        t.int32_data.extend(array.ravel().tolist())
    elif kind == 'i64':
        t.data_type = TensorProto.INT64
        t.int64_data.extend(array.ravel().tolist())
    elif kind == 'bool':
        t.data_type = TensorProto.BOOL
        t.int32_data.extend(array.astype(np.int32).ravel().tolist())
    else:
        raise ValueError(kind)
    return t


RAW_TYPES = {'f32': TensorProto.FLOAT, 'f64': TensorProto.DOUBLE, 'f16': TensorProto.FLOAT16,
             'bf16': TensorProto.BFLOAT16, 'i64': TensorProto.INT64, 'bool': TensorProto.BOOL}


def raw_tensor(name, kind, array):
    t = TensorProto()
    t.name = name
    t.dims.extend(array.shape)
    t.data_type = RAW_TYPES[kind]
    t.raw_data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder('<')).tobytes()
    return t


# ---------------------------------------------------------------------------------------------
# the two networks
# ---------------------------------------------------------------------------------------------

def net32_weights(rng, base=None):
    """Weights of net32; with `base`, a fine-tuned variant of it (small changes, a few large)."""
    shapes = {'conv.weight': (8, 4, 3, 3), 'conv.bias': (8,), 'fc.weight': (16, 128), 'fc.bias': (16,),
              'scale': (16,), 'then_k': (16,), 'then_bias': (16,)}
    w = {}
    for name, shape in shapes.items():
        if base is None:
            w[name] = (rng.standard_normal(shape) * 0.2).astype(np.float32)
        else:
            w[name] = (base[name] + rng.standard_normal(shape) * 0.05).astype(np.float32)
    if base is None:
        w['offset64'] = rng.standard_normal(16) * 0.3
        w['gainbf'] = bf16_bits_of(1.0 + rng.standard_normal(16) * 0.1)
        w['conv.bias'][0] = -0.0  # a signed zero that alpha=0 must keep
    else:
        w['offset64'] = base['offset64'] + rng.standard_normal(16) * 0.01
        w['gainbf'] = bf16_bits_of(np.array([bf16_value(int(b)) for b in base['gainbf']])
                                   + rng.standard_normal(16) * 0.05)
        w['conv.bias'][0] = 0.0
    w['shape'] = np.array([1, 128], dtype=np.int64)
    w['cond'] = np.array(True)
    return w


NET32_KINDS = {'conv.weight': 'f32', 'conv.bias': 'f32', 'fc.weight': 'f32', 'fc.bias': 'f32',
               'scale': 'f32', 'then_k': 'f32', 'then_bias': 'f32', 'offset64': 'f64', 'gainbf': 'bf16',
               'shape': 'i64', 'cond': 'bool'}


def net32(w, make, variant=None):
    """net32 with weights w, tensors built by make(name, kind, array); variant = a diff to apply."""
    t = lambda name: make(name, NET32_KINDS[name], w[name])
    then_graph = helper.make_graph(
        [helper.make_node('Constant', [], ['k'], name='then_const', value=t('then_k')),
         helper.make_node('Mul', ['m3', 'k'], ['t1'], name='then_mul'),
         helper.make_node('Add', ['t1', 'then_bias'], ['y_then'], name='then_add')],
        'then', [], [helper.make_tensor_value_info('y_then', TensorProto.FLOAT, [1, 16])],
        initializer=[t('then_bias')])
    else_graph = helper.make_graph(
        [helper.make_node('Neg', ['m3'], ['y_else'], name='else_neg')],
        'else', [], [helper.make_tensor_value_info('y_else', TensorProto.FLOAT, [1, 16])])
    nodes = [
        helper.make_node('Conv', ['x', 'conv.weight', 'conv.bias'], ['c'], name='conv', pads=[1, 1, 1, 1]),
        helper.make_node('Relu', ['c'], ['r'], name='relu'),
        helper.make_node('Reshape', ['r', 'shape'], ['f'], name='flatten'),
        helper.make_node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['g'], name='fc', transB=1,
                         alpha=2.0 if variant == 'attr' else 1.0),
        helper.make_node('Constant', [], ['s'], name='scale_const', value=t('scale')),
        helper.make_node('Mul', ['g', 's'], ['m'], name='scale'),
        helper.make_node('Cast', ['offset64'], ['o'], name='cast_offset', to=TensorProto.FLOAT),
        helper.make_node('Add', ['m', 'o'], ['m2'], name='add_offset'),
        helper.make_node('Cast', ['gainbf'], ['gb'], name='cast_gain', to=TensorProto.FLOAT),
        helper.make_node('Mul', ['m2', 'gb'], ['m3'], name='gain'),
        helper.make_node('If', ['cond'], ['y'], name='branch', then_branch=then_graph, else_branch=else_graph),
    ]
    initializers = [t(n) for n in ('conv.weight', 'conv.bias', 'shape', 'fc.weight', 'fc.bias', 'offset64',
                                   'gainbf', 'cond')]
    if variant == 'extra_node':
        nodes.insert(2, helper.make_node('Identity', ['r'], ['r_id'], name='extra'))
        nodes[3] = helper.make_node('Reshape', ['r_id', 'shape'], ['f'], name='flatten')
    if variant == 'renamed_init':
        initializers[4].name = 'fc.b2'
        nodes[3] = helper.make_node('Gemm', ['f', 'fc.weight', 'fc.b2'], ['g'], name='fc', transB=1, alpha=1.0)
    if variant == 'shape':
        offset = copy.deepcopy(initializers[5])
        del offset.dims[:]
        offset.dims.extend([1, 16])
        initializers[5] = offset
    if variant == 'int_values':
        initializers[2] = make('shape', 'i64', np.array([1, -1], dtype=np.int64))
    graph = helper.make_graph(nodes, 'net32', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4, 4, 4])],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 16])],
                              initializer=initializers)
    model = helper.make_model(graph, producer_name='seedgrid-blend-fixtures',
                              opset_imports=[helper.make_opsetid('', OPSET)])
    onnx.checker.check_model(model)
    return model


def net16_weights(rng, base=None):
    shapes = {'conv.weight': (8, 4, 3, 3), 'conv.bias': (8,), 'fc.weight': (16, 128), 'fc.bias': (16,),
              'scale16': (16,)}
    w = {}
    for name, shape in shapes.items():
        if base is None:
            w[name] = (rng.standard_normal(shape) * 0.2).astype(np.float16)
        else:
            w[name] = (base[name].astype(np.float64) + rng.standard_normal(shape) * 0.05).astype(np.float16)
    if base is None:
        fb = w['fc.bias']
        fb[0] = -0.0
        fb[1] = np.float16(2.0 ** -24)    # smallest subnormal
        fb[2] = np.float16(3 * 2.0 ** -24)
        fb[3] = np.float16(60000.0)
        fb[4] = np.float16(1.0)
    else:
        fb = w['fc.bias']
        a = base['fc.bias']
        fb[0] = 0.0
        fb[1] = np.float16(2.0 ** -23)    # midpoint 1.5 * 2^-24: a tie between subnormals 1 and 2 (-> 2)
        fb[2] = np.float16(4 * 2.0 ** -24)  # midpoint 3.5 * 2^-24: tie between 3 and 4 (-> 4)
        fb[3] = np.float16(65504.0)
        fb[4] = np.float16(1.0 + 2.0 ** -10)  # midpoint 1 + 2^-11: tie between 1 and 1 + 2^-10 (-> 1)
        # Adjacent fp16 values: their midpoint is an exact tie (round to even).
        cw = w['conv.weight'].reshape(-1)
        cw[:32] = np.nextafter(base['conv.weight'].reshape(-1)[:32], np.float16(np.inf))
        del a
    w['shape'] = np.array([1, 128], dtype=np.int64)
    return w


NET16_KINDS = {'conv.weight': 'f16', 'conv.bias': 'f16', 'fc.weight': 'f16', 'fc.bias': 'f16', 'scale16': 'f16',
               'shape': 'i64'}


def net16(w, make):
    t = lambda name: make(name, NET16_KINDS[name], w[name])
    cast = lambda src, dst: helper.make_node('Cast', [src], [dst], name='cast_' + dst, to=TensorProto.FLOAT)
    nodes = [
        cast('conv.weight', 'cw'), cast('conv.bias', 'cb'),
        helper.make_node('Conv', ['x', 'cw', 'cb'], ['c'], name='conv', pads=[1, 1, 1, 1]),
        helper.make_node('Relu', ['c'], ['r'], name='relu'),
        helper.make_node('Reshape', ['r', 'shape'], ['f'], name='flatten'),
        cast('fc.weight', 'fw'), cast('fc.bias', 'fb'),
        helper.make_node('Gemm', ['f', 'fw', 'fb'], ['g'], name='fc', transB=1),
        helper.make_node('Constant', [], ['s16'], name='scale_const', value=t('scale16')),
        cast('s16', 's'),
        helper.make_node('Mul', ['g', 's'], ['y'], name='scale'),
    ]
    graph = helper.make_graph(nodes, 'net16', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4, 4, 4])],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 16])],
                              initializer=[t(n) for n in ('conv.weight', 'conv.bias', 'shape', 'fc.weight', 'fc.bias')])
    model = helper.make_model(graph, producer_name='seedgrid-blend-fixtures',
                              opset_imports=[helper.make_opsetid('', OPSET)])
    onnx.checker.check_model(model)
    return model


def blended_weights(wa, wb, kinds, alpha):
    out = {}
    for name, kind in kinds.items():
        if kind == 'f32':
            out[name] = blend(wa[name], wb[name], alpha, np.float32)
        elif kind == 'f64':
            out[name] = blend(wa[name], wb[name], alpha, np.float64)
        elif kind == 'f16':
            out[name] = blend(wa[name], wb[name], alpha, np.float16)
        elif kind == 'bf16':
            va = np.array([bf16_value(int(x)) for x in wa[name]])
            vb = np.array([bf16_value(int(x)) for x in wb[name]])
            out[name] = blend(va, vb, alpha, 'bf16')
        else:
            assert np.array_equal(wa[name], wb[name])
            out[name] = wa[name]
    return out


FLOAT_TYPES = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.DOUBLE)


def float_tensors(graph):
    """Every float tensor of a graph: initializers and attribute tensors, subgraphs included."""
    for t in graph.initializer:
        if t.data_type in FLOAT_TYPES:
            yield t
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField('t') and attribute.t.data_type in FLOAT_TYPES:
                yield attribute.t
            if attribute.HasField('g'):
                yield from float_tensors(attribute.g)


def save(model, path, external=None, per_tensor=False):
    """Saves a model; with `external`, every float tensor goes to external data (raw_data needed)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if external:
        for t in float_tensors(model.graph):
            assert t.HasField('raw_data'), t.name
            external_data_helper.set_external_data(t, t.name if per_tensor else 'model.onnx_data')
    onnx.save_model(model, path)  # writes the raw_data of external-marked tensors to their files
    onnx.checker.check_model(path)


def main(out):
    for net in ('net32', 'net16'):
        shutil.rmtree(f'{out}/{net}', ignore_errors=True)  # external data files are appended to
    rng = np.random.default_rng(20240617)
    wa32 = net32_weights(rng)
    wb32 = net32_weights(rng, base=wa32)
    save(net32(wa32, typed_tensor), f'{out}/net32/a/model.onnx')
    save(net32(wb32, raw_tensor), f'{out}/net32/b/model.onnx', external=True)
    for alpha in ALPHAS:
        save(net32(blended_weights(wa32, wb32, NET32_KINDS, alpha), raw_tensor),
             f'{out}/net32/expected-{alpha}/model.onnx')
    diffs = {
        'extra_node': "node #2 is 'flatten' (Reshape) in model A but 'extra' (Identity) in model B",
        'renamed_init': "initializer 'fc.bias' of model A is missing from model B (B has 'fc.b2' in its place)",
        'shape': "initializer 'offset64': shape [16] in model A but [1, 16] in model B",
        'int_values': "initializer 'shape' (INT64) differs at element 1",
        'attr': "node #3 'fc' (Gemm), attribute 'alpha': value is 1.0 in model A but 2.0 in model B",
    }
    for variant in diffs:
        save(net32(wa32, typed_tensor, variant), f'{out}/net32/diff/{variant}.onnx')

    wa16 = net16_weights(rng)
    wb16 = net16_weights(rng, base=wa16)
    save(net16(wa16, raw_tensor), f'{out}/net16/a/model.onnx', external=True, per_tensor=True)
    save(net16(wb16, raw_tensor), f'{out}/net16/b/model.onnx')
    for alpha in ALPHAS:
        save(net16(blended_weights(wa16, wb16, NET16_KINDS, alpha), raw_tensor),
             f'{out}/net16/expected-{alpha}/model.onnx')

    with open(f'{out}/expected.json', 'w') as f:
        json.dump({'alphas': list(ALPHAS), 'diffs': diffs,
                   'generator': 'tools/reference/blend/make_fixtures.py',
                   'numpy': np.__version__, 'onnx': onnx.__version__}, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'udf/src/test/resources/blend')
