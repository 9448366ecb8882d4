package org.calvaria.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.calvaria.Json;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batch design} with its input and output root on a Hadoop file system that is not the local one: the test
 * scheme {@code calvariatest://} of {@link CountingTestFileSystem}, registered as a user registers {@code s3a} or
 * {@code hdfs} settings, with {@code spark.hadoop.fs.calvariatest.impl} in the Spark configuration (system properties,
 * which is how {@code spark-submit --conf} reaches the driver). Two SkullFix cases, given as a folder URI and as a CSV
 * manifest of URIs, come out as a plain local {@code batch design} makes them: same names, same implant bytes, every
 * file read and written through the Hadoop API, no staging left behind. local[2] Spark, started once for the class.
 * Skips, saying why, when the SkullFix data is absent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HadoopFileSystemBatchTest {
    static final List<String> IDS = List.of("000", "001");
    static final String MASTER = "local[2]";
    static final String SCHEME = CountingTestFileSystem.SCHEME;
    static final String IMPL_PROPERTY = "spark.hadoop.fs." + SCHEME + ".impl";
    static final String ROOT_PROPERTY = "spark.hadoop." + CountingTestFileSystem.ROOT_KEY;
    static final Set<String> CASE_FILES = Set.of("batch.json", "implant.nrrd", "implant.stl", "report.json");

    @TempDir
    static Path tmp;

    /** The local folder behind calvariatest:///, and the output of the plain local run. */
    static Path fsRoot, localOut;

    static Map<String, Map<String, String>> localRows;

    @BeforeAll
    static void setUp() throws IOException {
        Path skullfix = Path.of(System.getProperty("calvaria.shared", "../shared/data"))
                .resolve("skullfix")
                .toAbsolutePath()
                .normalize();
        boolean present = IDS.stream()
                .allMatch(id ->
                        Files.isRegularFile(skullfix.resolve("defective_skull").resolve(id + ".nrrd")));
        Assumptions.assumeTrue(
                present,
                "SKIPPED: the SkullFix cases " + IDS + " are not in " + skullfix
                        + " (the shared data folder beside the repository, or -Dcalvaria.shared=DIR)");
        org.calvaria.Progress.enabled(false);
        // a session left by another class would not have this class's Hadoop settings
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        fsRoot = Files.createDirectories(tmp.resolve("fs"));
        Path remoteIn = Files.createDirectories(fsRoot.resolve("scans-hfs"));
        Path localIn = Files.createDirectories(tmp.resolve("local-in"));
        StringBuilder manifest = new StringBuilder("path\n");
        for (String id : IDS) {
            Path scan = skullfix.resolve("defective_skull").resolve(id + ".nrrd");
            Files.copy(scan, remoteIn.resolve(id + ".nrrd"));
            Files.createSymbolicLink(localIn.resolve(id + ".nrrd"), scan);
            manifest.append(SCHEME).append(":///scans-hfs/").append(id).append(".nrrd\n");
        }
        Files.writeString(Files.createDirectories(fsRoot.resolve("lists-hfs")).resolve("cases.csv"), manifest);
        System.setProperty(IMPL_PROPERTY, CountingTestFileSystem.class.getName());
        System.setProperty(ROOT_PROPERTY, fsRoot.toString());

        // the reference: the same command on local paths
        localOut = tmp.resolve("local-out");
        BatchSparkTest.Run r = BatchSparkTest.run(
                "batch", "design", localIn.toString(), "-o", localOut.toString(), "--master", MASTER, "--nrrd", "-q");
        assertEquals(0, r.code(), r.err());
        localRows = BatchSparkTest.results(localOut);
        for (String id : IDS) assertEquals("done", localRows.get(id).get("status"), id + " (local run)");
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            SparkSession.getDefaultSession().foreach(s -> {
                try {
                    FileSystem.get(URI.create(SCHEME + ":///"), s.sparkContext().hadoopConfiguration())
                            .close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                s.stop();
                return null;
            });
        } finally {
            System.clearProperty(IMPL_PROPERTY);
            System.clearProperty(ROOT_PROPERTY);
        }
    }

    @Test
    @Order(1)
    void folderOfUrisInAndOutputRootOnTheTestScheme() throws IOException {
        designThroughHadoop(SCHEME + ":///scans-hfs", "out-folder", Set.of());
    }

    @Test
    @Order(2)
    void manifestOfUrisInAndOutputRootOnTheTestScheme() throws IOException {
        designThroughHadoop(
                SCHEME + ":///lists-hfs/cases.csv", "out-manifest", Set.of(hadoopPath("/lists-hfs/cases.csv")));
    }

    @Test
    @Order(3)
    void aCorruptRemoteCaseIsAFailedRowNamingItsUri() throws IOException {
        Path bad = Files.createDirectories(fsRoot.resolve("bad-hfs"));
        Files.writeString(
                bad.resolve("009.nrrd"),
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 64 64 64\n" + "encoding: raw\n\n" + "x".repeat(100));
        BatchSparkTest.Run r = BatchSparkTest.run(
                "batch", "design", SCHEME + ":///bad-hfs", "-o", SCHEME + ":///out-bad", "--master", MASTER, "-q");
        assertEquals(0, r.code(), "a failed case does not fail the job: " + r.err());
        Map<String, String> row =
                BatchSparkTest.results(fsRoot.resolve("out-bad")).get("009");
        assertEquals("failed", row.get("status"));
        String error = row.get("error");
        assertTrue(error.contains(SCHEME + ":"), "the error names the input as given: " + error);
        assertFalse(error.contains("calvaria-input-"), "not the executor's temporary copy: " + error);
        assertTrue(error.contains("truncated") || error.contains("short"), error);
    }

    /** calvariatest:/x as Hadoop writes a path of the test scheme. */
    static String hadoopPath(String path) {
        return new org.apache.hadoop.fs.Path(SCHEME + "://" + path).toString();
    }

    static void designThroughHadoop(String input, String outName, Set<String> moreOpens) throws IOException {
        CountingTestFileSystem.resetCounts();
        String out = SCHEME + ":///" + outName;
        BatchSparkTest.Run r =
                BatchSparkTest.run("batch", "design", input, "-o", out, "--master", MASTER, "--nrrd", "-q");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("warning"), r.err());
        Path backing = fsRoot.resolve(outName);

        // every case done, with the same figures as the local run and its outputs named on the test scheme
        Map<String, Map<String, String>> rows = BatchSparkTest.results(backing);
        assertEquals(Set.copyOf(IDS), rows.keySet());
        for (String id : IDS) {
            Map<String, String> row = rows.get(id);
            assertEquals("done", row.get("status"), id + ": " + row.get("error"));
            assertEquals(
                    hadoopPath("/scans-hfs/" + id + ".nrrd"),
                    new org.apache.hadoop.fs.Path(row.get("input")).toString());
            assertEquals(out + "/cases/" + id + "/implant.stl", row.get("output_implant_stl"));
            assertEquals(out + "/cases/" + id + "/implant.nrrd", row.get("output_implant_nrrd"));
            assertEquals(localRows.get(id).get("implant_voxels"), row.get("implant_voxels"), id);
            assertEquals(localRows.get(id).get("implant_volume_ml"), row.get("implant_volume_ml"), id);
        }

        // the same files under the same names as the local run, and no staging or temporary file left
        Set<String> files = BatchSparkTest.tree(backing);
        assertEquals(withoutParquetParts(BatchSparkTest.tree(localOut)), withoutParquetParts(files));
        for (String id : IDS) {
            assertEquals(
                    CASE_FILES, BatchSparkTest.tree(backing.resolve("cases").resolve(id)), id);
        }
        for (String f : files) {
            assertFalse(
                    f.contains("_temporary") || f.contains(".tmp") || f.endsWith(".crc") || f.contains("/."),
                    "left behind: " + f);
        }
        assertEquals(
                Set.of("cases", "results.csv", "results.parquet", "summary.json"),
                Arrays.stream(backing.toFile().list()).collect(Collectors.toSet()));

        // the implants equal the local run's, voxel for voxel and byte for byte but for the provenance (the NRRD
        // header's calvaria_made_by and calvaria_created lines, the STL's 80-byte header), which names the input as
        // given, the URI, not the executor's temporary copy of it
        for (String id : IDS) {
            Path got = backing.resolve("cases").resolve(id),
                    want = localOut.resolve("cases").resolve(id);
            MaskVolume a = (MaskVolume) VolumeIO.read(got.resolve("implant.nrrd")),
                    b = (MaskVolume) VolumeIO.read(want.resolve("implant.nrrd"));
            assertTrue(a.geometry().sameGrid(b.geometry(), 1e-9) && a.sameVoxels(b), id + ": implant voxels differ");
            byte[] nrrdGot = Files.readAllBytes(got.resolve("implant.nrrd")),
                    nrrdWant = Files.readAllBytes(want.resolve("implant.nrrd"));
            String given = rows.get(id).get("input");
            assertTrue(
                    nrrdHeader(nrrdGot)
                            .contains(
                                    "\ncalvaria_made_by:=design implant of " + given + " with bundled default model\n"),
                    nrrdHeader(nrrdGot));
            assertEquals(
                    given,
                    Json.MAPPER
                            .readTree(got.resolve("report.json").toFile())
                            .get("input")
                            .asText());
            assertEquals(
                    nrrdHeader(withoutProvenance(nrrdWant)),
                    nrrdHeader(withoutProvenance(nrrdGot)),
                    id + ": implant.nrrd header");
            assertArrayEquals(withoutProvenance(nrrdWant), withoutProvenance(nrrdGot), id + ": implant.nrrd");
            byte[] stlGot = Files.readAllBytes(got.resolve("implant.stl")),
                    stlWant = Files.readAllBytes(want.resolve("implant.stl"));
            assertEquals(stlWant.length, stlGot.length, id + ": implant.stl size");
            assertArrayEquals(
                    Arrays.copyOfRange(stlWant, 80, stlWant.length),
                    Arrays.copyOfRange(stlGot, 80, stlGot.length),
                    id + ": implant.stl triangles");
        }

        // and all of it went through the test file system's Hadoop API
        Set<String> opens = new TreeSet<>(CountingTestFileSystem.OPENS);
        for (String id : IDS) assertTrue(opens.contains(hadoopPath("/scans-hfs/" + id + ".nrrd")), opens.toString());
        assertTrue(opens.containsAll(moreOpens), opens.toString());
        List<String> creates = List.copyOf(CountingTestFileSystem.CREATES);
        List<String> renames = List.copyOf(CountingTestFileSystem.RENAMES);
        String o = hadoopPath("/" + outName);
        for (String id : IDS) {
            for (String f : CASE_FILES) {
                Pattern staged = Pattern.compile(Pattern.quote(o + "/_temporary/" + id + ".") + "[^/]+/" + f);
                assertTrue(creates.stream().anyMatch(c -> staged.matcher(c).matches()), id + "/" + f + ": " + creates);
            }
            Pattern published = Pattern.compile(Pattern.quote(o + "/_temporary/" + id + ".") + "[^/]+"
                    + Pattern.quote(" -> " + o + "/cases/" + id));
            assertTrue(renames.stream().anyMatch(n -> published.matcher(n).matches()), id + ": " + renames);
        }
        for (String f : List.of("results.csv", "summary.json")) {
            assertTrue(renames.stream().anyMatch(n -> n.endsWith(" -> " + o + "/" + f)), f + ": " + renames);
        }
        assertTrue(
                creates.stream().anyMatch(c -> c.startsWith(o + "/results.parquet/") && c.endsWith(".parquet")),
                "results.parquet: " + creates);
        assertEquals(
                IDS.size(),
                SparkSession.active()
                        .read()
                        .parquet(out + "/results.parquet")
                        .filter("status = 'done'")
                        .count());
    }

    static String nrrdHeader(byte[] nrrd) {
        String text = new String(nrrd, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\n\n");
        assertTrue(end > 0, "no NRRD header");
        return text.substring(0, end + 1);
    }

    /** An NRRD file without its header's {@code calvaria_made_by} and {@code calvaria_created} lines. */
    static byte[] withoutProvenance(byte[] nrrd) {
        String header = nrrdHeader(nrrd);
        String kept = header.replaceAll("(?m)^calvaria_(made_by|created):=.*\n", "");
        assertEquals(2, header.lines().count() - kept.lines().count(), header);
        return (kept + new String(nrrd, StandardCharsets.ISO_8859_1).substring(header.length()))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A tree without the parts of results.parquet, whose names hold a random id, and without the checksum files
     * ({@code .NAME.crc}) that Hadoop's local file system adds to the local run's Parquet output.
     */
    static Set<String> withoutParquetParts(Set<String> tree) {
        return tree.stream()
                .filter(f -> !f.startsWith("results.parquet/part-") && !f.startsWith("results.parquet/."))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
