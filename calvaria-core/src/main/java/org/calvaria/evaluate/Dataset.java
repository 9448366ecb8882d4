package org.calvaria.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.io.SkullFixFolder;

/**
 * A SkullFix-style evaluation set: {@code defective_skull/ID.ext} and {@code implant/ID.ext} (and optionally
 * {@code complete_skull/ID.ext}), any volume format Calvaria reads; the folders are scanned by {@link SkullFixFolder}. A case exists when both the defective skull and
 * the implant are present. Defect types come from an optional {@code manifest.json} in the dataset folder; without
 * one every case is of type "skullfix".
 *
 * <p>Accepted manifest shapes: {@code {"cases": [{"id": "000", "defect_type": "..."}, ...]}}, a top-level list of
 * such objects, or {@code {"000": {"defect_type": "..."}, ...}}; the type key may be {@code defect_type},
 * {@code defectType} or {@code type}.
 */
public final class Dataset {
    public static final String DEFAULT_DEFECT_TYPE = "skullfix";

    /** One case of the set. {@code completeSkull} is null when absent. */
    public record Case(String id, Path defectiveSkull, Path implant, Path completeSkull, String defectType) {}

    private final Path root;
    private final List<Case> cases;

    private Dataset(Path root, List<Case> cases) {
        this.root = root;
        this.cases = List.copyOf(cases);
    }

    public Path root() {
        return root;
    }

    public List<Case> cases() {
        return cases;
    }

    /** Reads the folder layout (no volume is loaded). */
    public static Dataset open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new CalvariaException(
                    "dataset " + root + " is not a folder; give a folder holding" + " defective_skull/ and implant/");
        }
        Path defective = root.resolve(SkullFixFolder.DEFECTIVE), implant = root.resolve(SkullFixFolder.IMPLANT);
        if (!Files.isDirectory(defective) || !Files.isDirectory(implant)) {
            throw new CalvariaException(
                    "dataset " + root + " needs the subfolders defective_skull/ and implant/" + " (SkullFix layout)");
        }
        Map<String, Path> defects = SkullFixFolder.volumesById(defective);
        Map<String, Path> implants = SkullFixFolder.volumesById(implant);
        Path complete = root.resolve(SkullFixFolder.COMPLETE);
        Map<String, Path> completes = Files.isDirectory(complete) ? SkullFixFolder.volumesById(complete) : Map.of();
        Map<String, String> types = readManifest(root.resolve("manifest.json"));
        List<Case> cases = new ArrayList<>();
        for (String id : defects.keySet().stream().sorted().toList()) {
            Path imp = implants.get(id);
            if (imp == null) continue;
            cases.add(
                    new Case(id, defects.get(id), imp, completes.get(id), types.getOrDefault(id, DEFAULT_DEFECT_TYPE)));
        }
        if (cases.isEmpty()) {
            throw new CalvariaException("dataset " + root + " has no case with both defective_skull/ID and implant/ID"
                    + " files of the same name");
        }
        return new Dataset(root, cases);
    }

    /** The cases with the given ids, in the given order; unknown ids are an error. */
    public Dataset select(Collection<String> ids) {
        Map<String, Case> byId = new HashMap<>();
        for (Case c : cases) byId.put(c.id(), c);
        List<Case> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) continue;
            Case c = byId.get(id);
            if (c == null) missing.add(id);
            else out.add(c);
        }
        if (!missing.isEmpty()) {
            throw new CalvariaException("dataset " + root + " has no case " + String.join(", ", missing)
                    + " (cases are named after the files in defective_skull/ and implant/)");
        }
        return new Dataset(root, out);
    }

    static Map<String, String> readManifest(Path manifest) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(manifest)) return out;
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new CalvariaException(
                    manifest + " is not valid JSON (" + e.getMessage().split("\n")[0] + "); fix or remove it");
        }
        JsonNode list = root.isArray() ? root : root.get("cases");
        if (list != null && list.isArray()) {
            for (JsonNode c : list) {
                String id = text(c, "id", "case");
                String type = text(c, "defect_type", "defectType", "type");
                if (id != null && type != null) out.put(id, type);
            }
        } else if (root.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String type = e.getValue().isTextual()
                        ? e.getValue().asText()
                        : text(e.getValue(), "defect_type", "defectType", "type");
                if (type != null) out.put(e.getKey(), type);
            }
        }
        return out;
    }

    private static String text(JsonNode n, String... keys) {
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v != null && v.isValueNode()) return v.asText();
        }
        return null;
    }
}
