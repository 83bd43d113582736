package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.blend.OnnxFiles;
import io.seedgrid.udf.onnx.OnnxSignature;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.tokenizer.ClipTokenizer;

/**
 * An SDXL model directory checked without ONNX Runtime, as a driver checks it before any executor loads
 * it: each sub-model file is a whole ONNX model ({@link OnnxFiles}), their declared inputs and outputs
 * fit the SDXL signature, both tokenizers load, and the scheduler and VAE configs read. No session is
 * created and no weight is loaded. Whatever {@link SdxlModel#load} later reads from these files, this
 * reads the same way.
 *
 * @param directory        the model directory
 * @param signature        the SDXL signature its files declare
 * @param unet             the UNet file's declared inputs and outputs
 * @param noiseSchedule    the noise schedule of its scheduler config
 * @param defaultImageSize the image size its UNet was trained for (see {@link SdxlModel#defaultImageSize()})
 */
public record SdxlFiles(ModelDirectory directory, SdxlSignature signature, OnnxSignature unet, NoiseSchedule noiseSchedule,
                        int defaultImageSize) {

    /**
     * Checks {@code directory}'s files.
     *
     * @throws IllegalArgumentException naming the file and the problem: a file that is not a whole ONNX
     *     model, a signature that does not fit SDXL, a broken tokenizer or config
     */
    public static SdxlFiles check(ModelDirectory directory) {
        OnnxSignature textEncoder = OnnxFiles.read(directory.textEncoder());
        OnnxSignature textEncoder2 = OnnxFiles.read(directory.textEncoder2());
        OnnxSignature unet = OnnxFiles.read(directory.unet());
        OnnxSignature vae = OnnxFiles.read(directory.vaeDecoder());
        SdxlSignature signature = SdxlSignature.check(textEncoder, textEncoder2, unet, vae);
        ClipTokenizer.load(directory.tokenizer());
        ClipTokenizer.load(directory.tokenizer2());
        NoiseSchedule schedule = NoiseSchedule.of(SdxlModel.schedulerConfig(directory));
        SdxlModel.vaeScalingFactor(directory);
        return new SdxlFiles(directory, signature, unet, schedule, SdxlModel.defaultImageSize(directory.unet()));
    }
}
