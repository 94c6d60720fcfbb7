package moe.ids.store;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RESP2 replies from one stream through its own buffer, for one thread: {@code BufferedInputStream} takes a
 * lock on every {@code read()}, and a script's answer is read mostly byte by byte (type markers, lengths, CRLFs).
 */
final class RespReader {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int end;

    /**
     * @param in   the stream (read only through this reader from now on)
     * @param size buffer size
     */
    RespReader(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    /**
     * Reads one reply.
     *
     * @return byte[] (bulk), null, Long, String (status), {@link RespPipeline.RedisError} or a List of those
     * @throws IOException on a broken or malformed stream
     */
    Object read() throws IOException {
        int type = next();
        switch (type) {
            case '$' -> {
                int len = (int) number();
                if (len < 0) {
                    return null;
                }
                byte[] b = bytes(len);
                if (next() != '\r' || next() != '\n') {
                    throw new IOException("malformed bulk reply");
                }
                return b;
            }
            case '*' -> {
                int n = (int) number();
                if (n < 0) {
                    return null;
                }
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read());
                }
                return list;
            }
            case ':' -> {
                return number();
            }
            case '+' -> {
                return line();
            }
            case '-' -> {
                return new RespPipeline.RedisError(line());
            }
            default -> throw new IOException("unexpected RESP type " + type);
        }
    }

    /** The next byte; EOF is an error (a reply was expected). */
    private int next() throws IOException {
        if (pos == end && !fill()) {
            throw new EOFException("redis closed the connection");
        }
        return buf[pos++];
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private byte[] bytes(int len) throws IOException {
        byte[] b = new byte[len];
        int have = Math.min(len, end - pos);
        System.arraycopy(buf, pos, b, 0, have);
        pos += have;
        if (have < len) { // the rest straight into the result
            int got = in.readNBytes(b, have, len - have);
            if (got < len - have) {
                throw new EOFException("truncated bulk reply");
            }
        }
        return b;
    }

    private long number() throws IOException {
        long v = 0;
        boolean neg = false;
        int c = next();
        if (c == '-') {
            neg = true;
            c = next();
        }
        while (c != '\r') {
            if (c < '0' || c > '9') {
                throw new IOException("malformed RESP number");
            }
            v = v * 10 + (c - '0');
            c = next();
        }
        if (next() != '\n') {
            throw new IOException("malformed RESP line");
        }
        return neg ? -v : v;
    }

    /** A status or error line (handshakes and errors only: read byte by byte). */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32);
        int c;
        while ((c = next()) != '\r') {
            b.write(c);
        }
        if (next() != '\n') {
            throw new IOException("malformed RESP line");
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
