package costline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The READMEs' settings tables against the declarations: every setting a topology declares
 * ({@link StreamsApp#settings()}) has a table row in streams/README*.md naming its key and its default.
 */
class SettingsDocsTest {

    @Test
    void everyDeclaredSettingHasARowWithItsDefault() throws IOException {
        List<String> rows = new ArrayList<>();
        try (var files = Files.list(Path.of("."))) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("README.*\\.md")).toList()) {
                Files.readAllLines(p).stream().filter(l -> l.startsWith("|")).forEach(rows::add);
            }
        }
        List<String> missing = new ArrayList<>();
        for (StreamsApp app : StreamsRunner.discover()) {
            for (Setting s : app.settings()) {
                boolean documented = rows.stream().anyMatch(r -> r.contains("`" + s.key() + "`")
                        && (s.defaultValue() == null || r.contains("`" + s.defaultValue() + "`")));
                if (!documented) {
                    missing.add(app.name() + ": " + s.key() + " (default " + s.defaultValue() + ")");
                }
            }
        }
        assertThat(missing).as("settings declared by the topologies without a README row holding key and default").isEmpty();
    }
}
