"""Pinned requirements, export settings, provenance and how export_dmd2_unet.py takes the base's
settings - the logic that keeps the two UNet exports identical, testable without diffusers."""
from __future__ import annotations

import importlib.util
import os
import re
import tempfile
import unittest

import tiny

from exportlib import deps, provenance, sdxl

REQUIREMENT_FILES = ["requirements-sdxl.txt", "requirements-sdxl-cuda.txt", "metrics/requirements-metrics.txt",
                     "metrics/requirements-dreamsim.txt"]


def load_script(relative: str):
    spec = importlib.util.spec_from_file_location(relative.replace("/", "_")[:-3], os.path.join(tiny.EXPORT_DIR, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RequirementsTest(unittest.TestCase):
    def test_every_line_is_an_exact_pin(self):
        for name in REQUIREMENT_FILES:
            with self.subTest(file=name):
                with open(os.path.join(tiny.EXPORT_DIR, name), encoding="utf-8") as handle:
                    lines = [line.strip() for line in handle]
                pins = [line for line in lines if line and not line.startswith("#")]
                self.assertTrue(pins)
                for line in pins:
                    self.assertRegex(line, r"^[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+]*$")

    def test_shared_packages_have_one_version(self):
        seen: dict = {}
        for name in REQUIREMENT_FILES:
            for package, version in deps.read_pins(name).items():
                if package in seen:
                    self.assertEqual(seen[package][0], version, f"{package}: {seen[package][1]} vs {name}")
                seen[package] = (version, name)

    def test_cuda_file_differs_only_in_onnxruntime(self):
        cpu, cuda = deps.read_pins("requirements-sdxl.txt"), deps.read_pins("requirements-sdxl-cuda.txt")
        self.assertEqual(cuda.pop("onnxruntime-gpu"), cpu.pop("onnxruntime"))
        self.assertEqual(cpu, cuda)

    def test_exporter_stack_is_pinned(self):
        pins = deps.read_pins("requirements-sdxl.txt")
        for package in ("torch", "diffusers", "transformers", "optimum", "optimum-onnx", "onnx", "onnxruntime",
                        "accelerate", "safetensors", "peft", "huggingface-hub"):
            self.assertIn(package, pins)
        # optimum-onnx 0.1.0 declares optimum~=2.1.0 and transformers>=4.36,<4.58
        self.assertTrue(pins["optimum"].startswith("2.1."))
        major, minor = (int(x) for x in pins["transformers"].split(".")[:2])
        self.assertTrue((4, 36) <= (major, minor) < (4, 58))

    def test_dmd2_checks_every_graph_shaping_package_that_is_pinned(self):
        dmd2 = load_script("export_dmd2_unet.py")
        pins = deps.read_pins("requirements-sdxl.txt")
        self.assertTrue(all(package in pins for package in dmd2.GRAPH_PACKAGES))


class SettingsTest(unittest.TestCase):
    def test_dtypes_are_checked(self):
        with self.assertRaisesRegex(ValueError, "fp32 or fp16"):
            sdxl.ExportSettings("bf16", "fp32", 18, "cpu").check()
        sdxl.ExportSettings("fp16", "fp32", 18, "cpu").check()
        self.assertTrue(sdxl.ExportSettings("fp32", "fp16", 18, "cpu").half_on())
        self.assertFalse(sdxl.ExportSettings("fp32", "fp32", 18, "cpu").half_on())

    def test_half_precision_on_the_cpu_needs_torch_half_kernels(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch is not installed")
        sdxl.check_half_precision(torch, "cuda")  # never probed: CUDA always has half kernels
        try:
            torch.nn.functional.group_norm(torch.zeros(1, 4, 3, 3, dtype=torch.float16), 2)
            has_kernels = True
        except RuntimeError:
            has_kernels = False
        if has_kernels:
            sdxl.check_half_precision(torch, "cpu")
        else:  # Debian's torch 1.13
            with self.assertRaisesRegex(ValueError, "--device cuda"):
                sdxl.check_half_precision(torch, "cpu")

    def test_graph_settings_leave_out_the_vae(self):
        settings = sdxl.ExportSettings("fp16", "fp32", 18, "cuda")
        self.assertEqual(settings.graph_settings(), {"dtype": "fp16", "opset": 18, "device": "cuda", "int_dtype": "int64",
                                                     "do_constant_folding": True, "dynamic_axes": True})

    def test_sdxl_script_maps_vae_options(self):
        script = load_script("export_sdxl.py")
        args = script.parse_args(["--out", "x", "--fp16", "--fp16-vae", "fix", "--device", "cuda"])
        self.assertEqual(script.settings_from_args(args), sdxl.ExportSettings("fp16", "fp16", 18, "cuda"))
        self.assertEqual(script.vae_source(args), sdxl.FP16_FIX_VAE)
        args = script.parse_args(["--out", "x", "--fp16", "--device", "cuda"])
        self.assertEqual(script.settings_from_args(args).vae_dtype, "fp32")
        self.assertIsNone(script.vae_source(args))
        args = script.parse_args(["--out", "x"])
        self.assertEqual(script.settings_from_args(args), sdxl.ExportSettings("fp32", "fp32", 18, "cpu"))

    def test_changed_parameters(self):
        before = {"a": (1.0, 2.0), "b": (0.0, 0.0)}
        self.assertEqual(sdxl.changed_parameters(before, {"a": (1.0, 2.0), "b": (0.5, 0.5)}), ["b"])
        self.assertEqual(sdxl.changed_parameters(before, dict(before)), [])

    def test_single_file_detection(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.safetensors")
            open(path, "wb").close()
            self.assertTrue(sdxl.is_single_file(path))
            self.assertFalse(sdxl.is_single_file(d))
            self.assertFalse(sdxl.is_single_file("stabilityai/stable-diffusion-xl-base-1.0"))


class ProvenanceAndDmd2SettingsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dmd2 = load_script("export_dmd2_unet.py")
        settings = sdxl.ExportSettings("fp16", "fp32", 18, "cuda:0")
        self.record = provenance.make(
            "sdxl", {"model": "/models/my-sdxl.safetensors", "revision": None, "variant": None,
                     "single_file_config": "stabilityai/stable-diffusion-xl-base-1.0", "vae": None},
            {**settings.graph_settings(), "vae_dtype": "fp32", "validated": True}, sdxl.REQUIREMENTS)
        provenance.write(self.tmp.name, self.record)

    def tearDown(self):
        self.tmp.cleanup()

    def args(self, *extra):
        return self.dmd2.parse_args(["--base-export", self.tmp.name, "--out", "o", "--lora", *extra])

    def test_round_trip(self):
        record = provenance.read(self.tmp.name)
        self.assertEqual(record["kind"], "sdxl")
        self.assertEqual(record["format"], provenance.FORMAT)
        self.assertIn("torch", record["versions"])  # Debian's torch is installed here
        self.assertRegex(record["exported_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")

    def test_dmd2_takes_the_base_settings_and_source(self):
        settings, source = self.dmd2.base_settings(provenance.read(self.tmp.name), self.args())
        self.assertEqual(settings, sdxl.ExportSettings("fp16", "fp32", 18, "cuda:0"))
        self.assertEqual(source["model"], "/models/my-sdxl.safetensors")
        self.assertEqual(source["single_file_config"], "stabilityai/stable-diffusion-xl-base-1.0")

    def test_dmd2_refuses_contradicting_settings(self):
        record = provenance.read(self.tmp.name)
        with self.assertRaises(SystemExit):
            self.dmd2.base_settings(record, self.args("--opset", "17"))
        record["settings"]["dtype"] = "fp32"
        with self.assertRaises(SystemExit):
            self.dmd2.base_settings(record, self.args("--fp16"))
        with self.assertRaises(SystemExit):
            self.dmd2.base_settings({**record, "kind": "unet-only"}, self.args())

    def test_dmd2_without_base_record_needs_a_base_model(self):
        with self.assertRaises(SystemExit):
            self.dmd2.base_settings(None, self.args())
        settings, source = self.dmd2.base_settings(None, self.args("--base-model", "x/y", "--opset", "17"))
        self.assertEqual((settings.opset, settings.dtype, source["model"]), (17, "fp32", "x/y"))

    def test_dmd2_refuses_other_package_versions(self):
        record = provenance.read(self.tmp.name)
        record["versions"]["torch"] = "0.0.1"
        with self.assertRaisesRegex(SystemExit, "torch: base exported with 0.0.1"):
            self.dmd2.check_versions(record, allow=False)
        self.dmd2.check_versions(record, allow=True)
        self.dmd2.check_versions(provenance.read(self.tmp.name), allow=False)

    def test_route_defaults_are_the_dmd2_release_files(self):
        self.assertEqual(self.args().lora, "tianweiy/DMD2/dmd2_sdxl_4step_lora_fp16.safetensors")
        args = self.dmd2.parse_args(["--base-export", "b", "--out", "o", "--unet-weights"])
        self.assertEqual(args.unet_weights, "tianweiy/DMD2/dmd2_sdxl_4step_unet_fp16.bin")
        self.assertIsNone(args.lora)
        self.assertEqual(self.dmd2.DMD2_SAMPLING["timesteps"], [999, 749, 499, 249])

    def test_resolve_file_prefers_local_files(self):
        path = os.path.join(self.tmp.name, provenance.PROVENANCE_FILE)
        self.assertEqual(self.dmd2.resolve_file(path, None), path)
        with self.assertRaisesRegex(SystemExit, "neither a file nor OWNER/REPO/FILE"):
            self.dmd2.resolve_file("missing.bin", None)


class VersionPinParsingTest(unittest.TestCase):
    def test_read_pins_normalises_names(self):
        pins = deps.read_pins("metrics/requirements-dreamsim.txt")
        self.assertIn("open-clip-torch", pins)
        self.assertIn("huggingface-hub", pins)
        self.assertTrue(all(re.match(r"^[a-z0-9\-]+$", name) for name in pins))


if __name__ == "__main__":
    unittest.main()


class SourceHashTest(unittest.TestCase):
    def test_a_single_file_checkpoint_is_hashed_as_a1111_does(self):
        import hashlib
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.safetensors")
            with open(path, "wb") as f:
                f.write(b"weights")
            self.assertEqual(sdxl.file_sha256(path), hashlib.sha256(b"weights").hexdigest())
            self.assertIsNone(sdxl.file_sha256(tmp))
        self.assertIsNone(sdxl.file_sha256("stabilityai/stable-diffusion-xl-base-1.0"))
