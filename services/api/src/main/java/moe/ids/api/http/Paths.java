package moe.ids.api.http;

import io.helidon.common.uri.UriPath;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;

import java.util.ArrayList;
import java.util.List;

/** Splits raw request paths into raw segments (decoding is left to {@link LookupKeys#decode}). */
public final class Paths {
    private Paths() {
    }

    /**
     * @param rawPath raw request path
     * @return true for the observability endpoints ({@code /observe/...}), which the catch-all routes leave alone
     */
    public static boolean observe(String rawPath) {
        return rawPath.equals("/observe") || rawPath.startsWith("/observe/");
    }

    /**
     * Matches paths of two or more segments ({@code /mal/1}, not {@code /status} nor {@code /mal/}), so that the
     * lookup route can come before the one-segment routes without every other request passing through it.
     *
     * @return the matcher
     */
    public static PathMatcher twoOrMoreSegments() {
        PathMatcher any = PathMatchers.create("/*");
        return new PathMatcher() {
            @Override
            public PathMatchers.MatchResult match(UriPath path) {
                return lookupShaped(path.rawPath()) ? any.match(path) : PathMatchers.MatchResult.notAccepted();
            }

            @Override
            public PathMatchers.PrefixMatchResult prefixMatch(UriPath path) {
                return lookupShaped(path.rawPath()) ? any.prefixMatch(path)
                        : PathMatchers.PrefixMatchResult.notAccepted();
            }
        };
    }

    private static boolean lookupShaped(String rawPath) {
        int second = rawPath.indexOf('/', 1);
        return second > 0 && second < rawPath.length() - 1;
    }

    /**
     * @param rawPath e.g. {@code /mal/1%2F2} (one trailing slash is ignored)
     * @return raw segments, e.g. {@code [mal, 1%2F2]}
     */
    public static List<String> segments(String rawPath) {
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        List<String> out = new ArrayList<>(4);
        int start = 0;
        while (true) {
            int slash = p.indexOf('/', start);
            if (slash < 0) {
                out.add(p.substring(start));
                return out;
            }
            out.add(p.substring(start, slash));
            start = slash + 1;
        }
    }
}
