package org.calvaria.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.calvaria.Json;
import org.calvaria.files.Outputs;

/** The results table of a batch (Parquet and CSV, one row per case) and its summary.json. */
public final class Results {
    private Results() {}

    /** Column names in first-seen order, and each column's type (long, double, boolean or string). */
    static Map<String, DataType> schema(List<Map<String, Object>> rows) {
        Map<String, DataType> types = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            for (Map.Entry<String, Object> e : r.entrySet()) {
                DataType t = typeOf(e.getValue());
                DataType have = types.get(e.getKey());
                if (have == null || have == DataTypes.NullType) types.put(e.getKey(), t);
                else if (t != DataTypes.NullType && t != have) {
                    boolean numeric = (t == DataTypes.LongType || t == DataTypes.DoubleType)
                            && (have == DataTypes.LongType || have == DataTypes.DoubleType);
                    types.put(e.getKey(), numeric ? DataTypes.DoubleType : DataTypes.StringType);
                }
            }
        }
        types.replaceAll((k, v) -> v == DataTypes.NullType ? DataTypes.StringType : v);
        return types;
    }

    private static DataType typeOf(Object v) {
        if (v == null) return DataTypes.NullType;
        if (v instanceof Long || v instanceof Integer || v instanceof Short) return DataTypes.LongType;
        if (v instanceof Number) return DataTypes.DoubleType;
        if (v instanceof Boolean) return DataTypes.BooleanType;
        return DataTypes.StringType;
    }

    private static Object convert(Object v, DataType t) {
        if (v == null) return null;
        if (t == DataTypes.LongType) return ((Number) v).longValue();
        if (t == DataTypes.DoubleType) return ((Number) v).doubleValue();
        if (t == DataTypes.BooleanType) return v;
        return v.toString();
    }

    /** Writes OUT/results.parquet (Spark's committer) and OUT/results.csv; returns what was written. */
    public static List<String> write(SparkSession spark, CaseFolders folders, List<Map<String, Object>> rows) {
        Map<String, DataType> types = schema(rows);
        List<StructField> fields = new ArrayList<>();
        types.forEach((k, t) -> fields.add(DataTypes.createStructField(k, t, true)));
        StructType schema = DataTypes.createStructType(fields);
        List<Row> sparkRows = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Object[] values = new Object[fields.size()];
            int i = 0;
            for (Map.Entry<String, DataType> e : types.entrySet())
                values[i++] = convert(r.get(e.getKey()), e.getValue());
            sparkRows.add(RowFactory.create(values));
        }
        String parquet = folders.root() + "/results.parquet";
        spark.createDataFrame(sparkRows, schema)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(parquet);
        StringBuilder csv = new StringBuilder(String.join(",", types.keySet())).append('\n');
        for (Map<String, Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (String k : types.keySet()) cells.add(csvCell(r.get(k)));
            csv.append(String.join(",", cells)).append('\n');
        }
        String csvPath = folders.root() + "/results.csv";
        writeText(folders, "results.csv", csv.toString());
        return List.of(parquet, csvPath);
    }

    static String csvCell(Object v) {
        if (v == null) return "";
        String s = v instanceof Double d ? (Double.isNaN(d) ? "NaN" : Double.toString(d)) : v.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A summary of a batch: counts, times, failures, mean seconds per stage, and {@code extra}. */
    public static String writeSummary(
            CaseFolders folders,
            List<Map<String, Object>> rows,
            String command,
            String master,
            double seconds,
            Map<String, Object> extra) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("made_by", Batch.provenance(command));
        s.put("command", command);
        s.put("master", master);
        s.put("cases", rows.size());
        long failed =
                rows.stream().filter(r -> "failed".equals(r.get("status"))).count();
        s.put("done", rows.size() - failed);
        s.put("failed", failed);
        s.put(
                "kept_from_earlier_run",
                rows.stream().filter(r -> Boolean.TRUE.equals(r.get("resumed"))).count());
        s.put("seconds", Math.round(seconds * 1000) / 1000.0);
        s.put("cases_per_second", seconds > 0 ? Math.round(rows.size() / seconds * 10000) / 10000.0 : null);
        Map<String, Object> stages = new LinkedHashMap<>();
        for (String k : schema(rows).keySet()) {
            if (!k.startsWith("seconds_")) continue;
            double sum = 0;
            int n = 0;
            for (Map<String, Object> r : rows) {
                if ("done".equals(r.get("status")) && r.get(k) instanceof Number v) {
                    sum += v.doubleValue();
                    n++;
                }
            }
            if (n > 0) stages.put(k.substring("seconds_".length()), Math.round(sum / n * 1000) / 1000.0);
        }
        s.put("mean_seconds_per_stage", stages);
        List<Map<String, Object>> failures = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if ("failed".equals(r.get("status"))) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("case_id", r.get("case_id"));
                f.put("input", r.get("input"));
                f.put("error", r.get("error"));
                failures.add(f);
            }
        }
        s.put("failures", failures);
        if (extra != null) s.putAll(extra);
        try {
            writeText(folders, "summary.json", Json.MAPPER.writeValueAsString(s) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folders.root() + "/summary.json";
    }

    /** Writes a small text file under the output root atomically (temporary + rename). */
    static void writeText(CaseFolders folders, String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (folders.isLocal()) {
            java.nio.file.Path p = CaseFolders.localPath(folders.root()).resolve(name);
            Outputs.writeAtomically(p, o -> o.write(bytes));
            return;
        }
        try {
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(folders.root() + "/" + name);
            org.apache.hadoop.fs.Path tmp =
                    new org.apache.hadoop.fs.Path(folders.root() + "/." + name + "." + folders.jobId() + ".tmp");
            FileSystem fs = target.getFileSystem(folders.conf());
            try (OutputStream o = fs.create(tmp, true)) {
                o.write(bytes);
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** snake_case of a report key: {@code volumeMl} -> {@code volume_ml}, {@code map back} -> {@code map_back}. */
    static String snake(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                .replaceAll("[^A-Za-z0-9]+", "_")
                .toLowerCase(Locale.ROOT);
    }

    /**
     * A JSON object as plain Java values for {@link #flatten}: objects become ordered maps, arrays of floating-point
     * numbers {@code double[]}, other arrays lists, numbers keep their type (int, long, double), null stays null.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> plain(JsonNode object) {
        return (Map<String, Object>) plainValue(object);
    }

    private static Object plainValue(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), plainValue(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            boolean doubles = true;
            for (JsonNode e : n) doubles &= e.isDouble();
            if (doubles && !n.isEmpty()) {
                double[] d = new double[n.size()];
                for (int i = 0; i < d.length; i++) d[i] = n.get(i).doubleValue();
                return d;
            }
            List<Object> l = new ArrayList<>();
            for (JsonNode e : n) l.add(plainValue(e));
            return l;
        }
        if (n.isNull() || n.isMissingNode()) return null;
        if (n.isNumber()) return n.numberValue();
        if (n.isBoolean()) return n.booleanValue();
        return n.asText();
    }

    /**
     * Flattens a report into columns: nested maps join their keys with '_', three numbers become _x, _y, _z, other
     * lists become JSON text.
     */
    static void flatten(String prefix, Map<String, Object> map, Map<String, Object> into) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String k = prefix.isEmpty() ? snake(e.getKey()) : prefix + "_" + snake(e.getKey());
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sub = (Map<String, Object>) m;
                flatten(k, sub, into);
            } else if (v instanceof double[] d && d.length == 3) {
                into.put(k + "_x", d[0]);
                into.put(k + "_y", d[1]);
                into.put(k + "_z", d[2]);
            } else if (v instanceof Number || v instanceof Boolean || v instanceof String || v == null) {
                into.put(k, v);
            } else {
                try {
                    into.put(k, Json.compact().writeValueAsString(v));
                } catch (IOException ex) {
                    into.put(k, String.valueOf(v));
                }
            }
        }
    }
}
