package dev.recur.layers.model;

import java.util.Map;

/** Reads typed configuration fields from checkpoint metadata, with a clear error naming a missing or bad key. */
record MetadataReader(Map<String, String> meta, String prefix) {
    String get(String key) {
        String v = meta.get(prefix + key);
        if (v == null) {
            throw new IllegalArgumentException("model configuration metadata lacks " + prefix + key + " (not a Recur model checkpoint?)");
        }
        return v;
    }

    int integer(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + prefix + key + " is not an integer: " + get(key));
        }
    }

    float real(String key) {
        try {
            return Float.parseFloat(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + prefix + key + " is not a number: " + get(key));
        }
    }

    boolean bool(String key) {
        String v = get(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("metadata " + prefix + key + " is not true/false: " + v);
        }
        return Boolean.parseBoolean(v);
    }
}
