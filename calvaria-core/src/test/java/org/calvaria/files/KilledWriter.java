package org.calvaria.files;

import java.nio.file.Path;

/**
 * A process that starts writing an output and never finishes, to be killed with -9 by a test: prints "writing" once
 * its hidden temporary holds data (and its lock), then waits.
 */
public final class KilledWriter {
    private KilledWriter() {}

    public static void main(String[] args) {
        Outputs.writeAtomically(Path.of(args[0]), out -> {
            out.write(new byte[1 << 17]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
