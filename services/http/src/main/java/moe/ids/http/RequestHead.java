package moe.ids.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Rewrites the two kinds of valid request head that Helidon 4's HTTP/1.1 parser rejects into the HTTP/1.1 request
 * that means the same thing, before the parser sees them:
 * <ul>
 *   <li>an {@code HTTP/1.0} request (what nginx {@code proxy_pass} and HAProxy health checks send by default)
 *   becomes version 1.1 without a persistent connection: {@code Connection: close} in place of any
 *   {@code Connection}/{@code Keep-Alive} fields, and a {@code Host} naming the address the client connected to
 *   when it sent none (HTTP/1.0 does not require one). The answer's HTTP/1.1 status line is one an HTTP/1.0 client
 *   reads (RFC 9110 §6.2); every route of the services sends a {@code Content-Length}, and the connection closes
 *   after the answer.</li>
 *   <li>an absolute-form target ({@code GET http://host/mal/1}), which RFC 9112 §3.2.2 requires a server to
 *   accept, becomes origin-form ({@code GET /mal/1}) with the target's authority as the {@code Host}.</li>
 * </ul>
 * Written here because Helidon has no hook for either: it answers the first with 505 and routes the second by the
 * whole URL.
 */
final class RequestHead {
    /** What {@link #inspect} decided about the bytes seen so far. */
    enum Verdict {
        /** Not enough bytes to decide. */
        MORE,
        /** Nothing to rewrite: pass the bytes on as they are. */
        PASS,
        /** A head to rewrite, complete: {@link #rewrite}. */
        REWRITE
    }

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] VERSION_10 = " HTTP/1.0".getBytes(StandardCharsets.US_ASCII);

    private RequestHead() {
    }

    /**
     * @param buf bytes received so far from the start of a request
     * @param len how many of them
     * @return what to do with them
     */
    static Verdict inspect(byte[] buf, int len) {
        int lf = indexOf(buf, len, (byte) '\n');
        if (lf < 0) {
            return Verdict.MORE;
        }
        // on the hot path: bytes compared in place, nothing allocated
        if (lf == 0 || buf[lf - 1] != '\r' || !http10(buf, lf - 1) && !absolute(buf, lf - 1)) {
            return Verdict.PASS;
        }
        return indexOf(buf, len, HEAD_END) < 0 ? Verdict.MORE : Verdict.REWRITE;
    }

    private static boolean http10(byte[] buf, int end) {
        return end >= VERSION_10.length + 2
                && Arrays.equals(buf, end - VERSION_10.length, end, VERSION_10, 0, VERSION_10.length);
    }

    private static boolean absolute(byte[] buf, int end) {
        int sp = indexOf(buf, end, (byte) ' ');
        if (sp < 0 || end - sp < 9) {
            return false;
        }
        int i = sp + 1;
        if ((buf[i] | 0x20) != 'h' || (buf[i + 1] | 0x20) != 't' || (buf[i + 2] | 0x20) != 't'
                || (buf[i + 3] | 0x20) != 'p') {
            return false;
        }
        int colon = (buf[i + 4] | 0x20) == 's' ? i + 5 : i + 4;
        return buf[colon] == ':' && buf[colon + 1] == '/' && buf[colon + 2] == '/';
    }

    /** @return index just past the authority of an absolute http(s) URI, or -1 when the target is not one */
    private static int authorityEnd(String target) {
        String lower = target.length() >= 8 ? target.substring(0, 8).toLowerCase(Locale.ROOT) : "";
        int start = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (start < 0) {
            return -1;
        }
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return end > start ? end : -1;
    }

    /**
     * @param buf  bytes received, starting with a complete head that {@link #inspect} said to rewrite
     * @param len  how many of them
     * @param host value for a {@code Host} field when an HTTP/1.0 request has none
     * @return the request as HTTP/1.1 in origin-form, followed by the rest of the bytes unchanged
     */
    static byte[] rewrite(byte[] buf, int len, String host) {
        int headEnd = indexOf(buf, len, HEAD_END);
        String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n", -1);
        String first = lines[0];
        int sp1 = first.indexOf(' ');
        int sp2 = first.lastIndexOf(' ');
        String target = first.substring(sp1 + 1, sp2);
        boolean http10 = "HTTP/1.0".equals(first.substring(sp2 + 1));
        String authority = null;
        int aEnd = authorityEnd(target);
        if (aEnd > 0) {
            authority = target.substring(target.indexOf("//") + 2, aEnd);
            authority = authority.substring(authority.lastIndexOf('@') + 1);
            String rest = target.substring(aEnd);
            target = rest.startsWith("/") ? rest : "/" + rest;
        }
        StringBuilder out = new StringBuilder(head.length() + 48);
        out.append(first, 0, sp1 + 1).append(target).append(" HTTP/1.1\r\n");
        boolean hasHost = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            String name = (colon < 0 ? line : line.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
            if (name.equals("host")) {
                if (authority != null) {
                    continue;
                }
                hasHost = true;
            } else if (http10 && (name.equals("connection") || name.equals("keep-alive")
                    || name.equals("proxy-connection"))) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        if (authority != null) {
            out.append("Host: ").append(authority).append("\r\n");
        } else if (!hasHost) {
            out.append("Host: ").append(host).append("\r\n");
        }
        if (http10) {
            out.append("Connection: close\r\n");
        }
        out.append("\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.length() + len - headEnd);
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.write(buf, headEnd + HEAD_END.length, len - headEnd - HEAD_END.length);
        return bytes.toByteArray();
    }

    private static int indexOf(byte[] buf, int len, byte b) {
        for (int i = 0; i < len; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] buf, int len, byte[] what) {
        outer:
        for (int i = 0; i <= len - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buf[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
