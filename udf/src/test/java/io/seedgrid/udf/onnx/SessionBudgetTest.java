package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Least-recently-used eviction under a device's session budget, with real CPU sessions of the tiny SDXL parts. */
class SessionBudgetTest {

    private static final Path TINY = Path.of("src/test/resources/tiny-sdxl/fp32");
    private static final Path A = TINY.resolve("text_encoder/model.onnx");
    private static final Path B = TINY.resolve("text_encoder_2/model.onnx");
    private static final Path C = TINY.resolve("unet/model.onnx");
    /** Settings no other test uses, so that these sessions are this test's own. */
    private static final SessionSettings S = SessionSettings.cpu(3);

    @BeforeEach
    void onlyHeldSessionsLoaded() {
        SessionCache.closeIdle();
    }

    @AfterEach
    void noBudget() {
        SessionCache.setBudget("cpu", Long.MAX_VALUE);
    }

    @Test
    void theLeastRecentlyUsedSessionNobodyHoldsMakesRoom() throws Exception {
        long others = SessionCache.bytesOn("cpu");
        SessionCache.setBudget("cpu", others + Files.size(B) + Files.size(C) + 1); // A + B fit, and B + C

        SessionCache.lease(A, S).close();
        SessionCache.lease(B, S).close();
        assertTrue(SessionCache.isLoaded(A, S) && SessionCache.isLoaded(B, S));

        try (SessionCache.Lease c = SessionCache.lease(C, S)) {
            assertFalse(SessionCache.isLoaded(A, S), "A was used least recently: closed for C");
            assertTrue(SessionCache.isLoaded(B, S));
            assertTrue(SessionCache.bytesOn("cpu") <= SessionCache.budget("cpu"));

            try (SessionCache.Lease b = SessionCache.lease(B, S); SessionCache.Lease a = SessionCache.lease(A, S)) {
                assertTrue(SessionCache.isLoaded(B, S) && SessionCache.isLoaded(C, S), "held sessions are never closed");
                assertTrue(SessionCache.bytesOn("cpu") > SessionCache.budget("cpu"), "over budget while all are held");
                assertTrue(a.model().inputs().containsKey("input_ids"));
            }
        }
    }

    @Test
    void sessionsHeldForTheJvmsLifeAreNeverEvicted() throws Exception {
        SessionSettings pinned = SessionSettings.cpu(5);
        OnnxModel kept = SessionCache.get(A, pinned);
        SessionCache.setBudget("cpu", SessionCache.bytesOn("cpu"));
        try (SessionCache.Lease b = SessionCache.lease(B, pinned)) {
            assertTrue(SessionCache.isLoaded(A, pinned));
            assertSame(kept, SessionCache.get(A, pinned));
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> {
            SessionCache.Lease lease = SessionCache.lease(C, pinned);
            lease.close();
            lease.model();
        });
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
    }
}
