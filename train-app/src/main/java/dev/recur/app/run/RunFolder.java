package dev.recur.app.run;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The output folder of a training run, the same for every task: {@value #LAST} (after every
 * epoch or evaluation, with the optimizer state, what {@code --resume} continues),
 * {@value #BEST} (the best validation score), {@value #METRICS}, and a curve picture. A new run
 * into a folder that already holds one is refused; {@code --resume} needs one.
 */
public final class RunFolder {
    public static final String LAST = "last.safetensors";
    public static final String BEST = "best.safetensors";
    public static final String METRICS = "metrics.jsonl";

    private RunFolder() {}

    /**
     * Checks that {@code out} can take the run: without {@code resume} it must not hold a run yet;
     * with it, it must. Then creates the folder and removes temporary files a killed run left.
     * Returns {@code out/last.safetensors}.
     */
    public static Path prepare(Path out, boolean resume) {
        Path last = out.resolve(LAST);
        if (resume) {
            if (!Files.exists(last)) {
                throw new AppException("nothing to resume in '" + out + "': it has no " + LAST
                        + ". Start a new run without --resume, or point --out at an earlier run's folder.");
            }
        } else if (Files.exists(last)) {
            throw AppException.usage("'" + out + "' already holds a run (" + LAST + "); pass --resume to continue it "
                    + "or choose another --out");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw AppException.usage("--out '" + out + "' is a file, not a folder; choose another --out");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new AppException("cannot create the output folder '" + out + "': " + e.getMessage()
                    + ". Choose another --out.", e);
        }
        AtomicFiles.removeLeftovers(out);
        return last;
    }
}
