package moe.ids.scraper.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One upstream answer, fully read.
 *
 * @param url     the upstream URL asked for (not the mirror's)
 * @param status  HTTP status
 * @param headers response headers, names lower-cased
 * @param body    body bytes (empty for HEAD and 304)
 */
public record HttpResponse(String url, int status, Map<String, List<String>> headers, byte[] body) {

    /**
     * @param name header name, any case
     * @return its first value
     */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /**
     * @param name header name, any case
     * @return all its values
     */
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /**
     * @return true for 2xx
     */
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
