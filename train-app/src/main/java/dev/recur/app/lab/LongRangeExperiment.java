package dev.recur.app.lab;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.CharCorpus;
import dev.recur.app.data.CharVocabulary;
import dev.recur.app.run.Plots;
import dev.recur.app.run.progress.Bar;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The long-range experiment: each cell trained on the adding problem at several lengths, showing
 * where the plain RNN stops learning; writes {@code long_range.csv} and {@code long_range.png}.
 */
public final class LongRangeExperiment {
    private final LabSettings s;
    private final Io io;

    public LongRangeExperiment(LabSettings settings, Io io) {
        this.s = settings;
        this.io = io;
    }

    /** Trains every cell at every length and writes the table and chart. */
    public void run() {
        CsvTable csv = new CsvTable("model", "s.length()", "test_mse", "baseline_mse", "learned");
        List<Plots.Line> lines = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-12s", "s.length()"));
        for (int l : s.lengths()) table.append(String.format(Locale.ROOT, "%10d", l));
        table.append('\n');
        double threshold = s.learnedBelow() * AddingProblem.BASELINE_MSE;
        for (CellType cell : s.cells()) {
            double[] x = new double[s.lengths().size()], y = new double[s.lengths().size()];
            table.append(String.format(Locale.ROOT, "%-12s", LabSettings.label(cell)));
            for (int i = 0; i < s.lengths().size(); i++) {
                int len = s.lengths().get(i);
                LabTasks.Outcome o;
                try (Bar bar = io.progress().start(LabSettings.label(cell) + " T=" + len, s.trainSteps(), "steps")) {
                    o = LabTasks.trainAdding(cell, len, s.hidden(), s.trainSteps(), s.batch(), s.lr(), s.clipNorm(), s.seed(), s.forgetBias(),
                            step -> bar.update(step));
                }
                boolean learned = o.testMse() < threshold;
                csv.add(LabSettings.label(cell), len, o.testMse(), AddingProblem.BASELINE_MSE, learned);
                x[i] = len;
                y[i] = o.testMse();
                table.append(String.format(Locale.ROOT, "%9.4f%s", o.testMse(), learned ? "*" : " "));
                io.progress().info(String.format(Locale.ROOT, "%s, T=%d: test MSE %.4f (%s)", LabSettings.label(cell), len, o.testMse(),
                        learned ? "learned" : "not learned"));
            }
            table.append('\n');
            lines.add(new Plots.Line(LabSettings.label(cell), x, y));
        }
        double[] bx = s.lengths().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] by = new double[bx.length], ty = new double[bx.length];
        java.util.Arrays.fill(by, AddingProblem.BASELINE_MSE);
        java.util.Arrays.fill(ty, threshold);
        lines.add(new Plots.Line("baseline (always answer 1)", bx, by));
        lines.add(new Plots.Line("learned below this line", bx, ty));
        Path csvFile = s.out().resolve("long_range.csv"), png = s.out().resolve("long_range.png");
        csv.write(csvFile);
        Plots.save(png, Plots.chart("Adding problem: test error after " + s.trainSteps() + " training steps",
                "sequence s.length() T", "test mean squared error", true, lines));
        io.out().print("adding problem, test MSE after " + s.trainSteps() + " steps (* = learned, below "
                + String.format(Locale.ROOT, "%.4f", threshold) + "; baseline " + String.format(Locale.ROOT, "%.4f", AddingProblem.BASELINE_MSE) + ")\n" + table);
        io.out().println("long-range table: " + csvFile + ", " + png);
    }

}
