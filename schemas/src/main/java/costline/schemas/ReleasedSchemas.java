package costline.schemas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The released versions of each event schema, kept in the repository under {@code schemas/released/} as
 * {@code <Event>.v<N>.avsc} (each self-contained). A schema change is released by running this class with
 * the folder as its argument: it writes the current schema as the next version of every event that changed.
 * The compatibility test then holds every later change to those versions.
 */
public final class ReleasedSchemas {

    private static final Pattern FILE = Pattern.compile("(\\w+)\\.v(\\d+)\\.avsc");

    public record Released(String event, int version, Schema schema, Path file) {
    }

    private ReleasedSchemas() {
    }

    /** All released versions of {@code event} in {@code dir}, oldest first. */
    public static List<Released> of(Path dir, String event) throws IOException {
        List<Released> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (m.matches() && m.group(1).equals(event)) {
                    found.add(new Released(event, Integer.parseInt(m.group(2)),
                            new Schema.Parser().parse(file.toFile()), file));
                }
            }
        }
        found.sort(Comparator.comparingInt(Released::version));
        return found;
    }

    /** Writes the current schema of each event as its next released version when it differs from the last. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schemas/released");
        Files.createDirectories(dir);
        for (Class<? extends SpecificRecord> type : Events.ALL) {
            Schema current = Events.schemaOf(type);
            List<Released> released = of(dir, type.getSimpleName());
            if (!released.isEmpty() && released.get(released.size() - 1).schema().equals(current)) {
                continue;
            }
            int next = released.isEmpty() ? 1 : released.get(released.size() - 1).version() + 1;
            Path file = dir.resolve(type.getSimpleName() + ".v" + next + ".avsc");
            Files.writeString(file, current.toString(true) + "\n");
            System.out.println("released " + file);
        }
    }
}
