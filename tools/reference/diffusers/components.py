"""SDXL built from diffusers' and transformers' own classes at a tiny size, seeded random weights.

The shapes follow diffusers' SDXL pipeline tests (tests/pipelines/stable_diffusion_xl/
test_stable_diffusion_xl.py, get_dummy_components): UNet2DConditionModel with SDXL's
addition_embed_type="text_time", AutoencoderKL, CLIPTextModel + CLIPTextModelWithProjection. Changes,
each for a reason: the VAE has four levels (scale factor 8, as SDXL's; the tests' has two), group
norms are smaller (tiny channels), every weight is drawn from one seeded generator with a spread large
enough that the images vary (see randomise), and the tokenizers are seedgrid's own tiny test
vocabulary (udf/src/test/resources/tiny-sdxl/fp32/tokenizer*; the hub is never contacted).
"""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TOKENIZERS = REPO / "udf/src/test/resources/tiny-sdxl/fp32"

# SDXL base 1.0's scheduler config (stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json)
SDXL_SCHEDULER = {
    "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
    "interpolation_type": "linear", "num_train_timesteps": 1000, "prediction_type": "epsilon",
    "sample_max_value": 1.0, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "timestep_spacing": "leading", "trained_betas": None, "use_karras_sigmas": False,
}
TEXT_HIDDEN = 32
POOLED = 32


def unet_config() -> dict:
    return dict(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=6 * 8 + POOLED, cross_attention_dim=2 * TEXT_HIDDEN,
        norm_num_groups=4,
    )


def randomise(module, generator, scale: float = 1.0) -> None:
    """Every parameter ~ N(0, (scale/sqrt(fan_in))^2) (norm weights 1 + N(0, 0.1^2)), from one generator:
    reproducible across torch versions (torch.randn on a CPU generator), unlike the default inits."""
    import torch

    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() >= 2:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=generator) * (scale / fan_in ** 0.5))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=generator))


def make_unet(seed: int):
    import torch
    from diffusers import UNet2DConditionModel

    unet = UNet2DConditionModel(**unet_config())
    randomise(unet, torch.Generator().manual_seed(seed))
    return unet.eval()


def make_components(seed: int = 0) -> dict:
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    generator = torch.Generator().manual_seed(seed)
    unet = make_unet(seed + 1)
    vae = AutoencoderKL(
        block_out_channels=[8, 8, 16, 16], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
        latent_channels=4, norm_num_groups=4, layers_per_block=1, sample_size=64, scaling_factor=0.13025,
    )
    randomise(vae, generator)
    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZERS / "tokenizer")
    tokenizer_2 = CLIPTokenizer.from_pretrained(TOKENIZERS / "tokenizer_2")
    text_config = CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, hidden_size=TEXT_HIDDEN,
        intermediate_size=37, layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=5,
        pad_token_id=1, vocab_size=len(tokenizer), hidden_act="gelu", projection_dim=POOLED,
    )
    text_encoder = CLIPTextModel(text_config)
    randomise(text_encoder, generator)
    text_encoder_2 = CLIPTextModelWithProjection(text_config)
    randomise(text_encoder_2, generator)
    scheduler = EulerDiscreteScheduler.from_config(SDXL_SCHEDULER)
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder.eval(), "text_encoder_2": text_encoder_2.eval(),
            "tokenizer": tokenizer, "tokenizer_2": tokenizer_2, "scheduler": scheduler,
            "image_encoder": None, "feature_extractor": None}


def make_pipeline(seed: int = 0):
    from diffusers import StableDiffusionXLPipeline

    return StableDiffusionXLPipeline(**make_components(seed))
