package org.calvaria.cli;

import org.calvaria.io.ReadOptions;
import picocli.CommandLine.Option;

/** Options of the commands that read volumes: how tolerant reading a DICOM series is. */
public final class VolumeReadOptions {
    @Option(names = "--allow-gaps",
            description = "Read a DICOM series even when some of its files are damaged or unreadable: they are skipped"
                    + " with a warning (default: such a series is refused, naming the file).")
    boolean allowGaps;

    ReadOptions toReadOptions() {
        return ReadOptions.defaults().withAllowGaps(allowGaps);
    }
}
