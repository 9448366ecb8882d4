package org.calvaria;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.Test;

/**
 * The package order of the README ("Development"), held by the compiled classes (fully qualified references count
 * as much as imports). Packages are named relative to {@code org.calvaria}; {@code ""} is the root package
 * ({@link CalvariaException}, {@link Progress}, {@link Provenance}). A new package must be added here and to the
 * README before it can be used.
 */
class LayeringTest {
    private static final String BASE = "org.calvaria";

    /** The design path, bottom first: each package may import only packages to its left. */
    static final List<String> PATH = List.of(
            "",
            "volume",
            "files",
            "morphology",
            "io",
            "segment",
            "normalise",
            "complete",
            "implant",
            "mesh",
            "render",
            "manufacture",
            "pipeline",
            "web",
            "cli");

    /** What a package on the path may import beyond the packages to its left. */
    static final Map<String, Set<String>> PATH_EXTRAS = Map.of(
            // the Euclidean distance transform lives in evaluate, and shells and moulds are measured with it
            "manufacture", Set.of("evaluate"),
            // the commands run everything
            "cli", Set.of("synth", "defects", "dataset", "evaluate", "train"));

    /** Beside the design path: exactly what each package may import. */
    static final Map<String, Set<String>> BESIDE = Map.of(
            "synth", Set.of("", "volume"),
            "defects", Set.of("", "volume", "files", "morphology", "normalise"),
            "dataset", Set.of("", "volume", "files", "io", "normalise", "defects"),
            "evaluate", Set.of("", "volume", "files", "morphology", "io", "normalise", "implant", "defects", "render"),
            "train", Set.of("", "volume", "files", "normalise", "complete", "synth", "dataset"));

    /** Every package with what it may import (itself included). */
    static Map<String, Set<String>> allowed() {
        Map<String, Set<String>> allowed = new LinkedHashMap<>();
        for (int i = 0; i < PATH.size(); i++) {
            Set<String> a = new TreeSet<>(PATH.subList(0, i + 1));
            a.addAll(PATH_EXTRAS.getOrDefault(PATH.get(i), Set.of()));
            allowed.put(PATH.get(i), a);
        }
        BESIDE.forEach((p, deps) -> {
            Set<String> a = new TreeSet<>(deps);
            a.add(p);
            allowed.put(p, a);
        });
        return allowed;
    }

    private static String full(String p) {
        return p.isEmpty() ? BASE : BASE + "." + p;
    }

    /** The package pattern of p and its subpackages (the root package alone for ""). */
    private static String pattern(String p) {
        return p.isEmpty() ? BASE : full(p) + "..";
    }

    /** Classes of p may depend on no class of this project outside the allowed packages. */
    static ArchRule rule(String p, Set<String> allowed) {
        DescribedPredicate<JavaClass> outside = resideInAPackage(BASE + "..")
                .and(DescribedPredicate.not(resideInAnyPackage(
                        allowed.stream().map(LayeringTest::pattern).toArray(String[]::new))))
                .as("classes of " + BASE + " outside "
                        + allowed.stream().map(LayeringTest::full).toList());
        return noClasses()
                .that()
                .resideInAPackage(pattern(p))
                .should()
                .dependOnClassesThat(outside)
                .because("the README's package order allows " + full(p) + " to import only " + allowed);
    }

    private static JavaClasses mainClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(BASE);
    }

    @Test
    void everyPackageImportsOnlyWhatTheOrderAllows() {
        List<ArchRule> rules = new ArrayList<>();
        allowed().forEach((p, a) -> rules.add(rule(p, a)));
        CompositeArchRule.of(rules).check(mainClasses());
    }

    @Test
    void everyPackageHasAPlaceInTheOrder() {
        Set<String> packages = new TreeSet<>();
        for (JavaClass c : mainClasses()) {
            String rest =
                    c.getPackageName().equals(BASE) ? "" : c.getPackageName().substring(BASE.length() + 1);
            packages.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        assertEquals(
                new TreeSet<>(allowed().keySet()),
                packages,
                "every package of calvaria-core belongs in LayeringTest and the README's order, and no other");
    }

    @Test
    void theAllowedImportsHaveNoCycle() {
        Map<String, Set<String>> allowed = allowed();
        for (String p : allowed.keySet()) {
            assertFalse(reaches(allowed, p, p, new TreeSet<>()), p + " may reach itself through the allowed imports");
        }
    }

    private static boolean reaches(Map<String, Set<String>> allowed, String from, String to, Set<String> seen) {
        for (String next : allowed.get(from)) {
            if (next.equals(from) || !seen.add(next)) continue;
            if (next.equals(to) || reaches(allowed, next, to, seen)) return true;
        }
        return false;
    }

    /** An arrow back up, as the root package once had: it must be caught. */
    @Test
    void theRuleCatchesAnImportAgainstTheOrder() {
        JavaClasses sample = new ClassFileImporter().importClasses(RootUsingVolume.class, Volume.class);
        EvaluationResult root = rule("", allowed().get("")).evaluate(sample);
        assertTrue(root.hasViolation(), "the root package may not use volume");
        assertTrue(
                root.getFailureReport().toString().contains(RootUsingVolume.class.getName()),
                root.getFailureReport().toString());

        JavaClasses io = new ClassFileImporter().importClasses(VolumeIO.class, Volume.class);
        assertFalse(rule("io", allowed().get("io")).evaluate(io).hasViolation(), "io may use volume");
    }

    /** Test-only: a root-package class that uses {@code volume}, which the order forbids. */
    static final class RootUsingVolume {
        private RootUsingVolume() {}

        static int voxels(Volume v) {
            return v.voxelCount();
        }
    }
}
