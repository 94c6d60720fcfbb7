package moe.ids.db.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.github.luben.zstd.Zstd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How a snapshot's normalized records are stored in {@code source_snapshot.records}: a JSON array of the
 * source's record type ({@link moe.ids.core.snapshot.Records}), zstd-compressed; {@code records_encoding} says
 * {@value #ENCODING}. The scraper encodes, the merger decodes.
 */
public final class RecordsCodec {
    /** The value of {@code source_snapshot.records_encoding} for this encoding. */
    public static final String ENCODING = "zstd-json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ZSTD_LEVEL = 9;

    private RecordsCodec() {
    }

    /**
     * @param records normalized records
     * @return their stored form
     */
    public static byte[] encode(List<?> records) {
        try {
            return Zstd.compress(JSON.writeValueAsBytes(records), ZSTD_LEVEL);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param stored the stored form
     * @param type   the record type to read each element as
     * @param <R>    record type
     * @return the records
     * @throws IOException when the bytes do not read back as a list of {@code type}
     */
    public static <R> List<R> decode(byte[] stored, Class<R> type) throws IOException {
        byte[] json = Zstd.decompress(stored, (int) Zstd.getFrameContentSize(stored));
        CollectionType listType = JSON.getTypeFactory().constructCollectionType(List.class, type);
        return JSON.readValue(json, listType);
    }
}
