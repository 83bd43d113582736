"""Networks of the toy SDXL family: autoencoder, two CLIP-style text encoders, the SDXL-signature UNet,
and the CLIP-like metric pair. All sizes are in SIZES so that exports, training and the model card
agree. Our own small implementations, written for export with torch.onnx (opset 17, no custom ops).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import clip_bpe

SIZES = {
    "vocab": clip_bpe.VOCAB_SIZE,
    "eos_id": clip_bpe.VOCAB_SIZE - 1,
    "ctx": clip_bpe.MAX_LEN,
    # text_encoder ("CLIP-L" role): width, layers, heads; hidden_states.0..3, penultimate = .2
    "te1": (48, 3, 4),
    # text_encoder_2 ("bigG" role): width, layers, heads, projection; hidden_states.0..4, penultimate = .3
    "te2": (64, 4, 4, 64),
    # UNet channels at 8x8 and 4x4, time embedding width, attention heads
    "unet": (48, 96, 128, 4),
    # autoencoder latent channels
    "latent": 4,
    # CLIP-like metric pair: embedding dim, text width, text layers, text heads
    "clip": (128, 64, 2, 4),
}
CROSS_DIM = SIZES["te1"][0] + SIZES["te2"][0]
POOLED_DIM = SIZES["te2"][3]


# ---------------------------------------------------------------- text encoders (CLIP-style)

class Attention(nn.Module):
    """Multi-head attention: q from x, k/v from ctx (self-attention when ctx is None)."""

    def __init__(self, dim, heads, ctx_dim=None, qkv_bias=True):
        super().__init__()
        self.heads = heads
        ctx_dim = dim if ctx_dim is None else ctx_dim
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.k = nn.Linear(ctx_dim, dim, bias=qkv_bias)
        self.v = nn.Linear(ctx_dim, dim, bias=qkv_bias)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, ctx=None, mask=None):
        ctx = x if ctx is None else ctx
        b, n, d = x.shape
        h = self.heads
        q = self.q(x).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.k(ctx).reshape(b, ctx.shape[1], h, d // h).transpose(1, 2)
        v = self.v(ctx).reshape(b, ctx.shape[1], h, d // h).transpose(1, 2)
        w = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d // h))
        if mask is not None:
            w = w + mask
        o = torch.matmul(torch.softmax(w, dim=-1), v)
        return self.out(o.transpose(1, 2).reshape(b, n, d))


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class TextLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), QuickGELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask=mask)
        return x + self.mlp(self.ln2(x))


class TextTransformer(nn.Module):
    """CLIP text transformer: causal pre-LN layers; pooled = final-LN state at the first eos token.
    Returns (hidden_states list [embeddings, layer 1, ..., layer L], last_hidden_state, pooled)."""

    def __init__(self, width, layers, heads):
        super().__init__()
        self.tok = nn.Embedding(SIZES["vocab"], width)
        self.pos = nn.Parameter(torch.randn(SIZES["ctx"], width) * 0.01)
        self.layers = nn.ModuleList([TextLayer(width, heads) for _ in range(layers)])
        self.final_ln = nn.LayerNorm(width)
        n = SIZES["ctx"]
        self.register_buffer("causal", torch.triu(torch.full((n, n), -1e9), diagonal=1), persistent=False)
        nn.init.normal_(self.tok.weight, std=0.02)

    def forward(self, input_ids):
        ids = input_ids.long()
        x = self.tok(ids) + self.pos
        hs = [x]
        for layer in self.layers:
            x = layer(x, self.causal)
            hs.append(x)
        last = self.final_ln(x)
        is_eos = (ids == SIZES["eos_id"]).float()
        first_eos = is_eos * (torch.cumsum(is_eos, dim=1) == 1).float()
        pooled = torch.matmul(first_eos.unsqueeze(1), last).squeeze(1)
        return hs, last, pooled


class TextEncoder1(nn.Module):
    """The "text_encoder" role (CLIP-L in SDXL)."""

    def __init__(self):
        super().__init__()
        w, l, h = SIZES["te1"]
        self.transformer = TextTransformer(w, l, h)

    def forward(self, input_ids):
        return self.transformer(input_ids)


class TextEncoder2(nn.Module):
    """The "text_encoder_2" role (OpenCLIP-bigG in SDXL), with a projected pooled output."""

    def __init__(self):
        super().__init__()
        w, l, h, p = SIZES["te2"]
        self.transformer = TextTransformer(w, l, h)
        self.text_projection = nn.Linear(w, p, bias=False)

    def forward(self, input_ids):
        hs, last, pooled = self.transformer(input_ids)
        return hs, last, self.text_projection(pooled)


def encode_prompt(te1, te2, ids1, ids2):
    """SDXL conditioning: concat of both penultimate hidden states, and encoder 2's projected pooled."""
    hs1, _, _ = te1(ids1)
    hs2, _, pooled = te2(ids2)
    return torch.cat([hs1[-2], hs2[-2]], dim=-1), pooled


# ---------------------------------------------------------------- UNet (SDXL signature)

def sinusoidal(x, dim, max_period=10000.0):
    """Sinusoidal embedding with cos first (diffusers get_timestep_embedding, flip_sin_to_cos=True,
    downscale_freq_shift=0 as SDXL uses)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = x.float().unsqueeze(-1) * freqs
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.n1 = nn.GroupNorm(8, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout)
        self.n2 = nn.GroupNorm(8, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.t(F.silu(temb))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class SpatialTransformer(nn.Module):
    """Self-attention, cross-attention on the token states, GEGLU feed-forward (SD's BasicTransformerBlock)."""

    def __init__(self, ch, heads):
        super().__init__()
        self.norm = nn.GroupNorm(8, ch)
        self.proj_in = nn.Linear(ch, ch)
        self.ln1 = nn.LayerNorm(ch)
        self.attn1 = Attention(ch, heads, qkv_bias=False)
        self.ln2 = nn.LayerNorm(ch)
        self.attn2 = Attention(ch, heads, ctx_dim=CROSS_DIM, qkv_bias=False)
        self.ln3 = nn.LayerNorm(ch)
        self.ff_in = nn.Linear(ch, 4 * ch)
        self.ff_out = nn.Linear(2 * ch, ch)
        self.proj_out = nn.Linear(ch, ch)

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        h = self.norm(x).reshape(b, c, hh * ww).transpose(1, 2)
        h = self.proj_in(h)
        h = h + self.attn1(self.ln1(h))
        h = h + self.attn2(self.ln2(h), ctx)
        a, g = self.ff_in(self.ln3(h)).chunk(2, dim=-1)
        h = h + self.ff_out(a * F.gelu(g))
        h = self.proj_out(h)
        return x + h.transpose(1, 2).reshape(b, c, hh, ww)


class UNet(nn.Module):
    """Latent-diffusion UNet with SDXL's inputs: sample [B,4,h,w], timestep [B] (int64), token states
    [B,77,CROSS_DIM], text_embeds [B,POOLED_DIM], time_ids [B,6] -> epsilon [B,4,h,w].
    Two resolutions (h, h/2); a res+attention block on each level of the down, mid and up paths."""

    def __init__(self):
        super().__init__()
        c0, c1, temb, heads = SIZES["unet"]
        self.c0 = c0
        self.time_mlp = nn.Sequential(nn.Linear(c0, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.add_mlp = nn.Sequential(nn.Linear(6 * 16 + POOLED_DIM, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.conv_in = nn.Conv2d(4, c0, 3, padding=1)
        self.d0_res = ResBlock(c0, c0, temb)
        self.d0_attn = SpatialTransformer(c0, heads)
        self.down = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.d1_res = ResBlock(c0, c1, temb)
        self.d1_attn = SpatialTransformer(c1, heads)
        self.m_res1 = ResBlock(c1, c1, temb)
        self.m_attn = SpatialTransformer(c1, heads)
        self.m_res2 = ResBlock(c1, c1, temb)
        self.u1_res = ResBlock(c1 + c1, c1, temb)
        self.u1_attn = SpatialTransformer(c1, heads)
        self.up = nn.Conv2d(c1, c1, 3, padding=1)
        self.u0_res = ResBlock(c1 + c0, c0, temb)
        self.u0_attn = SpatialTransformer(c0, heads)
        self.norm_out = nn.GroupNorm(8, c0)
        self.conv_out = nn.Conv2d(c0, 4, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds, time_ids):
        b = sample.shape[0]
        temb = self.time_mlp(sinusoidal(timestep.reshape(-1).expand(b), self.c0))
        add = torch.cat([sinusoidal(time_ids, 16).reshape(b, 6 * 16), text_embeds], dim=-1)
        temb = temb + self.add_mlp(add)
        ctx = encoder_hidden_states
        h0 = self.d0_attn(self.d0_res(self.conv_in(sample), temb), ctx)
        h1 = self.d1_attn(self.d1_res(self.down(h0), temb), ctx)
        m = self.m_res2(self.m_attn(self.m_res1(h1, temb), ctx), temb)
        u = self.u1_attn(self.u1_res(torch.cat([m, h1], dim=1), temb), ctx)
        u = self.up(F.interpolate(u, scale_factor=2.0, mode="nearest"))
        u = self.u0_attn(self.u0_res(torch.cat([u, h0], dim=1), temb), ctx)
        return self.conv_out(F.silu(self.norm_out(u)))


# ---------------------------------------------------------------- autoencoder (8x down)

class Encoder(nn.Module):
    """3x64x64 -> (mean, logvar) 4x8x8: space-to-depth by 2, then convolutions at 32, 16 and 8."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.PixelUnshuffle(2),                                                         # 12 x 32
            nn.Conv2d(12, 48, 3, padding=1), nn.GroupNorm(8, 48), nn.SiLU(),
            nn.Conv2d(48, 96, 4, stride=2, padding=1), nn.GroupNorm(8, 96), nn.SiLU(),    # 16
            nn.Conv2d(96, 96, 3, padding=1), nn.GroupNorm(8, 96), nn.SiLU(),
            nn.Conv2d(96, 128, 4, stride=2, padding=1), nn.GroupNorm(8, 128), nn.SiLU(),  # 8
            nn.Conv2d(128, 128, 3, padding=1), nn.GroupNorm(8, 128), nn.SiLU(),
            nn.Conv2d(128, 2 * SIZES["latent"], 1))

    def forward(self, x):
        mean, logvar = self.net(x).chunk(2, dim=1)
        return mean, logvar.clamp(-20, 5)


class DecRes(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.n1 = nn.GroupNorm(8, ch)
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.n2 = nn.GroupNorm(8, ch)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return x + self.c2(F.silu(self.n2(self.c1(F.silu(self.n1(x))))))


class Decoder(nn.Module):
    """4x8x8 -> 3x64x64 in about [-1, 1]: residual blocks at 8, 16 and 32 joined by depth-to-space
    (pixel shuffle) convolutions, a final convolution predicting each 2x2 pixel block."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(SIZES["latent"], 128, 3, padding=1)
        self.r8a = DecRes(128)
        self.r8b = DecRes(128)
        self.to16 = nn.Conv2d(128, 4 * 64, 3, padding=1)
        self.r16a = DecRes(64)
        self.r16b = DecRes(64)
        self.to32 = nn.Conv2d(64, 4 * 32, 3, padding=1)
        self.r32 = DecRes(32)
        self.n32 = nn.GroupNorm(8, 32)
        self.to64 = nn.Conv2d(32, 3 * 4, 3, padding=1)

    def forward(self, z):
        h = self.r8b(self.r8a(self.conv_in(z)))
        h = self.r16b(self.r16a(F.pixel_shuffle(self.to16(h), 2)))
        h = self.r32(F.pixel_shuffle(self.to32(h), 2))
        return F.pixel_shuffle(self.to64(F.silu(self.n32(h))), 2)


class ScaledDecoder(nn.Module):
    """What vae_decoder/model.onnx computes: the pipeline passes latents / scaling_factor; the decoder
    multiplies back by scaling_factor * latent_std (the encoder-mean std measured after AE training),
    so unit-variance diffusion latents map onto the raw latents the decoder was trained on."""

    def __init__(self, decoder, input_scale):
        super().__init__()
        self.decoder = decoder
        self.register_buffer("input_scale", torch.tensor(float(input_scale)))

    def forward(self, latent_sample):
        return self.decoder(latent_sample * self.input_scale)


# ---------------------------------------------------------------- CLIP-like metric pair

class ImageTower(nn.Module):
    """pixel_values [B,3,64,64] (normalised) -> image_embeds [B,D] (not L2-normalised, like HF CLIP).
    Space-to-depth by 4, convolutions at 16x16, 8x8 and 4x4, then an MLP on the flattened 4x4 map
    (keeps position, which the captions name)."""

    def __init__(self):
        super().__init__()
        d = SIZES["clip"][0]

        def block(cin, cout, stride):
            return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.GroupNorm(8, cout), nn.SiLU()]
        self.net = nn.Sequential(nn.PixelUnshuffle(4), *block(48, 96, 1), *block(96, 96, 1),
                                 *block(96, 128, 2), *block(128, 128, 2))   # 4x4
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128 * 16, 256), nn.SiLU(), nn.Linear(256, d))

    def forward(self, pixel_values):
        return self.head(self.net(pixel_values))


class TextTower(nn.Module):
    """input_ids [B,77] -> text_embeds [B,D] (projected eos state)."""

    def __init__(self):
        super().__init__()
        d, w, l, h = SIZES["clip"]
        self.transformer = TextTransformer(w, l, h)
        self.text_projection = nn.Linear(w, d, bias=False)

    def forward(self, input_ids):
        _, _, pooled = self.transformer(input_ids)
        return self.text_projection(pooled)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


if __name__ == "__main__":
    for name, m in [("text_encoder", TextEncoder1()), ("text_encoder_2", TextEncoder2()), ("unet", UNet()),
                    ("encoder", Encoder()), ("decoder", Decoder()), ("clip image", ImageTower()),
                    ("clip text", TextTower())]:
        print(f"{name:15s} {n_params(m):>9,d}")
