"""Every script's --help works on a bare Python, and a missing package ends in a message that names
the requirements file - without diffusers/transformers/optimum, which this machine does not have."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest

import tiny

SCRIPTS = {
    "export_sdxl.py": "requirements-sdxl.txt",
    "export_dmd2_unet.py": "requirements-sdxl.txt",
    "check_same_topology.py": "requirements-sdxl.txt",
    "metrics/export_clip.py": "requirements-metrics.txt",
    "metrics/export_dinov2.py": "requirements-metrics.txt",
    "metrics/export_dreamsim.py": "requirements-dreamsim.txt",
    "metrics/check_metric_model.py": "requirements-metrics.txt",
}


def script(name: str) -> str:
    return os.path.join(tiny.EXPORT_DIR, name)


def bare(*args, cwd=None):
    """python -S: no site-packages at all (no numpy, torch, onnx, diffusers, ...)."""
    return subprocess.run([sys.executable, "-S", *args], capture_output=True, text=True, cwd=cwd)


def debian(*args, cwd=None):
    """This interpreter with its packages (torch and onnx, but no diffusers/transformers/optimum)."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd)


def has_module(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class HelpTest(unittest.TestCase):
    def test_help_on_bare_python(self):
        for name in SCRIPTS:
            with self.subTest(script=name):
                done = bare(script(name), "--help")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("usage:", done.stdout)

    def test_scripts_are_self_describing(self):
        for name in SCRIPTS:
            with self.subTest(script=name):
                done = bare(script(name), "--help")
                self.assertGreater(len(done.stdout.splitlines()), 3)


class MissingDependencyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def assert_names_requirements(self, done, requirements: str, package: str):
        self.assertEqual(done.returncode, 3, done.stdout + done.stderr)
        self.assertIn(f"pip install -r tools/export/{'metrics/' if 'metric' in requirements or 'dreamsim' in requirements else ''}{requirements}",
                      done.stderr)
        self.assertIn(package, done.stderr)
        self.assertNotIn("Traceback", done.stderr)

    @unittest.skipIf(has_module("diffusers"), "diffusers is installed here")
    def test_export_sdxl_without_diffusers(self):
        repo_root = os.path.dirname(os.path.dirname(tiny.EXPORT_DIR))
        done = debian(script("export_sdxl.py"), "--out", os.path.join(self.tmp.name, "out"), cwd=repo_root)
        self.assert_names_requirements(done, "requirements-sdxl.txt", "diffusers")
        self.assertIn("requirements-sdxl-cuda.txt", done.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "out")), "nothing is written before the imports")

    @unittest.skipIf(has_module("diffusers"), "diffusers is installed here")
    def test_export_dmd2_without_diffusers(self):
        repo_root = os.path.dirname(os.path.dirname(tiny.EXPORT_DIR))
        base = os.path.join(self.tmp.name, "base")
        os.makedirs(os.path.join(base, "unet"))
        open(os.path.join(base, "unet", "model.onnx"), "wb").close()
        done = debian(script("export_dmd2_unet.py"), "--base-export", base, "--base-model", "some/sdxl",
                      "--out", os.path.join(self.tmp.name, "out"), "--lora", cwd=repo_root)
        self.assert_names_requirements(done, "requirements-sdxl.txt", "diffusers")

    @unittest.skipIf(has_module("transformers"), "transformers is installed here")
    def test_clip_and_dinov2_without_transformers(self):
        repo_root = os.path.dirname(os.path.dirname(tiny.EXPORT_DIR))
        for name in ("metrics/export_clip.py", "metrics/export_dinov2.py"):
            with self.subTest(script=name):
                done = debian(script(name), "--out", os.path.join(self.tmp.name, "out"), cwd=repo_root)
                self.assert_names_requirements(done, "requirements-metrics.txt", "transformers")

    @unittest.skipIf(has_module("dreamsim"), "dreamsim is installed here")
    def test_dreamsim_without_dreamsim(self):
        repo_root = os.path.dirname(os.path.dirname(tiny.EXPORT_DIR))
        done = debian(script("metrics/export_dreamsim.py"), "--out", os.path.join(self.tmp.name, "out"), cwd=repo_root)
        self.assert_names_requirements(done, "requirements-dreamsim.txt", "dreamsim")

    def test_checkers_without_onnx(self):
        repo_root = os.path.dirname(os.path.dirname(tiny.EXPORT_DIR))
        done = bare(script("check_same_topology.py"), "a.onnx", "b.onnx", cwd=repo_root)
        self.assert_names_requirements(done, "requirements-sdxl.txt", "onnx")
        done = bare(script("metrics/check_metric_model.py"), "dir", cwd=repo_root)
        self.assert_names_requirements(done, "requirements-metrics.txt", "onnx")


class ArgumentValidationTest(unittest.TestCase):
    """Settings that cannot work are refused before anything heavy is imported or written."""

    def test_fp16_vae_fix_needs_fp16(self):
        done = bare(script("export_sdxl.py"), "--out", "/nonexistent/out", "--fp16-vae", "fix")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--fp16-vae fix only applies to --fp16", done.stderr)

    def test_dmd2_needs_a_route_and_an_existing_base(self):
        done = bare(script("export_dmd2_unet.py"), "--base-export", "/nonexistent", "--out", "/tmp/x")
        self.assertEqual(done.returncode, 2)
        self.assertIn("one of the arguments --unet-weights --lora is required", done.stderr)
        done = bare(script("export_dmd2_unet.py"), "--base-export", "/nonexistent", "--out", "/tmp/x", "--lora")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("/nonexistent/unet/model.onnx does not exist", done.stderr)

    def test_dmd2_out_must_not_overlap_the_base(self):
        with tempfile.TemporaryDirectory() as base:
            os.makedirs(os.path.join(base, "unet"))
            open(os.path.join(base, "unet", "model.onnx"), "wb").close()
            done = bare(script("export_dmd2_unet.py"), "--base-export", base, "--out", os.path.join(base, "dmd2"),
                        "--lora", "--force")
            self.assertNotEqual(done.returncode, 0)
            self.assertIn("overlaps the base export", done.stderr)
            self.assertTrue(os.path.isfile(os.path.join(base, "unet", "model.onnx")))


if __name__ == "__main__":
    unittest.main()
