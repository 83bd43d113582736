import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verification tool, not product code: replays each golden case of reference_pipeline.py through
 * the ONNX files with ONNX Runtime (CPU) -- text encoders from the golden input_ids, the golden
 * initial latents, CFG, Euler, VAE -- and prints the largest differences to the torch reference
 * (per-step latents, decoded image of seed 0, uint8 images). Dtypes and ranks of input_ids and
 * timestep are read from the sessions, as the real pipeline must.
 *
 * <pre>
 * CP=~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.28.0/onnxruntime_gpu-1.28.0.jar
 * for a in databind/2.21.2/jackson-databind-2.21.2 core/2.21.2/jackson-core-2.21.2 annotations/2.21/jackson-annotations-2.21; do
 *   CP=$CP:$(ls ~/.m2/repository/com/fasterxml/jackson/core/jackson-$a.jar); done
 * java -cp $CP tools/testmodels/CheckPipeline.java udf/src/test/resources/tiny-sdxl/fp32 \
 *     udf/src/test/resources/golden/pipeline 'case_h64w64_*.json' [--unet other/unet/model.onnx]
 * </pre>
 */
public class CheckPipeline {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path golden = Path.of(args[1]);
        String glob = args[2];
        String unetPath = args.length > 4 && args[3].equals("--unet") ? args[4] : model.resolve("unet/model.onnx").toString();
        JsonNode enc = JSON.readTree(golden.resolve("text_encodings.json").toFile());
        OrtSession te1 = ENV.createSession(model.resolve("text_encoder/model.onnx").toString());
        OrtSession te2 = ENV.createSession(model.resolve("text_encoder_2/model.onnx").toString());
        OrtSession unet = ENV.createSession(unetPath);
        OrtSession vae = ENV.createSession(model.resolve("vae_decoder/model.onnx").toString());
        float scaling = (float) JSON.readTree(model.resolve("vae_decoder/config.json").toFile()).get("scaling_factor").asDouble();
        List<Path> cases = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(golden, glob)) { ds.forEach(cases::add); }
        cases.sort(null);
        for (Path c : cases) runCase(JSON.readTree(c.toFile()), c.getFileName().toString(), enc, te1, te2, unet, vae, scaling);
    }

    record Cond(float[] tokens, float[] pooled) {}

    static Cond encode(JsonNode enc, String text, OrtSession te1, OrtSession te2) throws Exception {
        JsonNode p = enc.get("prompts").get(text);
        float[] h1 = penultimate(te1, p.get("input_ids_tokenizer"), null);
        float[][] pooled = new float[1][];
        float[] h2 = penultimate(te2, p.get("input_ids_tokenizer_2"), pooled);
        int d1 = h1.length / 77, d2 = h2.length / 77;
        float[] tokens = new float[77 * (d1 + d2)];
        for (int s = 0; s < 77; s++) {
            System.arraycopy(h1, s * d1, tokens, s * (d1 + d2), d1);
            System.arraycopy(h2, s * d2, tokens, s * (d1 + d2) + d1, d2);
        }
        return new Cond(tokens, pooled[0]);
    }

    static float[] penultimate(OrtSession s, JsonNode ids, float[][] pooledOut) throws Exception {
        TensorInfo info = (TensorInfo) s.getInputInfo().get("input_ids").getInfo();
        long[] shape = {1, ids.size()};
        OnnxTensor t;
        if (info.type == OnnxJavaType.INT32) {
            int[] a = new int[ids.size()];
            for (int i = 0; i < a.length; i++) a[i] = ids.get(i).asInt();
            t = OnnxTensor.createTensor(ENV, java.nio.IntBuffer.wrap(a), shape);
        } else {
            long[] a = new long[ids.size()];
            for (int i = 0; i < a.length; i++) a[i] = ids.get(i).asLong();
            t = OnnxTensor.createTensor(ENV, java.nio.LongBuffer.wrap(a), shape);
        }
        int hidden = (int) s.getOutputInfo().keySet().stream().filter(n -> n.startsWith("hidden_states.")).count();
        String name = "hidden_states." + (hidden - 2);
        try (t; OrtSession.Result r = s.run(Map.of("input_ids", t))) {
            if (pooledOut != null) pooledOut[0] = floats((OnnxTensor) r.get("text_embeds").get());
            return floats((OnnxTensor) r.get(name).get());
        }
    }

    static void runCase(JsonNode c, String name, JsonNode enc, OrtSession te1, OrtSession te2, OrtSession unet,
                        OrtSession vae, float scaling) throws Exception {
        int b = c.get("seeds").size(), h = c.get("height").asInt() / 8, w = c.get("width").asInt() / 8;
        int latentSize = 4 * h * w;
        boolean cfg = c.get("cfg").asBoolean();
        float g = (float) c.get("guidance_scale").asDouble();
        Cond pos = encode(enc, c.get("prompt").asText(), te1, te2);
        Cond neg = null;
        if (cfg) {
            String n = c.get("negative_prompt").asText();
            neg = n.isEmpty() ? new Cond(new float[pos.tokens().length], new float[pos.pooled().length]) : encode(enc, n, te1, te2);
        }
        int rows = cfg ? 2 * b : b;
        float[] ctx = new float[rows * pos.tokens().length], pooled = new float[rows * pos.pooled().length];
        float[] timeIds = new float[rows * 6];
        for (int r = 0; r < rows; r++) {
            Cond k = cfg && r < b ? neg : pos;
            System.arraycopy(k.tokens(), 0, ctx, r * k.tokens().length, k.tokens().length);
            System.arraycopy(k.pooled(), 0, pooled, r * k.pooled().length, k.pooled().length);
            for (int j = 0; j < 6; j++) timeIds[r * 6 + j] = (float) c.get("time_ids").get(j).asDouble();
        }
        float[] x = unpack(c.get("initial_latents"));
        float[] ref = unpack(c.get("latents_after_step"));
        JsonNode ts = c.get("timesteps"), sig = c.get("sigmas");
        double worstStep = 0;
        for (int i = 0; i < ts.size(); i++) {
            float s = (float) sig.get(i).asDouble(), sNext = (float) sig.get(i + 1).asDouble();
            float cin = (float) Math.sqrt(s * s + 1f);
            float[] in = new float[rows * latentSize];
            for (int k = 0; k < b * latentSize; k++) {
                in[k] = x[k] / cin;
                if (cfg) in[k + b * latentSize] = in[k];
            }
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            feed.put("sample", floatTensor(unet, "sample", in, new long[]{rows, 4, h, w}));
            feed.put("timestep", timestep(unet, (float) ts.get(i).asDouble(), rows));
            feed.put("encoder_hidden_states", floatTensor(unet, "encoder_hidden_states", ctx, new long[]{rows, 77, pos.tokens().length / 77}));
            feed.put("text_embeds", floatTensor(unet, "text_embeds", pooled, new long[]{rows, pos.pooled().length}));
            feed.put("time_ids", floatTensor(unet, "time_ids", timeIds, new long[]{rows, 6}));
            float[] out;
            try (OrtSession.Result r = unet.run(feed)) {
                out = floats((OnnxTensor) r.get("out_sample").get());
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
            for (int k = 0; k < b * latentSize; k++) {
                float eps = cfg ? out[k] + g * (out[k + b * latentSize] - out[k]) : out[k];
                float x0 = x[k] - s * eps;                       // diffusers EulerDiscreteScheduler.step
                float d = (x[k] - x0) / s;
                x[k] = x[k] + d * (sNext - s);
                worstStep = Math.max(worstStep, Math.abs(x[k] - ref[i * b * latentSize + k]));
            }
        }
        float[] z = new float[x.length];
        for (int k = 0; k < z.length; k++) z[k] = x[k] / scaling;
        float[] img;
        try (OnnxTensor t = floatTensor(vae, "latent_sample", z, new long[]{b, 4, h, w}); OrtSession.Result r = vae.run(Map.of("latent_sample", t))) {
            img = floats((OnnxTensor) r.get("sample").get());
        }
        float[] refFirst = unpack(c.get("decoded_first_image"));
        double worstImg = 0;
        for (int k = 0; k < refFirst.length; k++) worstImg = Math.max(worstImg, Math.abs(img[k] - refFirst[k]));
        byte[] refU8 = Base64.getDecoder().decode(c.get("image_uint8_nhwc").get("base64").asText());
        int hh = 8 * h, ww = 8 * w, worstU8 = 0, off = 0;
        for (int n = 0; n < b; n++)
            for (int y = 0; y < hh; y++)
                for (int xx = 0; xx < ww; xx++)
                    for (int ch = 0; ch < 3; ch++) {
                        float v = img[((n * 3 + ch) * hh + y) * ww + xx];
                        int u8 = (int) Math.rint(Math.min(1f, Math.max(0f, v * 0.5f + 0.5f)) * 255f);
                        int d = Math.abs(u8 - (refU8[((n * hh + y) * ww + xx) * 3 + ch] & 0xff));
                        worstU8 = Math.max(worstU8, d);
                        off += d > 0 ? 1 : 0;
                    }
        System.out.printf("%-48s steps %2d  max|latent diff| %.2e  max|decoded seed0 diff| %.2e  uint8 max diff %d (%d of %d values differ)%n",
                name, ts.size(), worstStep, worstImg, worstU8, off, b * hh * ww * 3);
    }

    static OnnxTensor timestep(OrtSession s, float t, int rows) throws Exception {
        TensorInfo info = (TensorInfo) s.getInputInfo().get("timestep").getInfo();
        long[] shape = info.getShape().length == 0 ? new long[0] : new long[]{rows};
        int n = shape.length == 0 ? 1 : rows;
        return switch (info.type) {
            case INT64 -> { long[] a = new long[n]; java.util.Arrays.fill(a, (long) t); yield OnnxTensor.createTensor(ENV, java.nio.LongBuffer.wrap(a), shape); }
            case FLOAT, FLOAT16 -> { float[] a = new float[n]; java.util.Arrays.fill(a, t); yield floatTensor(s, "timestep", a, shape); }
            default -> throw new IllegalArgumentException("timestep type " + info.type);
        };
    }

    static OnnxTensor floatTensor(OrtSession s, String input, float[] data, long[] shape) throws Exception {
        NodeInfo ni = s.getInputInfo().get(input);
        if (((TensorInfo) ni.getInfo()).type == OnnxJavaType.FLOAT16) {
            ByteBuffer bb = ByteBuffer.allocateDirect(2 * data.length).order(ByteOrder.nativeOrder());
            for (float f : data) bb.putShort(Fp16Conversions.floatToFp16(f));
            bb.flip();
            return OnnxTensor.createTensor(ENV, bb, shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(ENV, java.nio.FloatBuffer.wrap(data), shape);
    }

    static float[] floats(OnnxTensor t) {
        java.nio.FloatBuffer fb = t.getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        return a;
    }

    static float[] unpack(JsonNode packed) {
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(packed.get("base64").asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] a = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(a);
        return a;
    }
}
