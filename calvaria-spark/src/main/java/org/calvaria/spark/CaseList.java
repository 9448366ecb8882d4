package org.calvaria.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;

/**
 * The cases of a batch, from a folder, a glob ({@code /data/ct/*.nii.gz}) or a manifest (a CSV with a header, or a
 * Parquet file, with a {@code path} column and optionally an {@code id} column). Paths may be on any Hadoop file
 * system the job can reach (local, {@code hdfs://}, {@code s3a://} with its connector). A case's id is its file name
 * without the volume extension (a DICOM folder: the folder's name); ids must be unique.
 */
public final class CaseList {
    private CaseList() {}

    public static List<CaseSpec> list(SparkSession spark, String input) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String lower = input.toLowerCase(Locale.ROOT);
        try {
            List<CaseSpec> cases;
            if (lower.endsWith(".csv") || lower.endsWith(".parquet")) {
                cases = fromManifest(spark, input);
            } else if (input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{")) {
                Path glob = new Path(input);
                FileStatus[] found = glob.getFileSystem(conf).globStatus(glob);
                if (found == null || found.length == 0) {
                    throw new CalvariaException("no input matches " + input);
                }
                cases = fromStatuses(Arrays.asList(found));
            } else {
                Path dir = new Path(input);
                FileSystem fs = dir.getFileSystem(conf);
                if (!fs.exists(dir)) throw new CalvariaException("input " + input + " does not exist");
                if (!fs.getFileStatus(dir).isDirectory()) {
                    throw new CalvariaException("input " + input + " is a file; give a folder, a glob or a manifest"
                            + " (.csv or .parquet with a 'path' column)");
                }
                FileStatus[] entries = fs.listStatus(dir);
                if (looksLikeDicomFolder(entries)) {
                    cases = fromStatuses(List.of(fs.getFileStatus(dir)));
                } else {
                    cases = fromStatuses(Arrays.asList(entries));
                }
            }
            if (cases.isEmpty()) throw new CalvariaException("no scans found in " + input);
            requireUniqueIds(cases);
            return cases;
        } catch (IOException e) {
            throw new CalvariaException("cannot list " + input + ": " + e.getMessage(), e);
        }
    }

    /** The case id of a file or folder name; null for files that are not scans (detached data, notes). */
    public static String caseId(String name, boolean directory) {
        if (name.startsWith(".") || name.startsWith("_")) return null;
        if (directory) return name;
        String n = name.toLowerCase(Locale.ROOT);
        for (String ext : new String[] {".nii.gz", ".nrrd", ".nhdr", ".nii", ".dcm"}) {
            if (n.endsWith(ext)) return ext.equals(".dcm") ? null : name.substring(0, name.length() - ext.length());
        }
        return null;
    }

    private static List<CaseSpec> fromStatuses(List<FileStatus> statuses) {
        List<CaseSpec> out = new ArrayList<>();
        for (FileStatus s : statuses) {
            String id = caseId(s.getPath().getName(), s.isDirectory());
            if (id != null) out.add(new CaseSpec(id, s.getPath().toString()));
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    private static boolean looksLikeDicomFolder(FileStatus[] entries) {
        int dcm = 0;
        for (FileStatus s : entries) {
            String n = s.getPath().getName().toLowerCase(Locale.ROOT);
            if (s.isFile() && (n.endsWith(".dcm") || !n.contains("."))) dcm++;
            else if (caseId(s.getPath().getName(), s.isDirectory()) != null) return false;
        }
        return dcm > 0;
    }

    private static List<CaseSpec> fromManifest(SparkSession spark, String manifest) {
        Dataset<Row> table = manifest.toLowerCase(Locale.ROOT).endsWith(".parquet")
                ? spark.read().parquet(manifest)
                : spark.read().option("header", "true").csv(manifest);
        List<String> columns = Arrays.asList(table.columns());
        if (!columns.contains("path")) {
            throw new CalvariaException("manifest " + manifest + " has no 'path' column (columns: " + columns + ")");
        }
        boolean hasId = columns.contains("id");
        List<CaseSpec> out = new ArrayList<>();
        for (Row r : table.collectAsList()) {
            String path = r.getAs("path");
            if (path == null || path.isBlank()) continue;
            String id = hasId && r.getAs("id") != null ? r.getAs("id").toString() : null;
            if (id == null) {
                Path p = new Path(path.trim());
                id = caseId(p.getName(), false);
                if (id == null) id = p.getName();
            }
            out.add(new CaseSpec(id, path.trim()));
        }
        return out;
    }

    private static void requireUniqueIds(List<CaseSpec> cases) {
        Set<String> seen = new HashSet<>();
        for (CaseSpec c : cases) {
            if (!c.id().matches("[A-Za-z0-9._-]{1,128}")) {
                throw new CalvariaException(
                        "case id '" + c.id() + "' (" + c.input() + ") may only hold letters, digits,"
                                + " '.', '_' and '-' (it names the case's output folder); give ids in a manifest's 'id' column");
            }
            if (!seen.add(c.id())) {
                throw new CalvariaException("two inputs have the case id '" + c.id() + "'; give unique ids in a"
                        + " manifest's 'id' column");
            }
        }
    }
}
