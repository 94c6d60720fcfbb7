package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks {@code REDIS_URL} the way the service will use it — one connection with its credentials, database and TLS,
 * then {@code PING} — and tells settings that can never work ({@link Verdict#WRONG}: credentials refused, a
 * database index beyond the server's {@code databases}, a failed TLS handshake) from a Redis that is not there yet
 * ({@link Verdict#UNREACHABLE}: connection refused, unknown host, no answer in time). The API and the ingestor call
 * {@link #atStart} before they serve: a wrong setting stops the process with one line naming {@code REDIS_URL};
 * an unreachable Redis lets it start not ready and is checked again until it answers.
 */
public final class RedisCheck {
    private static final System.Logger LOG = System.getLogger(RedisCheck.class.getName());
    /** How long one check waits to connect and for each answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Pause between checks while Redis is unreachable at start. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private RedisCheck() {
    }

    /** What a check found. */
    public enum Verdict {
        /** Redis answered {@code PING} with these settings. */
        OK,
        /** Redis could not be reached (yet); the settings may be right. */
        UNREACHABLE,
        /** Redis was reached and refused the settings: retrying cannot help. */
        WRONG
    }

    /**
     * @param verdict what was found
     * @param reason  why, e.g. {@code auth refused (WRONGPASS …)}, {@code connection refused}; empty when OK
     * @param url     the location checked
     */
    public record Result(Verdict verdict, String reason, RedisUrl url) {
        /**
         * @return one log line naming the variable, its value (password hidden) and the reason
         */
        public String line() {
            return "REDIS_URL " + url.redacted() + ": " + reason;
        }
    }

    /**
     * @param url     where
     * @param timeout to connect, and for each answer
     * @return the verdict with its reason
     */
    public static Result check(RedisUrl url, Duration timeout) {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .from(RedisClients.clientConfig(url, "ids-moe-check"))
                .connectionTimeoutMillis((int) timeout.toMillis())
                .socketTimeoutMillis((int) timeout.toMillis())
                .build();
        try (Connection c = new Connection(new HostAndPort(url.host(), url.port()), config)) {
            c.sendCommand(Protocol.Command.PING);
            c.getStatusCodeReply();
            return new Result(Verdict.OK, "", url);
        } catch (RuntimeException ex) {
            return classify(url, ex, timeout);
        }
    }

    /**
     * Names what a failed Redis call says about the settings.
     *
     * @param url     where
     * @param failure what the call threw
     * @param timeout the time limit it had (named in the reason)
     * @return {@link Verdict#WRONG} or {@link Verdict#UNREACHABLE} with a reason
     */
    public static Result classify(RedisUrl url, Throwable failure, Duration timeout) {
        Throwable refusal = find(failure, JedisAccessControlException.class);
        if (refusal != null || startsWith(failure, "WRONGPASS", "NOAUTH", "NOPERM")) {
            String msg = refusal != null ? refusal.getMessage() : firstMessage(failure, "WRONGPASS", "NOAUTH", "NOPERM");
            if (msg != null && msg.startsWith("NOAUTH") && url.password() == null) {
                return new Result(Verdict.WRONG, "auth refused (the server requires a password and none is given)",
                        url);
            }
            return new Result(Verdict.WRONG, "auth refused (" + shorten(msg) + ")", url);
        }
        JedisDataException data = find(failure, JedisDataException.class);
        if (data != null && data.getMessage() != null && data.getMessage().contains("DB index is out of range")) {
            return new Result(Verdict.WRONG, "database index " + url.database() + " out of range (the server's "
                    + "'databases' setting is lower)", url);
        }
        SSLException tls = find(failure, SSLException.class);
        if (tls != null) {
            return new Result(Verdict.WRONG, "TLS handshake failed (" + shorten(tls.getMessage()) + ")", url);
        }
        if (find(failure, ConnectException.class) != null) {
            return new Result(Verdict.UNREACHABLE, "connection refused", url);
        }
        if (find(failure, UnknownHostException.class) != null) {
            return new Result(Verdict.UNREACHABLE, "unknown host " + url.host(), url);
        }
        if (find(failure, NoRouteToHostException.class) != null) {
            return new Result(Verdict.UNREACHABLE, "no route to host " + url.host(), url);
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            return new Result(Verdict.UNREACHABLE, "no answer within " + timeout.toSeconds() + " s", url);
        }
        if (data != null) {
            // LOADING, BUSY, MASTERDOWN …: the server is there but cannot serve yet
            return new Result(Verdict.UNREACHABLE, "not serving yet (" + shorten(data.getMessage()) + ")", url);
        }
        return new Result(Verdict.UNREACHABLE, shorten(String.valueOf(failure.getMessage())), url);
    }

    /**
     * The start-up policy: a {@link Verdict#WRONG} setting logs one line ({@link Result#line()}) and calls
     * {@code stop} (the services exit with status 1); an unreachable Redis logs one warning and is checked again every
     * {@link #INTERVAL} on a daemon thread until it answers (logged) or proves the settings wrong (then as above),
     * while the service starts not ready.
     *
     * @param url  where
     * @param stop called after the line is logged, for a wrong setting (e.g. {@code () -> System.exit(1)})
     * @return the first check's result
     */
    public static Result atStart(RedisUrl url, Runnable stop) {
        Result first = check(url, TIMEOUT);
        switch (first.verdict()) {
            case OK -> { }
            case WRONG -> {
                LOG.log(System.Logger.Level.ERROR, first.line());
                stop.run();
            }
            case UNREACHABLE -> {
                LOG.log(System.Logger.Level.WARNING, "{0}; starting not ready, checking again every {1} s",
                        first.line(), INTERVAL.toSeconds());
                Thread.ofPlatform().daemon().name("redis-check").start(() -> untilReachable(url, stop));
            }
        }
        return first;
    }

    private static void untilReachable(RedisUrl url, Runnable stop) {
        while (true) {
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException ex) {
                return;
            }
            Result r = check(url, TIMEOUT);
            if (r.verdict() == Verdict.OK) {
                LOG.log(System.Logger.Level.INFO, "REDIS_URL {0}: Redis answers", url.redacted());
                return;
            }
            if (r.verdict() == Verdict.WRONG) {
                LOG.log(System.Logger.Level.ERROR, r.line());
                stop.run();
                return;
            }
        }
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = new HashSet<>();
        todo.add(t);
        while (!todo.isEmpty()) {
            Throwable x = todo.poll();
            if (!seen.add(x)) {
                continue;
            }
            if (type.isInstance(x)) {
                return type.cast(x);
            }
            if (x.getCause() != null) {
                todo.add(x.getCause());
            }
            todo.addAll(List.of(x.getSuppressed()));
        }
        return null;
    }

    private static boolean startsWith(Throwable t, String... prefixes) {
        return firstMessage(t, prefixes) != null;
    }

    private static String firstMessage(Throwable t, String... prefixes) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            String m = x.getMessage();
            if (m != null) {
                for (String p : prefixes) {
                    if (m.startsWith(p)) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    /** First line, at most 160 characters (Redis' NOAUTH text runs over two hundred). */
    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("").strip();
        return line.length() <= 160 ? line : line.substring(0, 157) + "...";
    }
}
