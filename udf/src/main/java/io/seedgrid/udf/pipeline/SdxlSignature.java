package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.OnnxSignature;
import io.seedgrid.udf.onnx.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What seedgrid reads from an SDXL export's declared inputs and outputs (read by a session or from the
 * files' protobuf, see {@link OnnxSignature}), checked for fit before anything runs: which
 * hidden state of each text encoder is the penultimate layer ({@code hidden_states.11} and
 * {@code hidden_states.31} for SDXL, found by name), the widths of the token states and the pooled
 * embedding, and the UNet and VAE inputs. Nothing here assumes SDXL's 768/1280/2048.
 *
 * @param layer1         penultimate hidden state output of text_encoder
 * @param layer2         penultimate hidden state output of text_encoder_2
 * @param width1         token state width of text_encoder (−1 if the export leaves it dynamic)
 * @param width2         token state width of text_encoder_2 (−1 if dynamic)
 * @param pooledWidth    width of text_encoder_2's {@code text_embeds} (−1 if dynamic)
 * @param latentChannels channels of the UNet's {@code sample} (4 for SDXL)
 */
public record SdxlSignature(String layer1, String layer2, long width1, long width2, long pooledWidth, int latentChannels) {

    static final String IDS = "input_ids";
    static final String POOLED = "text_embeds";
    /** The UNet's latent input. */
    public static final String SAMPLE = "sample";
    static final String TIMESTEP = "timestep";
    static final String STATES = "encoder_hidden_states";
    static final String TIME_IDS = "time_ids";
    static final String UNET_OUT = "out_sample";
    static final String LATENT = "latent_sample";
    /** The VAE decoder's image output. */
    public static final String IMAGE = "sample";

    private static final Pattern HIDDEN = Pattern.compile("hidden_states\\.(\\d+)");

    /** Reads and checks the signature; every misfit found is listed in one {@link ModelSignatureException}. */
    public static SdxlSignature check(OnnxSignature textEncoder, OnnxSignature textEncoder2, OnnxSignature unet,
                                      OnnxSignature vae) {
        List<String> problems = new ArrayList<>();
        String layer1 = penultimate(textEncoder, problems);
        String layer2 = penultimate(textEncoder2, problems);
        requireIds(textEncoder, problems);
        requireIds(textEncoder2, problems);
        long width1 = layer1 == null ? -1 : textEncoder.output(layer1).lastDim();
        long width2 = layer2 == null ? -1 : textEncoder2.output(layer2).lastDim();
        TensorSpec pooled = find(textEncoder2, POOLED, false, problems);
        long pooledWidth = pooled == null ? -1 : pooled.lastDim();

        TensorSpec sample = rank(find(unet, SAMPLE, true, problems), 4, unet, problems);
        TensorSpec timestep = find(unet, TIMESTEP, true, problems);
        if (timestep != null && timestep.rank() > 1) {
            problems.add(unet.file() + ": 'timestep' must be a scalar or [batch], it is " + timestep);
        }
        TensorSpec states = rank(find(unet, STATES, true, problems), 3, unet, problems);
        TensorSpec unetPooled = rank(find(unet, POOLED, true, problems), 2, unet, problems);
        TensorSpec timeIds = rank(find(unet, TIME_IDS, true, problems), 2, unet, problems);
        rank(find(unet, UNET_OUT, false, problems), 4, unet, problems);
        TensorSpec latent = rank(find(vae, LATENT, true, problems), 4, vae, problems);
        rank(find(vae, IMAGE, false, problems), 4, vae, problems);

        if (states != null && width1 > 0 && width2 > 0 && states.lastDim() > 0 && states.lastDim() != width1 + width2) {
            problems.add("the UNet takes encoder_hidden_states of width " + states.lastDim() + " but the text encoders give "
                    + width1 + " + " + width2 + " = " + (width1 + width2));
        }
        if (unetPooled != null && pooledWidth > 0 && unetPooled.lastDim() > 0 && unetPooled.lastDim() != pooledWidth) {
            problems.add("the UNet takes text_embeds of width " + unetPooled.lastDim() + " but text_encoder_2 gives " + pooledWidth);
        }
        if (timeIds != null && timeIds.lastDim() > 0 && timeIds.lastDim() != 6) {
            problems.add("the UNet takes time_ids of width " + timeIds.lastDim() + ", SDXL's are 6 wide");
        }
        int channels = sample == null || sample.dim(1) <= 0 ? 4 : (int) sample.dim(1);
        if (latent != null && latent.dim(1) > 0 && latent.dim(1) != channels) {
            problems.add("the UNet denoises " + channels + "-channel latents but the VAE decodes " + latent.dim(1));
        }
        if (!problems.isEmpty()) {
            throw new ModelSignatureException("the model does not fit the SDXL signature: " + String.join("; ", problems));
        }
        return new SdxlSignature(layer1, layer2, width1, width2, pooledWidth, channels);
    }

    /** The highest {@code hidden_states.N} output minus one: the penultimate layer SDXL conditions on. */
    private static String penultimate(OnnxSignature encoder, List<String> problems) {
        int last = -1;
        for (String name : encoder.outputs().keySet()) {
            Matcher m = HIDDEN.matcher(name);
            if (m.matches()) {
                last = Math.max(last, Integer.parseInt(m.group(1)));
            }
        }
        if (last < 1) {
            problems.add(encoder.file() + " exports no hidden_states.N outputs (export it with output_hidden_states)");
            return null;
        }
        String name = "hidden_states." + (last - 1);
        if (!encoder.outputs().containsKey(name)) {
            problems.add(encoder.file() + " has no output '" + name + "' (outputs: " + encoder.outputs().keySet() + ")");
            return null;
        }
        if (encoder.output(name).rank() != 3) {
            problems.add(encoder.file() + ": '" + name + "' must be [batch, tokens, width], it is " + encoder.output(name));
            return null;
        }
        return name;
    }

    private static void requireIds(OnnxSignature encoder, List<String> problems) {
        TensorSpec ids = find(encoder, IDS, true, problems);
        if (ids != null && !ids.type().name().startsWith("INT")) {
            problems.add(encoder.file() + ": 'input_ids' must be int32 or int64, it is " + ids);
        }
    }

    private static TensorSpec find(OnnxSignature model, String name, boolean input, List<String> problems) {
        TensorSpec spec = (input ? model.inputs() : model.outputs()).get(name);
        if (spec == null) {
            problems.add(model.file() + " has no " + (input ? "input" : "output") + " '" + name + "' ("
                    + (input ? "inputs: " + model.inputs().keySet() : "outputs: " + model.outputs().keySet()) + ")");
        }
        return spec;
    }

    private static TensorSpec rank(TensorSpec spec, int rank, OnnxSignature model, List<String> problems) {
        if (spec != null && spec.rank() != rank) {
            problems.add(model.file() + ": '" + spec.name() + "' must have rank " + rank + ", it is " + spec);
            return null;
        }
        return spec;
    }
}
