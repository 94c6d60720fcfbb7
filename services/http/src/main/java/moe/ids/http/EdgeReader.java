package moe.ids.http;

import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.BadRequestException;

/**
 * The connection's reader with the chunked-body line reading RFC 9112 §7.1 asks for. Helidon reads the lines of a
 * chunked request body ({@code chunk-size [chunk-ext] CRLF} and the trailer section) with {@link #readLine()},
 * which it uses for nothing else, and accepts neither chunk extensions nor trailer fields (answering 400), and
 * reads a line without bound. Here a line longer than {@code maxLine} is a 400, extensions are dropped from a
 * size line ({@code 1a;name=value} reads as {@code 1a}), and after the last chunk the trailer fields are read and
 * dropped (at most {@code maxTrailer} bytes of them) — a recipient may discard trailers it does not use.
 */
final class EdgeReader extends DataReader {
    private final int maxLine;
    private final int maxTrailer;
    private boolean lastChunkSeen;

    /**
     * @param bytes      where bytes come from
     * @param maxLine    longest chunk-size line accepted
     * @param maxTrailer most trailer bytes accepted after the last chunk
     */
    @SuppressWarnings("removal") // the constructor is the only way to extend the reader
    EdgeReader(Supplier<byte[]> bytes, int maxLine, int maxTrailer) {
        super(bytes);
        this.maxLine = maxLine;
        this.maxTrailer = maxTrailer;
    }

    @Override
    public String readLine() {
        if (lastChunkSeen) {
            lastChunkSeen = false;
            int read = 0;
            String line = boundedLine();
            while (!line.isEmpty()) {
                read += line.length() + 2;
                if (read > maxTrailer) {
                    throw new BadRequestException("Trailer section longer than " + maxTrailer + " bytes");
                }
                line = boundedLine();
            }
            return line;
        }
        String line = boundedLine();
        int semi = line.indexOf(';');
        if (semi < 0) {
            lastChunkSeen = isZero(line);
            return line;
        }
        String size = line.substring(0, semi).strip();
        lastChunkSeen = isZero(size);
        return size;
    }

    private String boundedLine() {
        int i = findNewLine(maxLine);
        if (i >= maxLine) {
            throw new BadRequestException("Chunk line longer than " + maxLine + " bytes");
        }
        String s = readAsciiString(i);
        skip(2);
        return s;
    }

    private static boolean isZero(String size) {
        if (size.isEmpty()) {
            return false;
        }
        for (int i = 0; i < size.length(); i++) {
            if (size.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
