package org.calvaria.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.calvaria.CalvariaException;
import org.calvaria.Futures;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * Skulls preloaded on the network grid (each read once at full resolution, then kept as {@link GridSkull}s of about
 * 1.2 MB), optionally cached as NRRD in a folder so later runs skip the slow full-resolution reads. Split by skull,
 * never by sample.
 */
public final class SkullLibrary {
    /** Bumped whenever the mapping changes, so stale cache files are not used. */
    private static final String CACHE_VERSION = "grid-cache-2";

    private final NetworkGrid grid;
    private final List<GridSkull> skulls;

    public SkullLibrary(NetworkGrid grid, List<GridSkull> skulls) {
        if (skulls.isEmpty()) throw new CalvariaException("no skulls to sample from; give at least one complete skull");
        this.grid = grid;
        List<GridSkull> sorted = new ArrayList<>(skulls);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new CalvariaException("skull id '" + sorted.get(i).id() + "' appears twice; give unique names");
            }
        }
        this.skulls = Collections.unmodifiableList(sorted);
    }

    public NetworkGrid grid() {
        return grid;
    }

    /** Skulls sorted by id. */
    public List<GridSkull> skulls() {
        return skulls;
    }

    public List<String> ids() {
        return skulls.stream().map(GridSkull::id).toList();
    }

    public int size() {
        return skulls.size();
    }

    /** Loads every skull in a folder ({@link SkullFiles#scan}). */
    public static SkullLibrary load(Path folder, NetworkGrid grid, Path cacheDir, int threads) {
        return load(SkullFiles.scan(folder), grid, cacheDir, threads);
    }

    /** Loads skulls in parallel, using and filling the cache folder when given (null: no cache). */
    public static SkullLibrary load(List<SkullFiles> files, NetworkGrid grid, Path cacheDir, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try (Progress progress = Progress.start("loading skulls", files.size())) {
            List<Future<GridSkull>> futures = new ArrayList<>();
            for (SkullFiles f : files) {
                futures.add(pool.submit(() -> {
                    GridSkull s = loadOne(f, grid, cacheDir);
                    progress.step();
                    return s;
                }));
            }
            List<GridSkull> out = new ArrayList<>();
            for (Future<GridSkull> fu : futures) out.add(get(fu));
            return new SkullLibrary(grid, out);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One skull on its working grid, from the cache when a valid entry exists. */
    public static GridSkull loadOne(SkullFiles f, NetworkGrid grid, Path cacheDir) {
        Path cached = null, cachedDefective = null;
        if (cacheDir != null) {
            String key = cacheKey(f, grid);
            cached = cacheDir.resolve(f.id() + "_" + key + ".nrrd");
            cachedDefective = cacheDir.resolve(f.id() + "_" + key + "_defective.nrrd");
            if (Files.isRegularFile(cached) && (f.defective() == null || Files.isRegularFile(cachedDefective))) {
                try {
                    return fromCache(f, grid, cached, f.defective() == null ? null : cachedDefective);
                } catch (RuntimeException e) {
                    // A damaged cache entry is rebuilt from the source rather than failing the run.
                }
            }
        }
        MaskVolume complete = MaskVolume.requireBinary(VolumeIO.read(f.complete()), "skull " + f.complete());
        MaskVolume defective = f.defective() == null
                ? null
                : MaskVolume.requireBinary(VolumeIO.read(f.defective()), "defective skull " + f.defective());
        GridSkull s = GridSkull.map(f.id(), f.complete().toString(), complete, defective, grid);
        if (cacheDir != null) {
            writeCache(s, cached, "complete", s.complete());
            if (s.realDefective() != null) writeCache(s, cachedDefective, "defective", s.realDefective());
        }
        return s;
    }

    private static void writeCache(GridSkull s, Path path, String what, ShortVolume v) {
        ShortVolume out = v.copy();
        Map<String, String> m = out.metadata();
        m.clear();
        GridPlacement p = s.placement();
        m.put("calvaria_cache", CACHE_VERSION);
        m.put("calvaria_skull_id", s.id());
        m.put("calvaria_source", s.source());
        m.put("calvaria_content", what + " bone fraction x " + GridSkull.SCALE);
        m.put("calvaria_vertex", join(p.vertex()));
        m.put("calvaria_centre", join(p.centre()));
        m.put("calvaria_bone_bounds", join(p.boneBounds()));
        Provenance.stamp(out, "skull grid cache");
        NrrdIO.write(out, path, VoxelType.INT16, NrrdIO.Encoding.GZIP);
    }

    private static GridSkull fromCache(SkullFiles f, NetworkGrid grid, Path cached, Path cachedDefective) {
        ShortVolume c = asShort(NrrdIO.read(cached));
        Map<String, String> m = c.metadata();
        if (!CACHE_VERSION.equals(m.get("calvaria_cache"))) throw new IllegalStateException("stale cache");
        Geometry work = c.geometry();
        if (work.nx() != grid.nx() || work.ny() != grid.ny() || work.nz() != grid.nz() + GridSkull.EXTRA_SLICES) {
            throw new IllegalStateException("cache grid differs");
        }
        Geometry g = work.subGrid(0, 0, GridSkull.EXTRA_SLICES, grid.nx(), grid.ny(), grid.nz());
        GridPlacement p = new GridPlacement(
                g,
                parse(m.get("calvaria_vertex"), 3),
                parse(m.get("calvaria_centre"), 3),
                parse(m.get("calvaria_bone_bounds"), 6));
        ShortVolume d = cachedDefective == null ? null : asShort(NrrdIO.read(cachedDefective));
        if (d != null && !d.geometry().sameGrid(work, 1e-6)) throw new IllegalStateException("cache grids differ");
        return new GridSkull(f.id(), f.complete().toString(), p, c, d);
    }

    private static ShortVolume asShort(Volume v) {
        if (v instanceof ShortVolume s) return s;
        throw new IllegalStateException("cache file is not 16-bit");
    }

    /** Hash of what the cached grid depends on: source files (path, size, time), grid, cache version. */
    static String cacheKey(SkullFiles f, NetworkGrid grid) {
        return cacheKey(f, CACHE_VERSION + "|" + grid);
    }

    /** Hash of a cache entry's settings ({@code what}) and its source files (path, size, modification time). */
    static String cacheKey(SkullFiles f, String what) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder sb = new StringBuilder(what);
            for (Path p : new Path[] {f.complete(), f.defective()}) {
                if (p == null) continue;
                sb.append('|').append(p.toAbsolutePath().normalize());
                try {
                    sb.append('|')
                            .append(Files.size(p))
                            .append('|')
                            .append(Files.getLastModifiedTime(p).toMillis());
                } catch (IOException e) {
                    throw new CalvariaException("cannot read " + p + ": " + e.getMessage(), e);
                }
            }
            byte[] h = md.digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) sb.append(sb.length() == 0 ? "" : " ").append(Double.toString(x));
        return sb.toString();
    }

    private static double[] parse(String s, int n) {
        if (s == null) throw new IllegalStateException("cache entry misses placement");
        String[] parts = s.trim().split(" ");
        if (parts.length != n) throw new IllegalStateException("cache entry has a bad placement");
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Double.parseDouble(parts[i]);
        return v;
    }

    private static <T> T get(Future<T> f) {
        return Futures.await(f, "interrupted while loading skulls", "loading skulls failed");
    }

    // --- splitting by skull ---

    /** Training and validation skulls (disjoint by id). */
    public record Split(SkullLibrary train, SkullLibrary validation) {
        public List<String> validationIds() {
            return validation == null ? List.of() : validation.ids();
        }
    }

    /**
     * Shuffles the skull ids with {@code seed} and puts {@code round(valFraction * n)} of them (at least one when the
     * fraction is positive and there are two or more skulls) into validation.
     */
    public Split split(double valFraction, long seed) {
        return split(validationIds(ids(), valFraction, seed));
    }

    /** The validation ids {@link #split(double, long)} chooses from a list of ids (sorted result). */
    public static List<String> validationIds(List<String> allIds, double valFraction, long seed) {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new CalvariaException("validation fraction " + valFraction + " must be in [0, 1), e.g. 0.1");
        }
        List<String> ids = new ArrayList<>(new TreeSet<>(allIds));
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = ids.size() - 1; i > 0; i--) Collections.swap(ids, i, r.nextInt(i + 1));
        int nVal = (int) Math.round(valFraction * ids.size());
        if (valFraction > 0 && nVal == 0 && ids.size() >= 2) nVal = 1;
        if (nVal >= ids.size()) nVal = ids.size() - 1;
        return new ArrayList<>(new TreeSet<>(ids.subList(0, Math.max(0, nVal))));
    }

    /** Explicit validation skulls by id; unknown ids are an error. */
    public Split split(Collection<String> validationIds) {
        Set<String> val = new TreeSet<>(validationIds);
        Set<String> known = new TreeSet<>(ids());
        for (String id : val) {
            if (!known.contains(id)) {
                throw new CalvariaException("validation skull '" + id + "' is not among the loaded skulls " + known);
            }
        }
        List<GridSkull> train = new ArrayList<>(), valid = new ArrayList<>();
        for (GridSkull s : skulls) (val.contains(s.id()) ? valid : train).add(s);
        if (train.isEmpty()) throw new CalvariaException("every skull is in validation; leave some for training");
        return new Split(new SkullLibrary(grid, train), valid.isEmpty() ? null : new SkullLibrary(grid, valid));
    }

    /** A streaming source of training pairs from these skulls. */
    public SkullSampleSource samples(SampleOptions options) {
        return new SkullSampleSource(this, options);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d skulls on %s", skulls.size(), grid);
    }
}
