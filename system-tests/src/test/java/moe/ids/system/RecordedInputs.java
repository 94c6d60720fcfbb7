package moe.ids.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.replay.IndexRow;
import moe.ids.replay.IndexTsv;
import moe.ids.scraper.source.JsonFileSource;
import moe.ids.scraper.source.Source;
import moe.ids.scraper.source.Sources;
import moe.ids.scraper.web.KaizeSource;
import moe.ids.scraper.web.NautiljonSource;
import moe.ids.scraper.web.OtakOtakuSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge inputs of one recorded snapshot, read from its files with the scraper's own parsers (no HTTP, no
 * database): what a clean scrape of that snapshot stores.
 */
final class RecordedInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedInputs() {
    }

    /**
     * @param snapshot the snapshot folder ({@code …/upstream/b})
     * @return its merge inputs
     * @throws IOException when a file cannot be read
     */
    static MergeInputs read(Path snapshot) throws IOException {
        Map<String, IndexRow> rows = new HashMap<>();
        for (IndexRow row : IndexTsv.read(snapshot.resolve("index.tsv"))) {
            if (row.method().equals("GET")) {
                rows.put(row.url(), row);
            }
        }
        Map<String, List<?>> bySource = new HashMap<>();
        for (Source s : Sources.all()) {
            if (s instanceof JsonFileSource<?> file) {
                IndexRow row = rows.get(file.urls().getFirst());
                if (row != null) {
                    bySource.put(s.name(), file.parse(Files.readAllBytes(row.file())));
                }
            }
        }
        List<Object> kaize = new ArrayList<>();
        List<Object> nautiljon = new ArrayList<>();
        for (IndexRow row : rows.values()) {
            if (row.status() != 200) {
                continue;
            }
            if (row.url().startsWith("https://kaize.io/anime/top?page=")) {
                kaize.addAll(KaizeSource.parsePage(Files.readAllBytes(row.file())).entries());
            } else if (row.url().startsWith("https://www.nautiljon.com/animes/?dbt=")) {
                nautiljon.addAll(NautiljonSource.parsePage(Files.readAllBytes(row.file())).rows());
            }
        }
        bySource.put("kaize", kaize);
        bySource.put("nautiljon", nautiljon);
        List<Object> otakotaku = new ArrayList<>();
        IndexRow api = rows.get("https://otakotaku.com/api/anime/view/{id}");
        if (api != null) {
            try (BufferedReader in = Files.newBufferedReader(api.file(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    JsonNode n = JSON.readTree(line);
                    otakotaku.addAll(OtakOtakuSource.parseAnswer(n.get("id").intValue(),
                            JSON.writeValueAsBytes(n.get("body")), api.contentType()));
                }
            }
        }
        bySource.put("otakotaku", otakotaku);
        return MergeInputs.read(new MergeInputs.RecordReader() {
            @Override
            public <R> List<R> records(String source, Class<R> type) {
                List<?> list = bySource.getOrDefault(source, List.of());
                return list.stream().map(r -> JSON.convertValue(r, type)).toList();
            }
        });
    }
}
