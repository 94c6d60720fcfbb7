package moe.ids.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The single catch-all handler: answers {@code /HOST/PATH?Q} from the recorded rows of {@code https://HOST/PATH?Q}
 * and serves the {@code /_replay/} admin endpoints. Holds the switchable snapshot and the counters.
 */
final class ReplayHandler implements Handler {

    /** Path prefix of the admin endpoints. */
    static final String ADMIN = "/_replay/";

    private static final System.Logger LOG = System.getLogger(ReplayHandler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json; charset=utf-8";

    private final Path root;
    private final BodyStore bodies = new BodyStore();
    private final Map<String, List<IndexRow>> indexes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sequences = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile RouteTable table;

    ReplayHandler(Path root, String snapshot) {
        this.root = root.toAbsolutePath().normalize();
        select(snapshot, null);
    }

    /**
     * Switches snapshot (and faults), resetting sequence and request counters.
     *
     * @param snapshot {@code a}, {@code b} or {@code faults}
     * @param faults   for {@code faults}: faults to enable, {@code null} for all
     * @return the new table
     */
    synchronized RouteTable select(String snapshot, Set<String> faults) {
        RouteTable next = RouteTable.build(this::index, snapshot, faults);
        table = next;
        resetSequences();
        requests.clear();
        LOG.log(System.Logger.Level.INFO, "Replaying snapshot ''{0}'' from {1}: {2} rows{3}", snapshot, root,
                String.valueOf(next.rowCount()), RouteTable.FAULTS.equals(snapshot) ? ", faults " + next.enabledFaults() : "");
        return next;
    }

    RouteTable table() {
        return table;
    }

    void resetSequences() {
        sequences.clear();
    }

    void resetRequestCounts() {
        requests.clear();
    }

    int requestCount(String method, String upstreamUrl) {
        AtomicInteger count = requests.get(IndexRow.key(method, upstreamUrl));
        return count == null ? 0 : count.get();
    }

    Map<String, Integer> requestCounts() {
        return requests.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(), (x, y) -> x, TreeMap::new));
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String path = req.prologue().uriPath().rawPath();
        if (path.startsWith(ADMIN)) {
            admin(path.substring(ADMIN.length()), req, res);
            return;
        }
        String method = req.prologue().method().text();
        String query = req.prologue().query().rawValue();
        String url = "https://" + path.substring(1) + (query.isEmpty() ? "" : "?" + query);
        String key = IndexRow.key(method, url);
        requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        boolean head = Method.HEAD.equals(req.prologue().method());
        RouteTable current = table;

        String rowKey = head && current.exact(key, 1).isEmpty() ? IndexRow.key("GET", url) : key;
        Optional<IndexRow> row = current.exact(rowKey, sequences.computeIfAbsent(key, k -> new AtomicInteger())
                .incrementAndGet());
        if (row.isPresent()) {
            answer(req, res, row.get(), bodies.file(row.get().file()), head);
            return;
        }
        Optional<RouteTable.PatternMatch> match = current.pattern(head ? "GET" : method, url);
        Optional<byte[]> body = match.flatMap(m -> bodies.jsonlBody(m.row().file(), m.id()));
        if (body.isPresent()) {
            answer(req, res, match.get().row(), body.get(), head);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "Not recorded: {0}", key);
        res.status(Status.NOT_FOUND_404)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .send(("not recorded in snapshot " + current.snapshot() + ": " + key + "\n")
                              .getBytes(StandardCharsets.UTF_8));
    }

    private static void answer(ServerRequest req, ServerResponse res, IndexRow row, byte[] body, boolean head) {
        Optional<String> ifNoneMatch = Optional.of(req.headers().values(HeaderNames.IF_NONE_MATCH))
                .filter(v -> !v.isEmpty()).map(v -> String.join(",", v));
        if (ConditionalRequest.notModified(row, ifNoneMatch, req.headers().first(HeaderNames.IF_MODIFIED_SINCE))) {
            res.status(Status.NOT_MODIFIED_304);
            row.header("ETag").ifPresent(v -> res.header(HeaderNames.ETAG, v));
            row.header("Last-Modified").ifPresent(v -> res.header(HeaderNames.LAST_MODIFIED, v));
            res.send();
            return;
        }
        res.status(Status.create(row.status()));
        res.header(HeaderNames.CONTENT_TYPE, row.contentType());
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        row.responseHeaders().forEach(h -> grouped.computeIfAbsent(h.name(), n -> new ArrayList<>())
                .add(h.value()));
        grouped.forEach((name, values) -> res.header(HeaderNames.create(name), values.toArray(String[]::new)));
        if (head) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    private void admin(String action, ServerRequest req, ServerResponse res) {
        Method method = req.prologue().method();
        try {
            switch (action) {
                case "snapshot" -> {
                    requireMethod(method, Method.POST);
                    String name = req.query().first("name").orElseThrow(
                            () -> new IllegalArgumentException("missing query parameter 'name'"));
                    Set<String> faults = req.query().first("faults").asOptional()
                            .filter(s -> !s.isBlank())
                            .map(s -> Arrays.stream(s.split(",")).map(String::trim).collect(Collectors.toSet()))
                            .orElse(null);
                    select(name, faults);
                }
                case "reset" -> {
                    requireMethod(method, Method.POST);
                    resetSequences();
                    resetRequestCounts();
                }
                case "requests" -> requireMethod(method, Method.GET);
                default -> throw new IllegalArgumentException("unknown admin endpoint " + ADMIN + action);
            }
            sendJson(res, Status.OK_200, state());
        } catch (IllegalArgumentException e) {
            sendJson(res, Status.BAD_REQUEST_400, Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    private static void requireMethod(Method actual, Method expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException("use " + expected.text());
        }
    }

    private Map<String, Object> state() {
        RouteTable current = table;
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("snapshot", current.snapshot());
        state.put("faults", current.enabledFaults().stream().sorted().toList());
        state.put("requests", requestCounts());
        return state;
    }

    private static void sendJson(ServerResponse res, Status status, Object value) {
        try {
            res.status(status).header(HeaderNames.CONTENT_TYPE, JSON_TYPE).send(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<IndexRow> index(String snapshot) {
        if (!snapshot.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("bad snapshot name '" + snapshot + "'");
        }
        return indexes.computeIfAbsent(snapshot, s -> {
            Path file = root.resolve(s).resolve("index.tsv");
            try {
                return IndexTsv.read(file);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("no snapshot '" + s + "' (missing " + file + ")", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
