package moe.ids.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Lazily loaded, cached response bodies. The whole recorded folder is about 55 MB, so every body read once
 * stays in memory for the life of the server.
 */
final class BodyStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Path, byte[]> files = new ConcurrentHashMap<>();
    private final Map<Path, Map<Long, byte[]>> jsonl = new ConcurrentHashMap<>();

    /**
     * Bytes of a body file, read once.
     *
     * @param file absolute, normalised path
     * @return the file content (shared array, do not modify)
     */
    byte[] file(Path file) {
        return files.computeIfAbsent(file, BodyStore::readAll);
    }

    /**
     * Body of one id of a {@code jsonl-by-id} file: the line's {@code body} as compact UTF-8 JSON.
     *
     * @param file the jsonl file
     * @param id   the requested id
     * @return the body, empty when the file has no line for that id
     */
    Optional<byte[]> jsonlBody(Path file, long id) {
        return Optional.ofNullable(jsonl.computeIfAbsent(file, BodyStore::readJsonl).get(id));
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read recorded body " + file, e);
        }
    }

    private static Map<Long, byte[]> readJsonl(Path file) {
        Map<Long, byte[]> bodies = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode node = JSON.readTree(line);
                    bodies.put(node.get("id").asLong(), JSON.writeValueAsBytes(node.get("body")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read recorded jsonl " + file, e);
        }
        return Map.copyOf(bodies);
    }
}
