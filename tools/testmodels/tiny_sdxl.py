"""Tiny torch stand-ins for the SDXL sub-models, the tiny CLIP tokenizer, and the float32 reference
pipeline math. Shared by make_tiny_sdxl.py (ONNX export) and reference_pipeline.py (golden values).

Everything here is our own code; formulas name their source (diffusers / transformers files) so
a reader can check them. Run with Debian's /usr/bin/python3 (torch 1.13, numpy 1.24), CPU only.

Dims are deliberately NOT SDXL's (CLIP-L 768, bigG 1280, 2048 token states, pooled 1280):
    text_encoder   (CLIP-L stand-in): hidden 32, 4 layers  -> hidden_states.0..4, penultimate .3
    text_encoder_2 (bigG stand-in):   hidden 48, 6 layers  -> hidden_states.0..6, penultimate .5,
                                      text_embeds [B,24] (projection_dim 24)
    unet: encoder_hidden_states [B,77,80] (= 32 + 48), text_embeds [B,24], time_ids [B,6]
so Java code that hard-codes real SDXL dims fails on these models.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# Sizes
TE1_HIDDEN, TE1_LAYERS = 32, 4
TE2_HIDDEN, TE2_LAYERS = 48, 6
POOLED_DIM = 24                      # text_encoder_2 projection_dim -> unet text_embeds width
TOKEN_DIM = TE1_HIDDEN + TE2_HIDDEN  # 80 -> unet encoder_hidden_states width
TIME_IDS = 6
MAX_LENGTH = 77
ATTN_INNER, ATTN_HEADS, MLP_HIDDEN = 8, 2, 8   # per text-encoder layer (kept tiny on purpose)
EMBED_RANK = 4                       # factorised token and position embeddings: [V,4] @ [4,D]
UNET_CH, UNET_EMB = 12, 32
ADD_TIME_DIM = 8                     # sinusoid width per time_id (SDXL: addition_time_embed_dim 256)
VAE_CH = 8
VAE_SCALING_FACTOR = 0.13025

# Seeds of the weight initialisation (one per module; dmd2 UNet uses other seeds).
SEED_TE1, SEED_TE2, SEED_UNET, SEED_VAE_DEC, SEED_VAE_ENC = 101, 102, 103, 104, 105
SEED_UNET_DMD2 = 203
SEED_UNET_BROKEN = 303

# ----------------------------------------------------------------------------------------------
# Tokenizer: a tiny but real CLIP byte-level BPE (same file formats as openai/clip-vit-large-patch14).
#
# Vocabulary layout follows CLIP's: the 256 byte symbols (ids 0..255, bytes_to_unicode order, so
# "!" is id 0), the same 256 with "</w>" (ids 256..511), one id per merge in merge order, then
# <|startoftext|> and <|endoftext|> last. Only the merges are tiny: they are generated so that every
# word of WORDS becomes exactly ONE token "word</w>" under standard BPE (lowest merge rank first).
# Consequence for references: a prompt made of WORDS separated by spaces tokenizes by plain
# lookup (lowercase, split on spaces, id of "word</w>"), which reference_pipeline.py uses and
# checks against a real BPE implementation (clip_bpe below). Any other text still tokenizes (it
# falls back to byte symbols), as with the real vocabulary.
WORDS = [
    "a", "red", "cube", "on", "blue", "floor",                     # the test prompt
    "blurry", "low", "quality",                                     # the test negative prompt
    "green", "sphere", "photo", "of", "cat", "dog", "the", "in", "and", "with",
    "astronaut", "riding", "horse", "portrait", "woman", "man", "hat", "garden", "yellow",
    "small", "large", "house", "tree", "painting", "city", "night", "mountain", "lake",
    "sunset", "bird", "car",
]


def bytes_to_unicode():
    """GPT-2/CLIP reversible byte -> printable unicode map (openai/CLIP simple_tokenizer.py):
    printable latin-1 bytes map to themselves, the other 68 bytes to chr(256 + n) in byte order.
    Returned as an ordered list of (byte, char) in CLIP's vocabulary order."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    pairs = [(b, chr(b)) for b in printable]
    n = 0
    for b in range(256):
        if b not in printable:
            pairs.append((b, chr(256 + n)))
            n += 1
    return pairs


def clip_bpe(word, ranks):
    """Standard CLIP BPE of one pre-token (already byte-mapped): the last symbol carries '</w>';
    repeatedly merge the adjacent pair of lowest rank (all its occurrences, left to right)."""
    symbols = list(word[:-1]) + [word[-1] + "</w>"]
    while len(symbols) > 1:
        pairs = [(ranks.get((symbols[i], symbols[i + 1]), math.inf), i) for i in range(len(symbols) - 1)]
        best_rank = min(pairs)[0]
        if best_rank == math.inf:
            break
        first, second = symbols[min(pairs)[1]], symbols[min(pairs)[1] + 1]
        merged, i = [], 0
        while i < len(symbols):
            if i < len(symbols) - 1 and symbols[i] == first and symbols[i + 1] == second:
                merged.append(first + second)
                i += 2
            else:
                merged.append(symbols[i])
                i += 1
        symbols = merged
    return symbols


def build_tokenizer():
    """Returns (vocab dict token->id, merges list of (a, b)). Merges are grown word by word: while
    BPE with the merges so far leaves a word in more than one piece, append the merge of its first
    two pieces. An appended merge has the highest rank, so it never changes how an earlier word
    (already one piece, no pairs left) is split."""
    merges, ranks = [], {}
    for word in WORDS:
        while True:
            pieces = clip_bpe(word, ranks)
            if len(pieces) == 1:
                break
            pair = (pieces[0], pieces[1])
            ranks[pair] = len(merges)
            merges.append(pair)
    symbols = [c for _, c in bytes_to_unicode()]
    tokens = symbols + [s + "</w>" for s in symbols] + [a + b for a, b in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens), "duplicate token"
    for word in WORDS:
        assert clip_bpe(word, ranks) == [word + "</w>"], word
    return vocab, merges


def tokenize_simple(text, vocab, pad_token):
    """The lookup tokenizer valid for prompts made only of WORDS: bos + ids + eos, padded to 77."""
    words = text.lower().split()
    ids = [vocab[w + "</w>"] for w in words][: MAX_LENGTH - 2]
    ids = [vocab["<|startoftext|>"]] + ids + [vocab["<|endoftext|>"]]
    return ids + [vocab[pad_token]] * (MAX_LENGTH - len(ids))


def tokenize_bpe(text, vocab, merges, pad_token):
    """Full CLIP tokenization (whitespace-collapsed, lowercased, CLIP's pre-token regex limited to
    the ASCII letters/digits our tests use, byte mapping, BPE) -- used only to cross-check
    tokenize_simple."""
    import re
    ranks = {m: i for i, m in enumerate(merges)}
    byte_map = dict(bytes_to_unicode())
    text = " ".join(text.split()).lower()
    ids = []
    for pre in re.findall(r"'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+", text):
        mapped = "".join(byte_map[b] for b in pre.encode("utf-8"))
        ids += [vocab[p] for p in clip_bpe(mapped, ranks)]
    ids = [vocab["<|startoftext|>"]] + ids[: MAX_LENGTH - 2] + [vocab["<|endoftext|>"]]
    return ids + [vocab[pad_token]] * (MAX_LENGTH - len(ids))


# ----------------------------------------------------------------------------------------------
# Deterministic weights: every parameter is drawn from one torch.Generator per module, in sorted
# parameter-name order, so the weights depend only on the seed (not on torch's default inits).
def init_weights(module, seed, scales=None):
    scales = scales or {}
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(module.named_parameters()):
            noise = torch.randn(p.shape, generator=gen)
            if name in scales:
                p.copy_(noise * scales[name])
            elif p.dim() == 1 and "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif p.dim() == 1:
                p.copy_(0.05 * noise)
            else:
                fan_in = p[0].numel()
                p.copy_(noise / math.sqrt(fan_in))
    return module


# ----------------------------------------------------------------------------------------------
# Text encoders (transformers' CLIPTextModel / CLIPTextModelWithProjection shape of computation:
# token + position embedding, pre-LN causal self-attention blocks, final LayerNorm, pooled = final
# state at the first position of the largest id (= eos), optional projection without bias).
class TinyClipLayer(nn.Module):
    def __init__(self, hidden, act):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden)
        self.q_proj = nn.Linear(hidden, ATTN_INNER)
        self.k_proj = nn.Linear(hidden, ATTN_INNER)
        self.v_proj = nn.Linear(hidden, ATTN_INNER)
        self.out_proj = nn.Linear(ATTN_INNER, hidden)
        self.norm2 = nn.LayerNorm(hidden)
        self.fc1 = nn.Linear(hidden, MLP_HIDDEN)
        self.fc2 = nn.Linear(MLP_HIDDEN, hidden)
        self.act = act

    def forward(self, h, causal_mask):
        b, n, _ = h.shape
        x = self.norm1(h)
        head = ATTN_INNER // ATTN_HEADS
        q = self.q_proj(x).reshape(b, n, ATTN_HEADS, head).transpose(1, 2)
        k = self.k_proj(x).reshape(b, n, ATTN_HEADS, head).transpose(1, 2)
        v = self.v_proj(x).reshape(b, n, ATTN_HEADS, head).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) * (head ** -0.5)
        # -1e4 instead of finfo.min keeps the constant representable in float16 exports.
        scores = scores.masked_fill(causal_mask, -1e4)
        attn = torch.matmul(scores.softmax(dim=-1), v).transpose(1, 2).reshape(b, n, ATTN_INNER)
        h = h + self.out_proj(attn)
        x = self.norm2(h)
        if self.act == "quick_gelu":   # CLIP-L: x * sigmoid(1.702 x) (transformers activations.py)
            x = self.fc1(x)
            x = x * torch.sigmoid(1.702 * x)
        else:                          # bigG: exact (erf) GELU
            x = F.gelu(self.fc1(x))
        return h + self.fc2(x)


class TinyClipText(nn.Module):
    """Outputs in Optimum's order. Without projection (CLIP-L, Optimum "clip-text"):
    last_hidden_state, pooler_output, hidden_states.0..N. With projection (bigG, Optimum
    "clip-text-with-projection"): text_embeds, last_hidden_state, hidden_states.0..N."""

    def __init__(self, vocab_size, hidden, layers, act, projection_dim=None):
        super().__init__()
        self.token_embedding_low = nn.Parameter(torch.zeros(vocab_size, EMBED_RANK))
        self.token_embedding_up = nn.Linear(EMBED_RANK, hidden, bias=False)
        self.position_embedding_low = nn.Parameter(torch.zeros(MAX_LENGTH, EMBED_RANK))
        self.position_embedding_up = nn.Linear(EMBED_RANK, hidden, bias=False)
        self.layers = nn.ModuleList([TinyClipLayer(hidden, act) for _ in range(layers)])
        self.final_norm = nn.LayerNorm(hidden)
        self.text_projection = nn.Linear(hidden, projection_dim, bias=False) if projection_dim else None

    def forward(self, input_ids):
        b, n = input_ids.shape
        h = self.token_embedding_up(F.embedding(input_ids, self.token_embedding_low))
        h = h + self.position_embedding_up(self.position_embedding_low[:n])
        pos = torch.arange(n, device=input_ids.device)
        causal_mask = pos[None, :] > pos[:, None]
        hidden_states = [h]
        for layer in self.layers:
            h = layer(h, causal_mask)
            hidden_states.append(h)
        last = self.final_norm(h)
        # transformers CLIPTextTransformer: eos position = argmax of the ids cast to int32.
        eos = input_ids.to(torch.int32).argmax(dim=-1)
        pooled = last[torch.arange(b), eos]
        if self.text_projection is not None:
            return (self.text_projection(pooled), last, *hidden_states)
        return (last, pooled, *hidden_states)

    def output_names(self):
        n = len(self.layers)
        first = ["text_embeds", "last_hidden_state"] if self.text_projection is not None \
            else ["last_hidden_state", "pooler_output"]
        return first + [f"hidden_states.{i}" for i in range(n + 1)]


def make_text_encoder_1(vocab_size):
    m = TinyClipText(vocab_size, TE1_HIDDEN, TE1_LAYERS, "quick_gelu")
    return init_weights(m, SEED_TE1, {"token_embedding_low": 1.0, "position_embedding_low": 0.3}).eval()


def make_text_encoder_2(vocab_size):
    m = TinyClipText(vocab_size, TE2_HIDDEN, TE2_LAYERS, "gelu", projection_dim=POOLED_DIM)
    return init_weights(m, SEED_TE2, {"token_embedding_low": 1.0, "position_embedding_low": 0.3}).eval()


# ----------------------------------------------------------------------------------------------
# UNet stand-in.
def sinusoidal_embedding(t, dim):
    """diffusers embeddings.get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0,
    max_period 10000: freq_j = exp(-ln(10000) * j / (dim/2)); emb = [cos(t f), sin(t f)].
    Computed in float32 whatever the input dtype (diffusers casts timesteps with .float())."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimeProjection(nn.Module):
    """A module of its own (like diffusers' Timesteps) so that its ONNX nodes are named
    /time_proj/... and /add_time_proj/...: the float16 export keeps them in float32."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, t):
        return sinusoidal_embedding(t, self.dim)


class ResBlock(nn.Module):
    def __init__(self, ch, emb, convs=2):
        super().__init__()
        self.norm1 = nn.GroupNorm(4, ch)
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.emb_proj = nn.Linear(emb, ch)
        self.norm2 = nn.GroupNorm(4, ch) if convs == 2 else None
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1) if convs == 2 else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb_proj(F.silu(emb))[:, :, None, None]
        if self.conv2 is not None:
            h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class CrossAttention(nn.Module):
    """Single-head cross-attention of the feature map over the 77 token states."""

    def __init__(self, ch, context_dim, inner=8):
        super().__init__()
        self.norm = nn.GroupNorm(4, ch)
        self.to_q = nn.Linear(ch, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Linear(inner, ch)
        self.inner = inner

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        q = self.to_q(self.norm(x).flatten(2).transpose(1, 2))            # [B, hw, inner]
        k = self.to_k(context)                                           # [B, 77, inner]
        v = self.to_v(context)
        attn = torch.matmul(q, k.transpose(1, 2)) * (self.inner ** -0.5)
        out = self.to_out(torch.matmul(attn.softmax(dim=-1), v))         # [B, hw, C]
        return x + out.transpose(1, 2).reshape(b, c, hh, ww)


class TinyUNet(nn.Module):
    """Inputs/outputs as Optimum's SDXL UNet export: (sample, timestep, encoder_hidden_states,
    text_embeds, time_ids) -> out_sample. Conditioning as in diffusers UNet2DConditionModel with
    addition_embed_type "text_time": emb = MLP(sinusoid(t)) + MLP(concat(text_embeds,
    sinusoid(time_ids).reshape(B, -1))). Every input reaches the output: t and time_ids and
    text_embeds through emb (added in both ResBlocks), the token states through cross-attention.
    Output = sample + a bounded correction, i.e. an epsilon prediction close to c_in x for noise,
    so 20 Euler steps contract to O(1) latents."""

    def __init__(self, context_dim=TOKEN_DIM, pooled_dim=POOLED_DIM):
        super().__init__()
        self.time_proj = TimeProjection(UNET_EMB)
        self.time_embedding = nn.Sequential(nn.Linear(UNET_EMB, UNET_EMB), nn.SiLU(), nn.Linear(UNET_EMB, UNET_EMB))
        self.add_time_proj = TimeProjection(ADD_TIME_DIM)
        self.add_embedding = nn.Sequential(nn.Linear(pooled_dim + TIME_IDS * ADD_TIME_DIM, UNET_EMB), nn.SiLU(),
                                           nn.Linear(UNET_EMB, UNET_EMB))
        self.conv_in = nn.Conv2d(4, UNET_CH, 3, padding=1)
        self.res_down = ResBlock(UNET_CH, UNET_EMB)
        self.downsample = nn.Conv2d(UNET_CH, UNET_CH, 3, stride=2, padding=1)
        self.res_mid = ResBlock(UNET_CH, UNET_EMB, convs=1)
        self.attn_mid = CrossAttention(UNET_CH, context_dim)
        self.upsample_conv = nn.Conv2d(UNET_CH, UNET_CH, 3, padding=1)
        self.norm_out = nn.GroupNorm(4, UNET_CH)
        self.conv_out = nn.Conv2d(UNET_CH, 4, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds, time_ids):
        b = sample.shape[0]
        t = timestep
        if t.dim() == 0:             # diffusers: scalar timestep -> [1], then expand to the batch
            t = t[None]
        t = t.expand(b)
        emb = self.time_embedding(self.time_proj(t).to(sample.dtype))
        time_embeds = self.add_time_proj(time_ids.flatten()).reshape(b, -1).to(sample.dtype)
        emb = emb + self.add_embedding(torch.cat([text_embeds, time_embeds], dim=-1))
        h = self.conv_in(sample)
        h = self.res_down(h, emb)
        skip = h
        h = self.downsample(h)
        h = self.res_mid(h, emb)
        h = self.attn_mid(h, encoder_hidden_states)
        h = self.upsample_conv(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = h + skip
        return sample + self.conv_out(F.silu(self.norm_out(h)))


def make_unet(seed=SEED_UNET, context_dim=TOKEN_DIM):
    m = TinyUNet(context_dim=context_dim)
    # conv_out 0.5/sqrt(fan_in): the correction stays a fraction of the unit-scale input.
    return init_weights(m, seed, {"conv_out.weight": 0.5 / math.sqrt(UNET_CH * 9)}).eval()


# ----------------------------------------------------------------------------------------------
# VAE stand-ins (diffusers AutoencoderKL.decode / encode layout: post_quant_conv, conv_in, 3 x
# (nearest upsample x2 + conv), GroupNorm + SiLU, conv_out: latent [B,4,h,w] -> image [B,3,8h,8w]).
class TinyVaeDecoder(nn.Module):
    """No normalisation layer before the output, so the decoded image depends on the latent's
    scale (a pipeline that forgets 1/scaling_factor gets a visibly different image); the output
    is soft-limited to (-1.3, 1.3) by 1.3*tanh(h/1.3), so clamping to [-1, 1] still happens."""

    def __init__(self):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(4, 4, 1)
        self.conv_in = nn.Conv2d(4, VAE_CH, 3, padding=1)
        self.up_convs = nn.ModuleList([nn.Conv2d(VAE_CH, VAE_CH, 3, padding=1) for _ in range(3)])
        self.conv_out = nn.Conv2d(VAE_CH, 3, 3, padding=1)

    def forward(self, latent_sample):
        h = F.silu(self.conv_in(self.post_quant_conv(latent_sample)))
        for conv in self.up_convs:
            h = F.silu(conv(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        return 1.3 * torch.tanh(self.conv_out(h) / 1.3)


class TinyVaeEncoder(nn.Module):
    """image [B,3,H,W] -> latent_parameters [B,8,H/8,W/8] (mean and log-variance, Optimum's
    newer vae_encoder output). Not used by seedgrid's text-to-image pipeline; present for the layout."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(3, VAE_CH, 3, padding=1)
        self.downs = nn.ModuleList([nn.Conv2d(VAE_CH, VAE_CH, 3, stride=2, padding=1) for _ in range(3)])
        self.norm_out = nn.GroupNorm(2, VAE_CH)
        self.conv_out = nn.Conv2d(VAE_CH, 8, 3, padding=1)
        self.quant_conv = nn.Conv2d(8, 8, 1)

    def forward(self, sample):
        h = self.conv_in(sample)
        for conv in self.downs:
            h = conv(F.silu(h))
        return self.quant_conv(self.conv_out(F.silu(self.norm_out(h))))


def make_vae_decoder():
    # conv_in 0.15/sqrt(fan_in): latents/0.13025 have a std of about 5..11 -> activations O(1);
    # gain 1.8 on the up convs makes up for SiLU's shrinking; images std ~0.2..0.5, 0..9 % clamped.
    scales = {"conv_in.weight": 0.15 / math.sqrt(4 * 9), "conv_out.weight": 2.0 / math.sqrt(VAE_CH * 9)}
    scales.update({f"up_convs.{i}.weight": 1.8 / math.sqrt(VAE_CH * 9) for i in range(3)})
    return init_weights(TinyVaeDecoder(), SEED_VAE_DEC, scales).eval()


def make_vae_encoder():
    return init_weights(TinyVaeEncoder(), SEED_VAE_ENC).eval()


def round_weights_to_fp16(module):
    """A copy whose parameters are rounded to float16 and back: the float32 twin of the fp16 export."""
    import copy
    twin = copy.deepcopy(module)
    with torch.no_grad():
        for p in twin.parameters():
            p.copy_(p.half().float())
    return twin


# ----------------------------------------------------------------------------------------------
# Euler (diffusers EulerDiscreteScheduler, SDXL config: scaled_linear 0.00085..0.012, 1000 steps,
# leading spacing, steps_offset 1, epsilon, linear interpolation, final sigma 0).
def euler_timeline(steps, train_steps=1000, beta_start=0.00085, beta_end=0.012, steps_offset=1):
    """Returns (timesteps float32 [n], sigmas float32 [n+1], init_noise_sigma float32).
    betas = linspace(sqrt(b0), sqrt(b1), 1000)^2 and alphas_cumprod = cumprod(1 - betas) in float32
    (torch), sigma = sqrt((1 - acp) / acp) in float32; leading timesteps = round(arange(n) *
    (1000 // n))[::-1] + offset; sigmas = np.interp(t, arange(1000), sigma) in float64 then
    float32 with a final 0; init_noise_sigma = sqrt(max_sigma^2 + 1) in float32."""
    betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, train_steps, dtype=torch.float32) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
    sigma_table = (((1 - alphas_cumprod) / alphas_cumprod) ** 0.5).numpy()
    ratio = train_steps // steps
    timesteps = (np.arange(0, steps) * ratio).round()[::-1].copy().astype(np.float32) + steps_offset
    sigmas = np.interp(timesteps, np.arange(0, len(sigma_table)), sigma_table)
    sigmas = np.concatenate([sigmas, [0.0]]).astype(np.float32)
    sig = torch.from_numpy(sigmas)
    init_noise_sigma = (sig.max() ** 2 + 1) ** 0.5
    return torch.from_numpy(timesteps), sig, init_noise_sigma


def euler_step(x, eps, sigma, sigma_next):
    """One Euler step, float32, diffusers' operation order: x0 = x - sigma*eps;
    d = (x - x0)/sigma; x' = x + d*(sigma_next - sigma)."""
    x0 = x - sigma * eps
    derivative = (x - x0) / sigma
    return x + derivative * (sigma_next - sigma)
