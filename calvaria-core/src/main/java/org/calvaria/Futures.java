package org.calvaria;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Waiting for a task run on a pool, with the failure unwrapped: the task's own unchecked exception is rethrown as it
 * is, anything else it threw becomes a {@link CalvariaException}, and an interrupt keeps the thread's interrupt flag.
 */
public final class Futures {
    private Futures() {}

    /**
     * The task's result. {@code interrupted} is the message when the wait is interrupted; a checked exception or an
     * error thrown by the task becomes {@code "<failed>: <cause>"}.
     */
    public static <T> T await(Future<T> f, String interrupted, String failed) {
        return await(f, interrupted, cause -> new CalvariaException(failed + ": " + cause, cause));
    }

    /** As {@link #await(Future, String, String)}, with the exception for a non-runtime cause made by {@code failure}. */
    public static <T> T await(Future<T> f, String interrupted, Function<Throwable, RuntimeException> failure) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CalvariaException(interrupted, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw failure.apply(e.getCause());
        }
    }
}
