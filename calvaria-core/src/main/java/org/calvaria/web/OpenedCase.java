package org.calvaria.web;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** One skull the user opened: where its files lie (all generated names) and what the page shows about it. */
final class OpenedCase {
    enum Kind {
        VOLUME,
        MESH
    }

    final String id;
    /** The uploaded file's name, cleaned; for display and download names only, never a path. */
    final String name;

    final Kind kind;
    final String format;
    /** The case's private folder (generated name), holding input/ and view/. */
    final Path folder;
    /** The skull as the design service reads it: a file, or a folder of DICOM files. */
    final Path input;
    /** The file the viewer loads; its URL ends in {@link #viewName} so that NiiVue picks the right reader. */
    final Path viewFile;

    final String viewName;
    final long uploadBytes;
    /** When opened (set again when loaded from a workspace). */
    Instant openedAt = Instant.now();
    /**
     * What identifies the scan, from its DICOM header (patient name and ID, study date, series description, slice
     * thickness and spacing, gantry tilt); null for other formats. Names and IDs are masked in the page by default.
     */
    java.util.Map<String, String> identity;
    /** Volumes only (else null): sizes, spacing (mm), value range, whether 0/1. */
    final int[] sizes;

    final double[] spacingMm;
    final double[] valueRange;
    final boolean binary;
    final List<DesignJob> jobs = new CopyOnWriteArrayList<>();

    OpenedCase(
            String id,
            String name,
            Kind kind,
            String format,
            Path folder,
            Path input,
            Path viewFile,
            long uploadBytes,
            int[] sizes,
            double[] spacingMm,
            double[] valueRange,
            boolean binary) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.format = format;
        this.folder = folder;
        this.input = input;
        this.viewFile = viewFile;
        this.viewName = viewFile.getFileName().toString();
        this.uploadBytes = uploadBytes;
        this.sizes = sizes;
        this.spacingMm = spacingMm;
        this.valueRange = valueRange;
        this.binary = binary;
    }

    /**
     * The view file named {@code name} (the URL's last segment), or null: only {@link #viewName} and, for volumes,
     * the skull surface {@link ViewFiles#SKULL_MESH} beside it; the name is compared, never used to build a path
     * other than these.
     */
    Path viewFile(String name) {
        if (name.equals(viewName)) return viewFile;
        if (kind == Kind.VOLUME && name.equals(ViewFiles.SKULL_MESH)) {
            Path p = viewFile.resolveSibling(ViewFiles.SKULL_MESH);
            return java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? p : null;
        }
        return null;
    }

    boolean canDesign() {
        return kind == Kind.VOLUME;
    }

    /** The name without its extension(s) and with only file-name-safe characters, for download names. */
    String safeBaseName() {
        String base = name.replaceAll("(?i)(\\.nii\\.gz|\\.nii|\\.nrrd|\\.nhdr|\\.zip|\\.stl|\\.dcm)$", "");
        base = base.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._]+", "");
        if (base.length() > 60) base = base.substring(0, 60);
        return base.isEmpty() ? "skull" : base;
    }
}
