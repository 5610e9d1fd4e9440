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
 * The exploding-gradient experiment: a tanh RNN with scaled-up recurrent weights trained by SGD
 * with and without clipping; writes {@code exploding.csv} and {@code exploding.png}.
 */
public final class ExplodingExperiment {
    private final LabSettings s;
    private final Io io;

    public ExplodingExperiment(LabSettings settings, Io io) {
        this.s = settings;
        this.io = io;
    }

    /** Trains without and with clipping and writes the curves. */
    public void run() {
        CsvTable csv = new CsvTable("run", "step", "loss", "grad_norm");
        List<Plots.Line> loss = new ArrayList<>(), norm = new ArrayList<>();
        for (boolean clip : new boolean[] {false, true}) {
            String name = clip ? String.format(Locale.ROOT, "clip-norm %.3g", s.clipNorm()) : "no clipping";
            LabTasks.Outcome o;
            try (Bar bar = io.progress().start("exploding, " + name, s.explodingSteps(), "steps")) {
                o = LabTasks.trainExploding(s.length(), s.hidden(), (float) s.recurrentScale(), s.explodingSteps(), s.batch(), s.sgdLr(),
                        clip ? s.clipNorm() : 0, s.seed(), step -> bar.update(step));
            }
            int n = o.log().size();
            double[] x = new double[n], l = new double[n], g = new double[n];
            for (int i = 0; i < n; i++) {
                LabTasks.StepLog s = o.log().get(i);
                x[i] = s.step();
                l[i] = s.loss();
                g[i] = s.gradNorm();
                csv.add(name, s.step(), s.loss(), s.gradNorm());
            }
            loss.add(new Plots.Line(name, x, l));
            norm.add(new Plots.Line(name, x, g));
            double maxNorm = 0;
            for (double v : g) if (Double.isFinite(v)) maxNorm = Math.max(maxNorm, v);
            io.out().printf(Locale.ROOT, "  %-16s %s; largest gradient norm %.3g; final loss %.4f%n", name,
                    o.diverged() ? "diverged at step " + n : "test MSE " + String.format(Locale.ROOT, "%.4f", o.testMse()),
                    maxNorm, l[n - 1]);
        }
        Path csvFile = s.out().resolve("exploding.csv"), png = s.out().resolve("exploding.png");
        csv.write(csvFile);
        String setup = String.format(Locale.ROOT, "tanh RNN, recurrent weights ×%.3g, SGD s.lr() %.3g, adding problem T=%d",
                s.recurrentScale(), s.sgdLr(), s.length());
        Plots.save(png,
                Plots.chart("Training loss (" + setup + ")", "step", "loss (MSE)", true, loss),
                Plots.chart("Gradient norm before clipping", "step", "‖g‖₂", true, norm));
        io.out().println("exploding gradients: " + csvFile + ", " + png);
    }
}
