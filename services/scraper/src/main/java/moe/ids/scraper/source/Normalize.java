package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the many ways upstream writes an ID (number, numeric string, {@code "a,b"} list, array, object of
 * those, {@code "unknown"}, {@code ""}, 0) into clean values. Sentinels and malformed values become absent;
 * nothing invented.
 */
public final class Normalize {
    private static final Pattern IMDB = Pattern.compile("tt\\d{5,10}");

    private Normalize() {
    }

    /**
     * @param node a JSON value, may be null or missing
     * @return a positive 32-bit integer, or null for anything else
     */
    public static Integer positiveInt(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToInt() && node.intValue() > 0 ? node.intValue() : null;
        }
        if (node.isTextual()) {
            return positiveInt(node.textValue());
        }
        return null;
    }

    /**
     * @param text text such as {@code "123"}, may be null
     * @return a positive 32-bit integer, or null
     */
    public static Integer positiveInt(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long v = Long.parseLong(t);
        return v > 0 && v <= Integer.MAX_VALUE ? (int) v : null;
    }

    /**
     * Every positive integer in a value that may be a number, a numeric string, a comma-separated list or an
     * array of those; duplicates dropped, order kept.
     *
     * @param node JSON value
     * @return the integers (empty when none)
     */
    public static List<Integer> intList(JsonNode node) {
        Set<Integer> out = new LinkedHashSet<>();
        collect(node, out);
        return List.copyOf(out);
    }

    private static void collect(JsonNode node, Set<Integer> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        } else if (node.isTextual()) {
            for (String part : node.textValue().split(",")) {
                Integer v = positiveInt(part);
                if (v != null) {
                    out.add(v);
                }
            }
        } else {
            Integer v = positiveInt(node);
            if (v != null) {
                out.add(v);
            }
        }
    }

    /**
     * IMDb IDs ({@code tt} + digits) in a string, comma list or array; anything else is dropped.
     *
     * @param node JSON value
     * @return the IDs
     */
    public static List<String> imdbList(JsonNode node) {
        List<String> raw = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return List.of();
        }
        if (node.isArray()) {
            node.forEach(n -> {
                if (n.isTextual()) {
                    raw.addAll(List.of(n.textValue().split(",")));
                }
            });
        } else if (node.isTextual()) {
            raw.addAll(List.of(node.textValue().split(",")));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : raw) {
            String t = s.strip();
            if (IMDB.matcher(t).matches()) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param node JSON value
     * @return its text stripped, or null when absent or blank
     */
    public static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || !node.isValueNode()) {
            return null;
        }
        String t = node.asText().strip();
        return t.isEmpty() ? null : t;
    }
}
