package costline.collectors.attribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads /proc/&lt;pid&gt;/... files; a process that exited or that we may not read gives empty. */
final class ProcFiles {

    private ProcFiles() {
    }

    static Optional<String> read(Path procRoot, int pid, String file) {
        try {
            return Optional.of(new String(Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve(file)),
                    StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The process start time (clock ticks after boot, field 22 of /proc/&lt;pid&gt;/stat): with the pid it tells
     * a process apart from a later one that reuses the pid. Empty if the process is gone.
     */
    static Optional<Long> startTime(Path procRoot, int pid) {
        return read(procRoot, pid, "stat").flatMap(stat -> {
            // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'
            int close = stat.lastIndexOf(')');
            if (close < 0) {
                return Optional.empty();
            }
            String[] fields = stat.substring(close + 2).trim().split(" ");
            // fields[0] is field 3 (state), so field 22 is fields[19]
            return fields.length > 19 ? Optional.of(Long.parseLong(fields[19])) : Optional.empty();
        });
    }
}
