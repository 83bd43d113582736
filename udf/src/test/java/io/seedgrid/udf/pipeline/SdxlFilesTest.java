package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.SessionSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SdxlFiles}: the session-free check finds what loading the model with ONNX Runtime finds. */
class SdxlFilesTest {

    @Test
    void readsTheSignatureTheSessionsGive() {
        for (String variant : List.of("fp32", "fp16", "external-data", "float-timestep")) {
            ModelDirectory dir = ModelDirectory.open(TinyModels.dir(variant));
            SdxlFiles files = SdxlFiles.check(dir);
            SdxlModel loaded = SdxlModel.load(dir, SessionSettings.cpu());
            assertFits(loaded.signature(), files.signature(), variant);
            try (SdxlModel.Sessions sessions = loaded.open()) {
                assertEquals(sessions.unet().inputs(), files.unet().inputs(), variant);
            }
            assertEquals(loaded.schedulerConfig(), files.noiseSchedule().config(), variant);
        }
        ModelDirectory student = ModelDirectory.open(TinyModels.dir("dmd2-unet-only"), TinyModels.dir("fp32"));
        assertFits(SdxlModel.load(student, SessionSettings.cpu()).signature(), SdxlFiles.check(student).signature(), "student");
    }

    /** The same signature; a width may be unknown (−1) in the files where ONNX Runtime's shape inference knows it. */
    private static void assertFits(SdxlSignature session, SdxlSignature files, String what) {
        assertEquals(session.layer1(), files.layer1(), what);
        assertEquals(session.layer2(), files.layer2(), what);
        assertEquals(session.latentChannels(), files.latentChannels(), what);
        long[][] widths = {{session.width1(), files.width1()}, {session.width2(), files.width2()},
            {session.pooledWidth(), files.pooledWidth()}};
        for (long[] w : widths) {
            assertTrue(w[1] == w[0] || w[1] == -1, what + ": " + session + " against " + files);
        }
    }

    @Test
    void refusesAModelWhoseWidthsDoNotFitWithTheNumbers() {
        ModelSignatureException e = assertThrows(ModelSignatureException.class,
                () -> SdxlFiles.check(ModelDirectory.open(TinyModels.dir("broken-signature"))));
        assertTrue(e.getMessage().contains("96") && e.getMessage().contains("32 + 48 = 80"), e.getMessage());
    }
}
