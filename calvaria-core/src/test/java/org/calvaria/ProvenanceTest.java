package org.calvaria;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The creation time outputs record: now, or SOURCE_DATE_EPOCH when set (reproducible builds). */
class ProvenanceTest {
    private static final Instant CLOCK = Instant.parse("2026-12-01T03:04:05.678Z");

    @Test
    void withoutSourceDateEpochItIsTheClockInWholeSeconds() {
        assertEquals(Instant.parse("2026-12-01T03:04:05Z"), Provenance.now(null, CLOCK));
        assertEquals(Instant.parse("2026-12-01T03:04:05Z"), Provenance.now("", CLOCK));
    }

    @Test
    void sourceDateEpochReplacesTheClock() {
        assertEquals(Instant.parse("2023-11-14T22:13:20Z"), Provenance.now("1700000000", CLOCK));
        assertEquals(Instant.EPOCH, Provenance.now("0", CLOCK));
    }

    @Test
    void aMalformedSourceDateEpochFailsWithOneLine() {
        CalvariaException e = assertThrows(CalvariaException.class, () -> Provenance.now("yesterday", CLOCK));
        assertTrue(e.getMessage().contains("SOURCE_DATE_EPOCH must be a whole number of seconds"), e.getMessage());
        assertThrows(CalvariaException.class, () -> Provenance.now("1.5", CLOCK));
    }
}
