package moe.ids.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parser for the {@code index.tsv} files of upstream snapshots (format: {@code docs/upstream-snapshots.md}).
 */
public final class IndexTsv {

    /** The mandatory header line. */
    public static final String HEADER = "method\turl\tstatus\tcontent_type\tfile\theaders";

    private static final String HEADER_SEPARATOR = " | ";

    private IndexTsv() {
    }

    /**
     * Reads an index; {@code file} columns are resolved against the folder holding it.
     *
     * @param indexFile path of an {@code index.tsv}
     * @return its rows in file order
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if the header or a row is malformed
     */
    public static List<IndexRow> read(Path indexFile) throws IOException {
        List<String> lines = Files.readAllLines(indexFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
            throw new IllegalArgumentException(indexFile + ": missing header line '" + HEADER + "'");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        List<IndexRow> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isEmpty()) {
                try {
                    rows.add(parseLine(lines.get(i), dir));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(indexFile + ":" + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return List.copyOf(rows);
    }

    /**
     * Parses one data line.
     *
     * @param line    tab-separated line without its line end
     * @param baseDir folder the {@code file} column is relative to
     * @return the row, with its file normalised against {@code baseDir}
     * @throws IllegalArgumentException if the line does not have 5 or 6 columns or the status is not a number
     */
    public static IndexRow parseLine(String line, Path baseDir) {
        String[] cols = line.split("\t", -1);
        if (cols.length != 5 && cols.length != 6) {
            throw new IllegalArgumentException("expected 6 tab-separated columns, got " + cols.length);
        }
        int status;
        try {
            status = Integer.parseInt(cols[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad status '" + cols[2] + "'", e);
        }
        Path file = baseDir.resolve(cols[4]).normalize();
        return new IndexRow(cols[0], cols[1], status, cols[3], file, parseHeaders(cols.length == 6 ? cols[5] : ""));
    }

    /**
     * Parses the {@code headers} column: {@code Name: value} pairs separated by {@code " | "}.
     *
     * @param column the column text, possibly empty
     * @return the fields in order; names may repeat
     * @throws IllegalArgumentException if a pair has no colon
     */
    public static List<IndexRow.HeaderField> parseHeaders(String column) {
        List<IndexRow.HeaderField> fields = new ArrayList<>();
        if (column.isBlank()) {
            return fields;
        }
        int start = 0;
        while (start <= column.length()) {
            int end = column.indexOf(HEADER_SEPARATOR, start);
            String pair = column.substring(start, end < 0 ? column.length() : end);
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("bad header '" + pair + "'");
            }
            fields.add(new IndexRow.HeaderField(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim()));
            if (end < 0) {
                break;
            }
            start = end + HEADER_SEPARATOR.length();
        }
        return fields;
    }
}
