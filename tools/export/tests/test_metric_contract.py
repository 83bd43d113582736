"""seedgrid-metric.json writers, the contract checker, the preprocessing mapping and reference, and
torch.onnx export with external data - on tiny random modules with Debian's torch."""
from __future__ import annotations

import json
import os
import tempfile
import unittest
from types import SimpleNamespace

import tiny  # noqa: F401  (puts tools/export on sys.path)
import numpy as np
import onnx
import onnx.numpy_helper
import torch
from PIL import Image

from exportlib import metric_contract, metric_export, preprocess, torch_onnx

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def clip_legacy_processor():
    """openai/clip-vit-large-patch14 preprocessor_config.json (legacy ints) as transformers loads it."""
    return SimpleNamespace(do_resize=True, size=224, resample=3, do_center_crop=True, crop_size=224,
                           do_rescale=True, rescale_factor=1 / 255, do_normalize=True,
                           image_mean=CLIP_MEAN, image_std=CLIP_STD)


def dinov2_processor():
    """facebook/dinov2-* preprocessor_config.json (BitImageProcessor)."""
    return SimpleNamespace(do_resize=True, size={"shortest_edge": 256}, resample=3, do_center_crop=True,
                           crop_size={"height": 224, "width": 224}, do_rescale=True,
                           rescale_factor=0.00392156862745098, do_normalize=True,
                           image_mean=IMAGENET_MEAN, image_std=IMAGENET_STD)


class ProcessorMappingTest(unittest.TestCase):
    def test_clip(self):
        self.assertEqual(preprocess.from_hf_image_processor(clip_legacy_processor()), {
            "size": 224, "resize": "shortest_edge", "interpolation": "bicubic", "crop": "center",
            "rescale": 0.00392156862745098, "mean": CLIP_MEAN, "std": CLIP_STD})

    def test_dinov2_resizes_to_256_then_crops_224(self):
        fields = preprocess.from_hf_image_processor(dinov2_processor())
        self.assertEqual((fields["size"], fields["resize_size"], fields["crop"]), (224, 256, "center"))
        self.assertEqual(fields["mean"], IMAGENET_MEAN)

    def test_square_resize_without_crop(self):
        processor = SimpleNamespace(do_resize=True, size={"height": 384, "width": 384}, resample=2,
                                    do_center_crop=False, do_rescale=True, rescale_factor=1 / 255,
                                    do_normalize=False)
        self.assertEqual(preprocess.from_hf_image_processor(processor), {
            "size": 384, "resize": "squash", "interpolation": "bilinear", "crop": "none",
            "rescale": 1 / 255, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]})

    def test_unsupported_processors_are_refused(self):
        lanczos = clip_legacy_processor()
        lanczos.resample = 1
        with self.assertRaisesRegex(ValueError, "lanczos"):
            preprocess.from_hf_image_processor(lanczos)
        oblong = dinov2_processor()
        oblong.crop_size = {"height": 224, "width": 256}
        with self.assertRaisesRegex(ValueError, "non-square"):
            preprocess.from_hf_image_processor(oblong)

    def test_resize_dimensions_follow_transformers(self):
        fields = preprocess.from_hf_image_processor(dinov2_processor())
        # get_resize_output_image_size: short side -> 256, long side int(256 * long / short)
        self.assertEqual(preprocess.resized_dimensions(832, 1216, fields), (256, 374))
        self.assertEqual(preprocess.resized_dimensions(1216, 832, fields), (374, 256))
        self.assertEqual(preprocess.resized_dimensions(1024, 1024, fields), (256, 256))


class ReferencePreprocessTest(unittest.TestCase):
    """The contract's meaning, checked against torchvision (an independent implementation on PIL)."""

    def setUp(self):
        rng = np.random.default_rng(0)
        self.image = Image.fromarray(rng.integers(0, 256, (1216, 832, 3), dtype=np.uint8), "RGB")

    def test_shortest_edge_center_crop_matches_torchvision_with_floor_offsets(self):
        import torchvision.transforms.functional as tvf
        from torchvision.transforms import InterpolationMode

        fields = preprocess.from_hf_image_processor(clip_legacy_processor())
        ours = preprocess.reference_preprocess(self.image, fields)
        resized = tvf.resize(self.image, 224, interpolation=InterpolationMode.BICUBIC)  # PIL bicubic
        self.assertEqual(resized.size, (224, 327))
        # Hugging Face crops at floor((327 - 224) / 2) = 51; torchvision's CenterCrop would round to 52
        theirs = tvf.normalize(tvf.to_tensor(tvf.crop(resized, 51, 0, 224, 224)), CLIP_MEAN, CLIP_STD).numpy()
        self.assertEqual(ours.shape, (3, 224, 224))
        self.assertEqual(ours.dtype, np.float32)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=2e-6)
        shifted = tvf.normalize(tvf.to_tensor(tvf.center_crop(resized, 224)), CLIP_MEAN, CLIP_STD).numpy()
        self.assertGreater(np.abs(ours - shifted).max(), 0.1)

    def test_squash_matches_dreamsim_style_transform(self):
        import torchvision.transforms as T

        fields = {"size": 224, "resize": "squash", "interpolation": "bicubic", "crop": "none",
                  "rescale": 1 / 255, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}
        ours = preprocess.reference_preprocess(self.image, fields)
        theirs = T.Compose([T.Resize((224, 224), interpolation=T.InterpolationMode.BICUBIC), T.ToTensor()])(self.image)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=0, atol=1e-6)

    def test_dinov2_resize_then_crop(self):
        import torchvision.transforms.functional as tvf
        from torchvision.transforms import InterpolationMode

        fields = preprocess.from_hf_image_processor(dinov2_processor())
        ours = preprocess.reference_preprocess(self.image, fields)
        resized = tvf.resize(self.image, 256, interpolation=InterpolationMode.BICUBIC)
        top, left = (resized.height - 224) // 2, (resized.width - 224) // 2
        theirs = tvf.normalize(tvf.to_tensor(tvf.crop(resized, top, left, 224, 224)), IMAGENET_MEAN, IMAGENET_STD)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=0, atol=2e-6)

    def test_synthetic_images_are_deterministic_rgb(self):
        first, second = metric_export.synthetic_images(), metric_export.synthetic_images()
        self.assertEqual([im.size for im in first], [(1024, 1024), (832, 1216), (1216, 832), (641, 479)])
        self.assertTrue(all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first, second)))


class ExportAndContractTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_image_embedding_export(self):
        fields = preprocess.from_hf_image_processor(dinov2_processor())
        out = os.path.join(self.dir, "dino")
        report = metric_export.export_image_embedding(tiny.seeded(tiny.TinyImageTower, 0), out, "tiny-dino", fields)
        with open(os.path.join(out, "seedgrid-metric.json"), encoding="utf-8") as handle:
            contract = json.load(handle)
        self.assertEqual(list(contract), ["type", "name", "input", "output", "size", "resize", "interpolation",
                                          "crop", "rescale", "mean", "std", "resize_size"])
        self.assertEqual((contract["type"], contract["input"], contract["output"], contract["resize_size"]),
                         ("image_embedding", "pixel_values", "image_embeds", 256))
        sig = torch_onnx.signature(os.path.join(out, "model.onnx"))
        self.assertEqual(sig["inputs"], [("pixel_values", "FLOAT", ["batch_size", 3, 224, 224])])
        self.assertEqual(sig["outputs"], [("image_embeds", "FLOAT", ["batch_size", 6])])
        self.assertEqual(metric_contract.check_directory(out), [])
        self.assertTrue("skipped" in report["onnxruntime"] or report["onnxruntime"]["max_abs_diff"] <= 1e-4)

    def test_clip_pair_export(self):
        def save_tokenizer(directory):
            os.makedirs(directory)
            for name in metric_contract.TOKENIZER_FILES:
                with open(os.path.join(directory, name), "w") as handle:
                    handle.write("{}")

        fields = preprocess.from_hf_image_processor(clip_legacy_processor())
        out = os.path.join(self.dir, "clip")
        metric_export.export_clip_pair(tiny.seeded(tiny.TinyImageTower, 0), tiny.seeded(tiny.TinyTextTower, 0),
                                       save_tokenizer, out, "tiny-clip", fields)
        contract = metric_contract.read(out)
        self.assertEqual(contract["text"], {"model": "text/model.onnx", "input": "input_ids",
                                            "output": "text_embeds", "tokenizer": "tokenizer"})
        self.assertEqual(contract["image"]["model"], "image/model.onnx")
        self.assertEqual(contract["image"]["mean"], CLIP_MEAN)
        text_sig = torch_onnx.signature(os.path.join(out, "text", "model.onnx"))
        self.assertEqual(text_sig["inputs"], [("input_ids", "INT64", ["batch_size", 77])])
        self.assertEqual(metric_contract.check_directory(out), [])

        os.remove(os.path.join(out, "tokenizer", "merges.txt"))
        contract["image"]["output"] = "embeds"
        metric_contract.write(out, contract)
        problems = metric_contract.check_directory(out)
        self.assertTrue(any("no graph output 'embeds'" in p for p in problems), problems)
        self.assertTrue(any("lacks ['merges.txt']" in p for p in problems), problems)

    def test_checker_rejects_fixed_batch_wrong_size_and_dtype(self):
        out = os.path.join(self.dir, "bad")
        os.makedirs(out)
        tiny.export(tiny.seeded(tiny.TinyImageTower, 0), os.path.join(out, "model.onnx"),
                    torch.rand(1, 3, 64, 64), ["pixel_values"], ["image_embeds"], dynamic=False)
        fields = preprocess.from_hf_image_processor(clip_legacy_processor())
        metric_contract.write(out, metric_contract.image_embedding_contract("bad", fields))
        problems = metric_contract.check_directory(out)
        self.assertIn("image_embedding: input batch axis is fixed to 1, the contract needs it dynamic", problems)
        self.assertIn("image_embedding: input axis 2 is 64, the JSON says size 224", problems)
        self.assertIn("image_embedding: output batch axis is fixed to 1", problems)

    def test_lpips_contract_check(self):
        out = os.path.join(self.dir, "lpips")
        os.makedirs(out)
        tiny.export(tiny.seeded(tiny.TinyLpipsBackbone, 0), os.path.join(out, "model.onnx"), torch.rand(2, 3, 32, 32),
                    ["image"], ["relu1", "relu2"])
        contract = {"type": "lpips", "version": "0.1", "net": "tiny", "input": "image",
                    "layers": ["relu1", "relu2"], "weights": [[0.1] * 4, [0.2] * 5]}
        metric_contract.write(out, contract)
        self.assertEqual(metric_contract.check_directory(out), [])
        contract["weights"][1] = [0.2] * 4 + [-1.0, 0.3]
        metric_contract.write(out, contract)
        problems = metric_contract.check_directory(out)
        self.assertIn("lpips: weights of 'relu2' must be non-negative numbers", problems)
        self.assertIn("lpips: 'relu2' has 5 channels but 6 weights", problems)

    def test_invalid_preprocessing_is_refused_before_writing(self):
        fields = preprocess.from_hf_image_processor(clip_legacy_processor())
        with self.assertRaisesRegex(ValueError, "interpolation"):
            metric_contract.image_embedding_contract("x", {**fields, "interpolation": "area"})
        with self.assertRaisesRegex(ValueError, "crop center"):
            metric_contract.image_embedding_contract("x", {**fields, "crop": "none"})

    def test_external_data_is_gathered_into_one_file(self):
        """torch writes one file per tensor above 2 GB; consolidate_external_data must leave
        model.onnx + model.onnx_data, which the checker and ONNX Runtime read."""
        path = os.path.join(self.dir, "model.onnx")
        tiny.export(tiny.seeded(tiny.TinyImageTower, 0), path, torch.rand(2, 3, 8, 8),
                    ["pixel_values"], ["image_embeds"])
        reference = {t.name: onnx.numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
        onnx.save(onnx.load(path), path, save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=0)
        scattered = set(os.listdir(self.dir)) - {"model.onnx"}
        self.assertGreaterEqual(len(scattered), 2)
        torch_onnx.consolidate_external_data(torch_onnx.Path(path))
        self.assertEqual(sorted(os.listdir(self.dir)), ["model.onnx", "model.onnx_data"])
        torch_onnx.check(torch_onnx.Path(path))
        loaded = onnx.load(path)
        for tensor in loaded.graph.initializer:
            np.testing.assert_array_equal(onnx.numpy_helper.to_array(tensor), reference[tensor.name])


if __name__ == "__main__":
    unittest.main()
