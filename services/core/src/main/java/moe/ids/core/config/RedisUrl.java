package moe.ids.core.config;

import moe.ids.core.error.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A Redis location from {@code REDIS_URL}: {@code redis://[[user]:password@]host[:port][/db]}, or
 * {@code rediss://…} for TLS.
 *
 * @param host     host name or address
 * @param port     port (default 6379)
 * @param database logical database (default 0)
 * @param user     ACL user, or null for the default user
 * @param password password, or null
 * @param tls      true for {@code rediss://}
 */
public record RedisUrl(String host, int port, int database, String user, String password, boolean tls) {
    /** Default for local runs. */
    public static final String DEFAULT = "redis://127.0.0.1:6379/0";

    /**
     * @param variable the variable or key it came from, named in errors
     * @param value    its value
     * @return the parsed location
     * @throws ConfigException when the value is not a redis URL
     */
    public static RedisUrl parse(String variable, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(variable + " is empty; expected redis://[:password@]host:port/db");
        }
        String v = value.strip();
        boolean tls;
        if (v.startsWith("redis://")) {
            tls = false;
        } else if (v.startsWith("rediss://")) {
            tls = true;
        } else {
            throw new ConfigException(variable + " must start with redis:// or rediss:// (got a value starting with '"
                    + v.substring(0, Math.min(9, v.length())) + "')");
        }
        HostPorts.check(variable, HostPorts.authority(v.substring(v.indexOf("//") + 2)), true);
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException ex) {
            throw new ConfigException(variable + " is not a valid URL: " + ex.getReason());
        }
        if (uri.getHost() == null) {
            throw new ConfigException(variable + " has no valid host name (got '"
                    + HostPorts.withoutUserInfo(uri.getRawAuthority()) + "')");
        }
        int db = 0;
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!path.isEmpty()) {
            try {
                db = Integer.parseInt(path);
            } catch (NumberFormatException ex) {
                throw new ConfigException(variable + " database must be a number after the last '/' (got '"
                        + path + "')");
            }
            if (db < 0) {
                throw new ConfigException(variable + " database must not be negative");
            }
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            if (parts.length == 1) {
                password = decode(parts[0]);
            } else {
                user = parts[0].isEmpty() ? null : decode(parts[0]);
                password = decode(parts[1]);
            }
        }
        return new RedisUrl(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), db, user, password, tls);
    }

    /**
     * @return a printable form with the password hidden
     */
    public String redacted() {
        String auth = password == null ? "" : (user == null ? "" : user) + ":***@";
        return (tls ? "rediss://" : "redis://") + auth + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
