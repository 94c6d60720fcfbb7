package moe.ids.core.changeset;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes the change-set decoder with arbitrary bytes: as JSON, as gzip, and as the gzip of the bytes (so that the
 * JSON reader is reached through the decompressor). The documented contract is that a malformed document fails
 * with {@link IllegalArgumentException} only; any other exception or error (OutOfMemoryError, StackOverflowError,
 * an index or cast error) is a finding. A document that decodes must survive an encode–decode round trip unchanged.
 */
class ChangeSetCodecFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] data) {
        decodes(() -> ChangeSetCodec.fromJson(data));
        decodes(() -> ChangeSetCodec.fromCompressed(data));
        decodes(() -> ChangeSetCodec.fromCompressed(gzip(data)));
    }

    private static void decodes(java.util.function.Supplier<ChangeSet> decoder) {
        ChangeSet cs;
        try {
            cs = decoder.get();
        } catch (IllegalArgumentException documented) {
            return;
        }
        assertEquals(cs, ChangeSetCodec.fromJson(ChangeSetCodec.toJson(cs)));
        assertEquals(cs, ChangeSetCodec.fromCompressed(ChangeSetCodec.toCompressed(cs)));
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
