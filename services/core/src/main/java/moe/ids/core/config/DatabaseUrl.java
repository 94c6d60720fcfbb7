package moe.ids.core.config;

import moe.ids.core.error.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL location from {@code DATABASE_URL}: either a JDBC URL ({@code jdbc:postgresql://…}) or the
 * {@code postgres://user:pass@host:port/db} form the seed used.
 *
 * @param jdbcUrl  JDBC URL without credentials
 * @param user     user name, or null to let the driver decide
 * @param password password, or null
 * @param variable the variable or key it came from, named in errors (e.g. {@code DATABASE_URL})
 * @param timeouts how long to wait for this server
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, String variable, DatabaseTimeouts timeouts) {
    /** Default for local runs. */
    public static final String DEFAULT = "postgres://postgres@127.0.0.1:5432/ids_moe";

    /**
     * A location named {@code DATABASE_URL} with the default timeouts.
     *
     * @param jdbcUrl  JDBC URL without credentials
     * @param user     user name, or null
     * @param password password, or null
     */
    public DatabaseUrl(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, "DATABASE_URL", DatabaseTimeouts.DEFAULT);
    }

    /**
     * @param variable the variable or key it came from, named in errors
     * @param value    its value
     * @return the parsed location
     * @throws ConfigException when the value is neither form
     */
    public static DatabaseUrl parse(String variable, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(variable + " is empty; expected jdbc:postgresql://host:port/db or "
                    + "postgres://user:pass@host:port/db");
        }
        String v = value.strip();
        if (v.startsWith("jdbc:postgresql:")) {
            if (v.startsWith("jdbc:postgresql://")) {
                for (String hostPort : HostPorts.authority(v.substring("jdbc:postgresql://".length())).split(",", -1)) {
                    HostPorts.check(variable, hostPort, false);
                }
            }
            return new DatabaseUrl(v, null, null, variable, DatabaseTimeouts.DEFAULT);
        }
        if (!v.startsWith("postgres://") && !v.startsWith("postgresql://")) {
            throw new ConfigException(variable + " must start with jdbc:postgresql:, postgres:// or postgresql://"
                    + " (got a value starting with '" + v.substring(0, Math.min(12, v.length())) + "')");
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
        String db = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (db.isEmpty() || db.contains("/")) {
            throw new ConfigException(variable + " must name exactly one database after the host (…/dbname)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new DatabaseUrl("jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + db + query, user, password,
                variable, DatabaseTimeouts.DEFAULT);
    }

    /**
     * @return the database name of the JDBC URL
     */
    public String database() {
        String rest = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        String db = slash < 0 ? "" : rest.substring(slash + 1);
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    /**
     * @param otherDatabase another database on the same server
     * @return this location pointed at that database
     */
    public DatabaseUrl withDatabase(String otherDatabase) {
        String prefix = jdbcUrl.substring(0, jdbcUrl.indexOf("//") + 2);
        String rest = jdbcUrl.substring(prefix.length());
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        int q = jdbcUrl.indexOf('?');
        String query = q < 0 ? "" : jdbcUrl.substring(q);
        return new DatabaseUrl(prefix + hostPort + "/" + otherDatabase + query, user, password, variable, timeouts);
    }

    /**
     * @param other how long to wait for the server
     * @return this location with those timeouts
     */
    public DatabaseUrl withTimeouts(DatabaseTimeouts other) {
        return new DatabaseUrl(jdbcUrl, user, password, variable, other);
    }

    /**
     * @param name the variable or key to name in errors
     * @return this location named so
     */
    public DatabaseUrl withVariable(String name) {
        return new DatabaseUrl(jdbcUrl, user, password, name, timeouts);
    }

    /**
     * @return the server part of the JDBC URL, {@code host:port} (several for a multi-host URL), for messages
     */
    public String server() {
        int start = jdbcUrl.indexOf("//");
        if (start < 0) {
            return "localhost:5432";
        }
        String rest = jdbcUrl.substring(start + 2);
        int end = rest.indexOf('/');
        String hosts = end < 0 ? rest : rest.substring(0, end);
        int q = hosts.indexOf('?');
        hosts = q < 0 ? hosts : hosts.substring(0, q);
        return hosts.isEmpty() ? "localhost:5432" : hosts.contains(":") || hosts.contains(",") ? hosts : hosts + ":5432";
    }

    /**
     * @return a printable form with the password (and any password query parameter) hidden
     */
    public String redacted() {
        String url = jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
        return url + (user == null ? "" : " user=" + user) + (password == null ? "" : " password=***");
    }

    @Override
    public String toString() {
        return redacted() + " (timeouts: " + timeouts + ")";
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
