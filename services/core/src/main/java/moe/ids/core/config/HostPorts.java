package moe.ids.core.config;

import moe.ids.core.error.ConfigException;

/**
 * Checks the {@code host[:port]} part of a URL before {@link java.net.URI} sees it: for an authority whose port is
 * not a number, {@code URI} gives up on the host and reports none, which made a typo in the port read as a missing
 * host.
 */
final class HostPorts {
    private HostPorts() {
    }

    /**
     * @param variable  the variable named in errors
     * @param authority {@code [userinfo@]host[:port]} as written (userinfo may hold {@code @} and {@code :})
     * @param needHost  false where an empty host is allowed (the JDBC form defaults it to localhost)
     * @throws ConfigException when there is no host, or the port is not a number in 1…65535
     */
    static void check(String variable, String authority, boolean needHost) {
        String hostPort = withoutUserInfo(authority);
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new ConfigException(variable + " has an IPv6 host without its closing ']'");
            }
            host = hostPort.substring(0, close + 1);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new ConfigException(variable + " has text after the IPv6 host: '" + rest + "'");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (host.isEmpty() && needHost) {
            throw new ConfigException(variable + " has no host");
        }
        if (port == null || port.isEmpty()) {
            return;
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigException(variable + " port must be a number (got '" + port + "')");
        }
        if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new ConfigException(variable + " port must be between 1 and 65535 (got " + port + ")");
        }
    }

    /**
     * @param authority {@code [userinfo@]host[:port]}, or null
     * @return {@code host[:port]} (never the password), or an empty string
     */
    static String withoutUserInfo(String authority) {
        return authority == null ? "" : authority.substring(authority.lastIndexOf('@') + 1);
    }

    /**
     * @param uriText everything after the scheme's {@code //}
     * @return the authority: up to the first {@code /}, {@code ?} or {@code #}
     */
    static String authority(String uriText) {
        int end = uriText.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int i = uriText.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return uriText.substring(0, end);
    }
}
