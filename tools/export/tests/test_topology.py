"""check_same_topology.py / exportlib.topology on tiny graphs exported with Debian's torch."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest

import tiny  # noqa: F401  (puts tools/export on sys.path)
import onnx
import torch
from onnx import TensorProto, helper

from exportlib import topology

CHECKER = os.path.join(tiny.EXPORT_DIR, "check_same_topology.py")


def _conv_graph(pads, constant_value=2.0, opset=17):
    weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 1, 3, 3], [0.1] * 18)
    scale = helper.make_tensor("scale_value", TensorProto.FLOAT, [], [constant_value])
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=pads),
        helper.make_node("Constant", [], ["s"], name="const", value=scale),
        helper.make_node("Mul", ["c", "s"], ["y"], name="mul"),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2, None, None])],
        [weight])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


class TopologyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        example = torch.randn(2, 3, 8, 8)
        cls.a = tiny.export(tiny.seeded(tiny.TinyUNetLike, 0), os.path.join(d, "a.onnx"), example)
        cls.b = tiny.export(tiny.seeded(tiny.TinyUNetLike, 1), os.path.join(d, "b.onnx"), example)
        cls.c = tiny.export(tiny.seeded(lambda: tiny.TinyUNetLike(extra=True), 0), os.path.join(d, "c.onnx"), example)
        os.makedirs(os.path.join(d, "ext"))
        cls.b_ext = os.path.join(d, "ext", "model.onnx")
        onnx.save(onnx.load(cls.b), cls.b_ext, save_as_external_data=True, all_tensors_to_one_file=True,
                  location="model.onnx_data", size_threshold=0)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def compare(self, path_a, path_b, limit=20):
        return topology.compare_models(topology.load_structure(path_a), topology.load_structure(path_b), limit)

    def test_same_module_different_weights_is_same_topology(self):
        result = self.compare(self.a, self.b)
        self.assertTrue(result.identical, result.differences)
        self.assertEqual(result.summary_a.nodes, result.summary_b.nodes)
        self.assertGreater(result.summary_a.parameters, 0)

    def test_external_data_is_not_loaded_but_values_are_streamed(self):
        structure = topology.load_structure(self.b_ext)
        self.assertTrue(all(t.data_location == TensorProto.EXTERNAL for t in structure.graph.initializer))
        self.assertTrue(all(len(t.raw_data) == 0 for t in structure.graph.initializer))
        self.assertTrue(self.compare(self.a, self.b_ext).identical)
        # inline b and external b hold the same bytes
        same = topology.compare_values(topology.load_structure(self.b), os.path.dirname(self.b),
                                       structure, os.path.dirname(self.b_ext))
        self.assertEqual(same.compared, 6)
        self.assertEqual(same.differing, [])
        self.assertEqual(same.unreadable, [])
        # a vs b: conv and linear weights/biases differ; GroupNorm's default ones/zeros do not
        values = topology.compare_values(topology.load_structure(self.a), os.path.dirname(self.a),
                                         structure, os.path.dirname(self.b_ext))
        self.assertEqual(sorted(values.differing), ["conv.bias", "conv.weight", "proj.bias", "proj.weight"])
        self.assertEqual(values.equal, 2)

    def test_missing_external_file_is_reported_unreadable(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.onnx")
            onnx.save(onnx.load(self.b), path, save_as_external_data=True, all_tensors_to_one_file=True,
                      location="model.onnx_data", size_threshold=0)
            os.remove(os.path.join(d, "model.onnx_data"))
            structure = topology.load_structure(path)  # still loads: weights are not read
            values = topology.compare_values(topology.load_structure(self.a), os.path.dirname(self.a), structure, d)
            self.assertEqual(len(values.unreadable), values.compared)

    def test_extra_op_is_found(self):
        result = self.compare(self.a, self.c)
        self.assertFalse(result.identical)
        texts = [str(d) for d in result.differences]
        # the extra op shifts torch's generated names of the folded GroupNorm constants ...
        self.assertRegex(texts[0], r"^initializers: 2 only in A, e\.g\. \['onnx::Add_\d+', 'onnx::Mul_\d+'\]$")
        # ... and the first node that differs in kind is where `h * 2.0` was inserted
        self.assertRegex(texts[-1], r"^node #\d+ \(/ReduceMean\): op ReduceMean vs Constant \(B: '/Constant'\)$")

    def test_first_difference_only_by_default(self):
        self.assertEqual(len(self.compare(self.a, self.c, limit=1).differences), 1)

    def test_deduplicated_equal_initializers_break_the_topology(self):
        """torch.onnx merges initializers with equal values (eval mode): if the base has two equal
        tensors and the other model does not, the graphs differ - the checker must say so."""
        example = torch.randn(2, 4)
        with tempfile.TemporaryDirectory() as d:
            twins = tiny.seeded(tiny.TwinBiases, 0)
            with torch.no_grad():
                twins.b.bias.copy_(twins.a.bias)
            path_a = tiny.export(twins, os.path.join(d, "a.onnx"), example)
            path_b = tiny.export(tiny.seeded(tiny.TwinBiases, 0), os.path.join(d, "b.onnx"), example)
            result = self.compare(path_a, path_b)
        self.assertFalse(result.identical)
        self.assertEqual(str(result.differences[0]), "initializers: 1 only in B, e.g. ['b.bias']")

    def test_attribute_constant_opset_and_shape_differences(self):
        base = _conv_graph([1, 1, 1, 1])
        cases = {
            "attribute 'pads'": _conv_graph([0, 0, 0, 0]),
            "constant tensor": _conv_graph([1, 1, 1, 1], constant_value=3.0),
            "opset imports": _conv_graph([1, 1, 1, 1], opset=18),
        }
        for expected, other in cases.items():
            result = topology.compare_models(base, other)
            self.assertFalse(result.identical, expected)
            self.assertIn(expected, str(result.differences[0]), expected)
        static = _conv_graph([1, 1, 1, 1])
        static.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 2
        result = topology.compare_models(base, static)
        self.assertEqual(str(result.differences[0]), "graph input 'x': FLOAT [batch,1,8,8] vs FLOAT [2,1,8,8]")

    def test_node_names_are_cosmetic(self):
        base, renamed = _conv_graph([1, 1, 1, 1]), _conv_graph([1, 1, 1, 1])
        renamed.graph.node[0].name = "other"
        result = topology.compare_models(base, renamed)
        self.assertTrue(result.identical)
        self.assertEqual(len(result.cosmetic), 1)


class CheckerCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        example = torch.randn(2, 3, 8, 8)
        os.makedirs(os.path.join(d, "base", "unet"))
        cls.base = d + "/base"
        tiny.export(tiny.seeded(tiny.TinyUNetLike, 0), os.path.join(d, "base", "unet", "model.onnx"), example)
        cls.other = tiny.export(tiny.seeded(tiny.TinyUNetLike, 1), os.path.join(d, "other.onnx"), example)
        cls.changed = tiny.export(tiny.seeded(lambda: tiny.TinyUNetLike(True), 0), os.path.join(d, "c.onnx"), example)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_checker(self, *args):
        return subprocess.run([sys.executable, CHECKER, *args], capture_output=True, text=True)

    def test_same_topology_directory_argument(self):
        done = self.run_checker(self.base, self.other, "--values", "--expect-different-weights")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("VERDICT: SAME TOPOLOGY", done.stdout)
        self.assertIn("4 differ", done.stdout)

    def test_different_topology(self):
        done = self.run_checker(self.base, self.changed)
        self.assertEqual(done.returncode, 1)
        self.assertIn("VERDICT: DIFFERENT TOPOLOGY - first difference: initializers:", done.stdout)

    def test_identical_weights_fail_when_difference_expected(self):
        done = self.run_checker(self.base, self.base, "--values", "--expect-different-weights")
        self.assertEqual(done.returncode, 1)
        self.assertIn("identical weights", done.stdout)

    def test_missing_file(self):
        done = self.run_checker(self.base, os.path.join(self.tmp.name, "nope.onnx"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("does not exist", done.stderr)


if __name__ == "__main__":
    unittest.main()
