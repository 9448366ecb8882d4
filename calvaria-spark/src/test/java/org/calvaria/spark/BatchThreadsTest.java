package org.calvaria.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;

/** A task's work runs in its own pool, so the core's parallel streams use only the task's threads. */
class BatchThreadsTest {
    @Test
    void parallelStreamsInsideTheTaskUseOnlyItsThreads() throws Exception {
        for (int threads : new int[] {1, 2}) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            long sum = Batch.withThreads(
                    threads,
                    () -> IntStream.range(0, 2_000)
                            .parallel()
                            .mapToLong(i -> {
                                seen.add(Thread.currentThread().getName());
                                busy();
                                return i;
                            })
                            .sum());
            assertEquals(1_999_000, sum);
            assertTrue(seen.size() <= threads, "threads used: " + seen);
            assertTrue(seen.stream().noneMatch(n -> n.contains("commonPool")), "common pool used: " + seen);
        }
    }

    @Test
    void theTasksOwnErrorComesOutUnwrapped() {
        CalvariaException e = new CalvariaException("case 007 is not a skull");
        assertSame(
                e,
                assertThrows(
                        CalvariaException.class,
                        () -> Batch.withThreads(1, () -> {
                            throw e;
                        })));
    }

    @Test
    void localCoresAreReadFromTheMaster() {
        assertEquals(2, Batch.localCores("local[2]"));
        assertEquals(16, Batch.localCores("local[16]"));
        assertEquals(Runtime.getRuntime().availableProcessors(), Batch.localCores("local[*]"));
        assertEquals(1, Batch.localCores("spark://host:7077"));
    }

    private static void busy() {
        double x = 1;
        for (int i = 0; i < 2_000; i++) x = Math.sqrt(x + i);
        if (x < 0) throw new AssertionError();
    }
}
