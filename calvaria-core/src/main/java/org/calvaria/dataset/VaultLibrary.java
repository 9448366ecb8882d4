package org.calvaria.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.VoxelType;

/**
 * Whole skulls for training anywhere on the vault ({@link VaultSkull}, about 6 MB each), loaded in parallel and
 * cached as NRRD so later runs skip the slow full-resolution reads. Split by skull with the same rule as
 * {@link SkullLibrary}.
 */
public final class VaultLibrary {
    private static final String CACHE_VERSION = "vault-cache-1";

    private final List<VaultSkull> skulls;

    public VaultLibrary(List<VaultSkull> skulls) {
        if (skulls.isEmpty()) throw new CalvariaException("no skulls to sample from; give at least one complete skull");
        List<VaultSkull> sorted = new ArrayList<>(skulls);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        this.skulls = List.copyOf(sorted);
    }

    public List<VaultSkull> skulls() {
        return skulls;
    }

    public List<String> ids() {
        return skulls.stream().map(VaultSkull::id).toList();
    }

    public int size() {
        return skulls.size();
    }

    public static VaultLibrary load(Path folder, Path cacheDir, int threads) {
        List<SkullFiles> files = SkullFiles.scan(folder);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try (Progress progress = Progress.start("loading skulls", files.size())) {
            List<Future<VaultSkull>> futures = new ArrayList<>();
            for (SkullFiles f : files) {
                futures.add(pool.submit(() -> {
                    VaultSkull s = loadOne(f, cacheDir);
                    progress.step();
                    return s;
                }));
            }
            List<VaultSkull> out = new ArrayList<>();
            for (Future<VaultSkull> fu : futures) {
                out.add(Futures.await(fu, "interrupted while loading skulls", "loading skulls failed"));
            }
            return new VaultLibrary(out);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One skull, from the cache when a valid entry exists. */
    public static VaultSkull loadOne(SkullFiles f, Path cacheDir) {
        Path cached = null, cachedDefective = null;
        if (cacheDir != null) {
            String key = cacheKey(f);
            cached = cacheDir.resolve(f.id() + "_" + key + "_vault.nrrd");
            cachedDefective = cacheDir.resolve(f.id() + "_" + key + "_vault_defective.nrrd");
            if (Files.isRegularFile(cached) && (f.defective() == null || Files.isRegularFile(cachedDefective))) {
                try {
                    ShortVolume c = (ShortVolume) NrrdIO.read(cached);
                    if (!CACHE_VERSION.equals(c.metadata().get("calvaria_cache"))) throw new IllegalStateException();
                    ShortVolume d = f.defective() == null ? null : (ShortVolume) NrrdIO.read(cachedDefective);
                    return VaultSkull.of(f.id(), f.complete().toString(), c, d);
                } catch (RuntimeException e) {
                    // a damaged or stale cache entry is rebuilt from the source
                }
            }
        }
        MaskVolume complete = MaskVolume.requireBinary(VolumeIO.read(f.complete()), "skull " + f.complete());
        MaskVolume defective = f.defective() == null
                ? null
                : MaskVolume.requireBinary(VolumeIO.read(f.defective()), "defective skull " + f.defective());
        VaultSkull s = VaultSkull.map(f.id(), f.complete().toString(), complete, defective);
        if (cacheDir != null) {
            write(s, cached, "complete", s.complete());
            if (s.realDefective() != null) write(s, cachedDefective, "defective", s.realDefective());
        }
        return s;
    }

    private static void write(VaultSkull s, Path path, String what, ShortVolume v) {
        ShortVolume out = v.copy();
        out.metadata().clear();
        out.metadata().put("calvaria_cache", CACHE_VERSION);
        out.metadata().put("calvaria_skull_id", s.id());
        out.metadata().put("calvaria_content", what + " bone fraction x " + GridSkull.SCALE);
        Provenance.stamp(out, "skull vault cache");
        NrrdIO.write(out, path, VoxelType.INT16, NrrdIO.Encoding.GZIP);
    }

    static String cacheKey(SkullFiles f) {
        return SkullLibrary.cacheKey(f, CACHE_VERSION + "|" + VaultSkull.SPACING_MM);
    }

    /** Skulls whose ids are (or are not) in {@code ids}. */
    public VaultLibrary subset(Set<String> ids, boolean inside) {
        List<VaultSkull> out = new ArrayList<>();
        for (VaultSkull s : skulls) if (ids.contains(s.id()) == inside) out.add(s);
        return out.isEmpty() ? null : new VaultLibrary(out);
    }

    /** A streaming source of pairs from these skulls. */
    public SkullSampleSource samples(NetworkGrid grid, SampleOptions options) {
        VaultSampleFactory factory = new VaultSampleFactory(grid, options);
        return new SkullSampleSource(grid, ids(), options, (k, seed) -> factory.make(skulls.get(k), seed));
    }

    /** The validation ids for a fraction and seed (the same rule as {@link SkullLibrary#validationIds}). */
    public Set<String> validationIds(double fraction, long seed) {
        return new TreeSet<>(SkullLibrary.validationIds(ids(), fraction, seed));
    }
}
