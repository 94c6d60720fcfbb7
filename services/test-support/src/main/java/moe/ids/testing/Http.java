package moe.ids.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Test HTTP client: {@link HttpClient} for ordinary requests, a raw socket for request lines no client sends. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    /**
     * @param base the server's base URL, e.g. {@code http://127.0.0.1:8080}
     */
    public Http(String base) {
        this.base = base;
    }

    /**
     * A response.
     *
     * @param status  status code
     * @param headers header name (lower case) → value (repeated headers joined with {@code ", "})
     * @param body    body bytes
     */
    public record Res(int status, Map<String, String> headers, byte[] body) {
        /**
         * @return the body as UTF-8 text
         */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /**
         * @param name header name, any case
         * @return its value, or null
         */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * @param path    path and query
     * @param headers name, value, name, value, …
     * @return the response
     */
    public Res get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    /**
     * @param method  method
     * @param path    path and query
     * @param body    body text, or null for none
     * @param headers name, value, name, value, …
     * @return the response
     */
    public Res send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> h = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            return new Res(r.statusCode(), h, r.body());
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Sends one raw HTTP/1.1 request (Connection: close) and parses the answer.
     *
     * @param requestLineTarget the request target exactly as written on the wire
     * @param method            method
     * @param body              body bytes or null
     * @return the response
     */
    public Res raw(String method, String requestLineTarget, byte[] body) {
        URI u = URI.create(base);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(Integer.getInteger("raw.timeout", 30_000));
            OutputStream out = s.getOutputStream();
            StringBuilder req = new StringBuilder(method + " " + requestLineTarget + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n");
            if (body != null) {
                req.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            req.append("\r\n");
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException ignored) {
                    // the server may answer (413) and close before reading everything
                }
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                // read the head, then exactly Content-Length bytes (a keep-alive server need not close)
                int n;
                while ((n = in.read(buf)) > 0) {
                    all.write(buf, 0, n);
                    String sofar = all.toString(StandardCharsets.ISO_8859_1);
                    int headEnd = sofar.indexOf("\r\n\r\n");
                    if (headEnd >= 0) {
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)")
                                .matcher(sofar.substring(0, headEnd));
                        if (m.find() && all.size() >= headEnd + 4 + Integer.parseInt(m.group(1))) {
                            break;
                        }
                    }
                }
            } catch (IOException ignored) {
                // connection reset after the answer
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end < 0 ? text.length() : end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                h.put(lines[i].substring(0, c).strip().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).strip());
            }
            String cl = h.get("content-length");
            String rest = end < 0 ? "" : text.substring(end + 4);
            if (cl != null && rest.length() > Integer.parseInt(cl)) {
                throw new AssertionError("bytes after the response (a second response?): "
                        + rest.substring(Integer.parseInt(cl)));
            }
            byte[] b = rest.getBytes(StandardCharsets.ISO_8859_1);
            return new Res(status, h, b);
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
