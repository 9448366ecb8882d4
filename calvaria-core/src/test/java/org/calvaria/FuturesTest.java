package org.calvaria;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class FuturesTest {
    @Test
    void returnsTheResult() {
        assertEquals(42, Futures.await(CompletableFuture.completedFuture(42), "interrupted", "failed"));
    }

    @Test
    void rethrowsTheTasksOwnUncheckedException() {
        IllegalStateException thrown = new IllegalStateException("boom");
        FutureTask<Integer> task = new FutureTask<>(() -> {
            throw thrown;
        });
        task.run();
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> Futures.await(task, "i", "f")));
    }

    @Test
    void wrapsACheckedExceptionWithTheMessage() {
        IOException io = new IOException("disk");
        FutureTask<Integer> task = new FutureTask<>(() -> {
            throw io;
        });
        task.run();
        CalvariaException e = assertThrows(CalvariaException.class, () -> Futures.await(task, "i", "reading failed"));
        assertEquals("reading failed: java.io.IOException: disk", e.getMessage());
        assertSame(io, e.getCause());
    }

    @Test
    void anInterruptKeepsTheFlag() {
        FutureTask<Integer> never = new FutureTask<>(() -> 1);
        Thread.currentThread().interrupt();
        try {
            CalvariaException e =
                    assertThrows(CalvariaException.class, () -> Futures.await(never, "interrupted while waiting", "f"));
            assertEquals("interrupted while waiting", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
