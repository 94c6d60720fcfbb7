package moe.ids.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Just enough PromQL for the chart's dashboard and alerts to be checked against the metrics the services export:
 * the metric names an expression selects, whether its brackets balance, and the names the services register.
 */
final class Promql {
    private static final Pattern METER = Pattern.compile("\\b(Counter|Gauge|Timer)\\.builder\\(\\s*\"([a-z_:][a-z0-9_:]*)\"");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan",
            // aggregation operators: followed by by/without as often as by their parenthesis
            "sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile",
            "count_values", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private Promql() {
    }

    /**
     * @return every series name the services register with Helidon's metrics, in their Prometheus form (a counter
     *         gains {@code _total}; a timer is exported as a histogram or summary: {@code _bucket}, {@code _count},
     *         {@code _sum}, {@code _max})
     */
    static Set<String> knownMetrics() {
        Set<String> out = new TreeSet<>();
        Path services = Charts.chart().resolve("../../services").normalize();
        try (Stream<Path> files = Files.walk(services)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                    .toList()) {
                Matcher m = METER.matcher(Files.readString(f));
                while (m.find()) {
                    String name = m.group(2);
                    switch (m.group(1)) {
                        case "Counter" -> out.add(name.endsWith("_total") ? name : name + "_total");
                        case "Gauge" -> out.add(name);
                        default -> out.addAll(List.of(name, name + "_bucket", name + "_count", name + "_sum",
                                name + "_max"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * @param expr a PromQL expression
     * @return the metric names it selects (not functions, keywords, label names or Grafana variables)
     */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        int skipUntil = -1;
        while (m.find()) {
            if (m.start() < skipUntil) {
                continue;
            }
            String word = m.group();
            String rest = s.substring(m.end()).stripLeading();
            if (GROUPING.contains(word)) {
                // a label list follows: by (le, route)
                if (rest.startsWith("(")) {
                    skipUntil = s.indexOf(')', m.end()) + 1;
                }
                continue;
            }
            boolean afterDigit = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (rest.startsWith("(") || KEYWORDS.contains(word.toLowerCase()) || afterDigit) {
                continue;
            }
            out.add(word);
        }
        return out;
    }

    /**
     * @param expr a PromQL expression
     * @return whether its (), {} and [] pair up, outside of strings
     */
    static boolean balanced(String expr) {
        Deque<Character> open = new ArrayDeque<>();
        boolean inString = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '(', '{', '[' -> open.push(c);
                case ')', '}', ']' -> {
                    char want = c == ')' ? '(' : c == '}' ? '{' : '[';
                    if (open.isEmpty() || open.pop() != want) {
                        return false;
                    }
                }
                default -> {
                }
            }
        }
        return open.isEmpty() && !inString;
    }
}
