package io.seedgrid.udf.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.seedgrid.udf.onnx.TensorRtOptions;
import io.seedgrid.udf.onnx.TensorRtProfile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * TensorRT profiles of the tiny SDXL export, whose dynamic dimensions are those ONNX Runtime reports for it
 * (sample [batch_size, 4, height, width], timestep [steps], encoder_hidden_states [batch_size,
 * sequence_length, 80], text_embeds and time_ids [batch_size, n], input_ids [batch_size, sequence_length],
 * latent_sample [batch_size, 4, height_latent, width_latent]).
 */
class TensorRtProfilesTest {

    private static final Path TINY = Path.of("src/test/resources/tiny-sdxl/fp32");
    /** Batch 4 at 1024x768 with prompts of up to two 77-token chunks. */
    private static final TensorRtOptions RUN = TensorRtOptions.DEFAULTS.forRun(4, 1024, 768, 2);

    @Test
    void theUnetCoversOneToTwoBatchesOfRows() {
        TensorRtProfile p = TensorRtProfiles.unet(TINY.resolve("unet/model.onnx"), RUN);
        assertEquals("sample:1x4x96x128,timestep:1,encoder_hidden_states:1x77x80,text_embeds:1x24,time_ids:1x6", p.min());
        assertEquals("sample:8x4x96x128,timestep:8,encoder_hidden_states:8x77x80,text_embeds:8x24,time_ids:8x6", p.opt());
        assertEquals("sample:8x4x96x128,timestep:8,encoder_hidden_states:8x154x80,text_embeds:8x24,time_ids:8x6", p.max());
    }

    @Test
    void textEncodersTakeOneRowPerChunkAndTheVaeOneLatent() {
        TensorRtProfile text = TensorRtProfiles.textEncoder(TINY.resolve("text_encoder/model.onnx"), RUN);
        assertEquals("input_ids:1x77", text.min());
        assertEquals("input_ids:2x77", text.max());
        TensorRtProfile vae = TensorRtProfiles.vaeDecoder(TINY.resolve("vae_decoder/model.onnx"), RUN);
        assertEquals("latent_sample:1x4x96x128", vae.min());
        assertEquals(vae.min(), vae.max());
    }

    @Test
    void aModelWithFixedShapesNeedsNoProfile() {
        assertNull(TensorRtProfiles.vaeDecoder(Path.of("src/main/resources/io/seedgrid/udf/onnx/probe.onnx"), RUN));
    }
}
