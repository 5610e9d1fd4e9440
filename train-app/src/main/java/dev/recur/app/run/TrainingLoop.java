package dev.recur.app.run;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one training loop of every task: epochs of batches, each step checked and clipped by
 * {@link UpdateGuard} and taken by the optimizer at the rate of the {@link LrSchedule}; an
 * evaluation at the end of every epoch (and every {@link Settings#evalEvery} batches, at
 * {@link Settings#maxSteps} and when the time limit has passed), each followed by
 * {@code last.safetensors} (with the optimizer state, what {@code --resume} continues),
 * {@code best.safetensors} when the primary metric improved, a line in
 * {@code metrics.jsonl}, the curve picture and a summary line; early stopping with patience;
 * a non-finite loss or gradient stops the run naming the step and the parameter, leaving the last
 * good checkpoint as it was.
 *
 * <p>A task supplies only what is its own ({@link Task}): its batches, the forward and backward
 * pass of one, its running training figures, an evaluation, and its checkpoint metadata. It
 * loads its own checkpoint when resuming (weights, optimizer state, random-stream counters) and
 * gives the loop the {@link Position} it recorded; everything that makes the continuation
 * bit-identical is then a function of that position (the data order of the task, the schedule's
 * step count).
 *
 * <p>Usage:
 * <pre>{@code
 * TrainingLoop.Outcome o = new TrainingLoop(settings, task, optimizer, trainable, io).run(from);
 * }</pre>
 */
public final class TrainingLoop {

    /**
     * What the loop is told, the same for every task. Make one with {@link #of} and the
     * {@code with…} methods (the canonical constructor may gain components; they will not).
     *
     * @param out        the run folder (already prepared by {@link RunFolder#prepare})
     * @param task       the checkpoint task name ({@link Checkpoint#K_TASK})
     * @param epochs     epochs in all (a resumed run continues to this count)
     * @param maxSteps   stop after this many optimizer steps in all (0: no limit; the schedule then spans them)
     * @param evalEvery  also evaluate and checkpoint every this many batches inside an epoch (0: at epoch ends only)
     * @param patience   stop after this many evaluations without a better primary metric (0: never)
     * @param schedule   the learning rate of every step
     * @param clipNorm   clip gradients to this global norm (0: off)
     * @param clipValue  clip each gradient element to ±this (0: off)
     * @param timeLimitMinutes evaluate, checkpoint and stop at the first batch after this time (0: no limit)
     * @param unit       the progress bar's unit (what {@link Task#units} counts)
     * @param plotTitle  the curve picture's title
     * @param plotFile   the curve picture's file name in {@code out}
     * @param bestResumable whether {@code best.safetensors} is a copy of last (optimizer state and
     *                      extra tensors included) or holds the weights and metadata only
     */
    public record Settings(Path out, String task, int epochs, long maxSteps, int evalEvery, int patience,
                           LrSchedule schedule, double clipNorm, double clipValue, double timeLimitMinutes,
                           String unit, String plotTitle, String plotFile, boolean bestResumable) {

        /**
         * {@code epochs} epochs of task {@code task} into {@code out} at a constant rate
         * {@code lr}; no clipping, no patience, no step or time limit, evaluation at epoch ends,
         * progress in batches, the curves in {@code training-curves.png}, best holding weights only.
         */
        public static Settings of(Path out, String task, int epochs, double lr) {
            return new Settings(out, task, epochs, 0, 0, 0, LrSchedule.constant(lr), 0, 0, 0, "batches", task,
                    "training-curves.png", false);
        }

        public Settings withSchedule(LrSchedule s) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, s, clipNorm, clipValue, timeLimitMinutes, unit,
                    plotTitle, plotFile, bestResumable);
        }

        /** Clipping by global norm and by value (0: off). */
        public Settings withClipping(double norm, double value) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, schedule, norm, value, timeLimitMinutes, unit,
                    plotTitle, plotFile, bestResumable);
        }

        public Settings withPatience(int p) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, p, schedule, clipNorm, clipValue, timeLimitMinutes, unit,
                    plotTitle, plotFile, bestResumable);
        }

        public Settings withEvalEvery(int batches) {
            return new Settings(out, task, epochs, maxSteps, batches, patience, schedule, clipNorm, clipValue, timeLimitMinutes,
                    unit, plotTitle, plotFile, bestResumable);
        }

        public Settings withMaxSteps(long steps) {
            return new Settings(out, task, epochs, steps, evalEvery, patience, schedule, clipNorm, clipValue, timeLimitMinutes,
                    unit, plotTitle, plotFile, bestResumable);
        }

        public Settings withTimeLimit(double minutes) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, schedule, clipNorm, clipValue, minutes, unit,
                    plotTitle, plotFile, bestResumable);
        }

        /** The progress bar's unit (what {@link Task#units} counts). */
        public Settings withUnit(String u) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, schedule, clipNorm, clipValue, timeLimitMinutes,
                    u, plotTitle, plotFile, bestResumable);
        }

        /** The curve picture's title and file name. */
        public Settings withPlot(String title, String file) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, schedule, clipNorm, clipValue, timeLimitMinutes,
                    unit, title, file, bestResumable);
        }

        /** Best as a copy of last (resumable, with the optimizer state) or with the weights only. */
        public Settings withBestResumable(boolean b) {
            return new Settings(out, task, epochs, maxSteps, evalEvery, patience, schedule, clipNorm, clipValue, timeLimitMinutes,
                    unit, plotTitle, plotFile, b);
        }
    }

    /**
     * Where a run stands: after {@code epochsDone} whole epochs and {@code batch} batches of the
     * next one, {@code steps} optimizer steps and {@code evaluations} evaluations; the best primary
     * metric so far ({@code best}, NaN before the first or without validation data) came from
     * evaluation {@code bestAt} (0: none). A task records these in its checkpoint metadata and
     * gives them back to {@link #run} to resume.
     */
    public record Position(int epochsDone, int batch, long steps, int evaluations, double best, int bestAt) {
        /** The start of a new run. */
        public static final Position START = new Position(0, 0, 0, 0, Double.NaN, 0);
    }

    /**
     * The figures of one evaluation, in the order they are written ({@code val_} is put before
     * each name in {@code metrics.jsonl}); {@code primary} is the one that picks the best
     * checkpoint and drives early stopping. An evaluation of nothing (no validation split) has NaN
     * figures: every checkpoint then counts as the best.
     *
     * @param metrics        named figures (e.g. {@code loss}, {@code accuracy}, {@code f1})
     * @param primary        the key of the figure that decides
     * @param higherIsBetter its direction
     * @param summary        the figures as the summary line shows them (e.g. {@code val loss 0.41 acc 88.1%})
     */
    public record Evaluation(Map<String, Double> metrics, String primary, boolean higherIsBetter, String summary) {
        public Evaluation {
            metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            if (!metrics.containsKey(primary)) throw new IllegalArgumentException("no metric " + primary);
        }

        /** The primary figure (NaN: there was nothing to evaluate). */
        public double score() { return metrics.get(primary); }

        /** Whether there was something to evaluate (the primary figure is a number). */
        public boolean present() { return !Double.isNaN(score()); }

        /** Whether this evaluation beats {@code best} (NaN: nothing yet); always, when nothing was evaluated. */
        boolean beats(double best) {
            double s = score();
            return higherIsBetter ? !(s <= best) : !(s >= best);
        }
    }

    /**
     * The training figures of the current epoch so far.
     *
     * @param figures named figures in order, starting with {@code train_loss} (then e.g.
     *                {@code train_accuracy}); the throughput ones (e.g. {@code seq_per_s}) after them
     * @param summary the figures as the summary line shows them (e.g. {@code train loss 0.52 acc 74.3%})
     */
    public record Training(Map<String, Double> figures, String summary) {
        public Training {
            figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        }
    }

    /** What a task gives the loop. */
    public interface Task {
        /**
         * Plans epoch {@code epoch} (1-based; e.g. shuffles and buckets its data as a pure function
         * of seed and epoch), resets the epoch's running figures and returns its number of batches.
         * {@code first} is 0, or the batches of this epoch a resumed run already did: the task then
         * brings whatever depends on them (e.g. a random stream) to where it was.
         */
        int planEpoch(int epoch, int first);

        /** The epoch's total in the progress bar's unit (default: batches). */
        default long units(int batches) { return batches; }

        /**
         * Zeroes the gradients and runs the forward and backward pass of batch {@code index} of the
         * planned epoch in training mode, adding it to the running figures; returns its mean loss
         * (when the loss is not finite the backward pass may be skipped: the loop stops).
         */
        float step(int index);

        /** Units of the epoch done so far, for the progress bar (default: batches). */
        default long unitsDone(int batchesDone) { return batchesDone; }

        /** What the progress bar shows after a step (the loop adds the gradient norm). */
        List<Field> progress();

        /** The running figures of the epoch after {@code seconds} of training in it. */
        Training training(double seconds);

        /** Scores the validation data (the model back in training mode afterwards). */
        Evaluation evaluate();

        /** The task's checkpoint metadata at {@code at} (its configuration, vocabulary, the position, random-stream counters, the history...). */
        Map<String, String> metadata(Position at, List<Map<String, Object>> history);

        /** Tensors besides the parameters and the optimizer state (e.g. a carried recurrent state); default none. */
        default Map<String, FloatMatrix> state(Position at) { return Map.of(); }

        /** Called after each evaluation's checkpoint is written (e.g. to print a sample); default nothing. */
        default void evaluated(Position at, boolean improved) {}

        /**
         * Whether {@link #step} also updated the parameters and the optimizer state itself (local
         * SGD on a cluster: the partitions step their own optimizers and the task averages what they
         * return). The loop then takes no optimizer step and checks only the loss; the gradient norm
         * it reports is {@link #ownUpdateNorm}. Default false: the loop clips and steps.
         */
        default boolean updatesItself() { return false; }

        /** The gradient norm of the last self-applied update (see {@link #updatesItself}). */
        default float ownUpdateNorm() { return 0f; }
    }

    /**
     * How a run ended.
     *
     * @param at          the position of the last checkpoint
     * @param interrupted stopped by {@link #stopAfterEpoch} before the end (as a kill would)
     * @param reason      why it stopped: {@code "epochs"}, {@code "steps"}, {@code "patience"},
     *                    {@code "time"} or {@code "interrupted"}
     * @param history     every evaluation's metrics record of the run, resumed parts included
     * @param last        the last evaluation (null when the run did none in this process)
     */
    public record Outcome(Position at, boolean interrupted, String reason, List<Map<String, Object>> history,
                          Evaluation last) {}

    private final Settings settings;
    private final Task task;
    private final Optimizer optimizer;
    private final List<Parameter> parameters;
    private final List<Parameter> trainable;
    private final Io io;
    private int stopAfterEpoch = Integer.MAX_VALUE;

    /**
     * {@code parameters}: all of the model's, as checkpoints hold them; {@code trainable}: those the
     * optimizer updates (what the guard checks and clips; all but frozen ones).
     */
    public TrainingLoop(Settings settings, Task task, Optimizer optimizer, List<Parameter> parameters,
                        List<Parameter> trainable, Io io) {
        this.settings = settings;
        this.task = task;
        this.optimizer = optimizer;
        this.parameters = List.copyOf(parameters);
        this.trainable = List.copyOf(trainable);
        this.io = io;
    }

    /**
     * A test hook: ends the run after epoch {@code n} as an interruption would, leaving
     * {@code last.safetensors} to resume (the schedule still spans all epochs).
     */
    public TrainingLoop stopAfterEpoch(int n) {
        stopAfterEpoch = n;
        return this;
    }

    public Path last() { return settings.out.resolve(RunFolder.LAST); }

    public Path best() { return settings.out.resolve(RunFolder.BEST); }

    public Path metricsFile() { return settings.out.resolve(RunFolder.METRICS); }

    /**
     * Trains from {@code from} ({@link Position#START} or what a resumed checkpoint recorded) to
     * the end; {@code metrics.jsonl} is first cut back to the records up to {@code from}.
     */
    public Outcome run(Position from) {
        Path last = last(), best = best();
        // A kill between writing last (of the best evaluation so far) and copying it to best leaves
        // an older best behind: write it again, so best is the evaluation the position says it is —
        // as it was written then: a copy of last, or (best not resumable) last's metadata and the
        // parameters alone, which the caller has loaded from last.
        if (from.evaluations() > 0 && from.bestAt() == from.evaluations() && Files.exists(last)) {
            if (settings.bestResumable) AtomicFiles.copy(last, best);
            else Checkpoint.write(best, settings.task, Checkpoint.readAny(last).metadata(), parameters, null, Map.of());
        }
        List<Map<String, Object>> history = new ArrayList<>();
        for (Map<String, Object> r : MetricsLog.read(metricsFile())) {
            Object s = r.containsKey("steps") ? r.get("steps") : r.get("step");
            boolean evaluation = !r.containsKey("event") || "epoch".equals(r.get("event")) || "eval".equals(r.get("event"));
            if (evaluation && s instanceof Number n && n.longValue() <= from.steps() && r.containsKey("epoch")) history.add(r);
        }
        MetricsLog.rewrite(metricsFile(), history);
        long deadline = settings.timeLimitMinutes > 0 ? System.nanoTime() + (long) (settings.timeLimitMinutes * 60e9) : Long.MAX_VALUE;
        Position at = from;
        Evaluation lastEval = null;
        try (MetricsLog metrics = MetricsLog.append(metricsFile())) {
            for (int epoch = from.epochsDone() + 1; epoch <= settings.epochs; epoch++) {
                if (epoch > stopAfterEpoch) return new Outcome(at, true, "interrupted", history, lastEval);
                int first = epoch == from.epochsDone() + 1 ? from.batch() : 0;
                int batches = task.planEpoch(epoch, first);
                long total = settings.maxSteps > 0 ? settings.maxSteps : (long) settings.epochs * batches;
                long step = at.steps();
                double normSum = 0;
                int normCount = 0;
                float norm = 0;
                long trainNanos = 0;
                String stop = null;
                Bar bar = io.progress().start(String.format(Locale.ROOT, "epoch %d/%d", epoch, settings.epochs),
                        task.units(batches), settings.unit, task.unitsDone(first));
                try {
                    long t = System.nanoTime();
                    for (int b = first; b < batches && stop == null; b++) {
                        optimizer.setLearningRate(settings.schedule.rate(step, total, batches));
                        step++;
                        float loss = task.step(b);
                        boolean own = task.updatesItself();
                        try {
                            norm = own ? UpdateGuard.check(List.of(), loss, step, 0, 0) + task.ownUpdateNorm()
                                    : UpdateGuard.check(trainable, loss, step, settings.clipNorm, settings.clipValue);
                        } catch (UpdateGuard.Diverged d) {
                            throw diverged(epoch, b, batches, step, d, metrics, at);
                        }
                        if (!own) optimizer.step();
                        normSum += norm;
                        normCount++;
                        List<Field> fields = new ArrayList<>(task.progress());
                        fields.add(Field.detail("‖g‖ %.2f", norm));
                        bar.update(task.unitsDone(b + 1), fields.toArray(Field[]::new));
                        boolean endOfEpoch = b + 1 == batches;
                        if (settings.maxSteps > 0 && step >= settings.maxSteps) stop = "steps";
                        else if (System.nanoTime() > deadline) stop = "time";
                        boolean evalNow = endOfEpoch || stop != null || (settings.evalEvery > 0 && (b + 1) % settings.evalEvery == 0);
                        if (!evalNow) continue;
                        trainNanos += System.nanoTime() - t;
                        if (endOfEpoch || stop != null) bar.close(); // its last line, then the summary
                        Position here = endOfEpoch ? new Position(epoch, 0, step, at.evaluations() + 1, at.best(), at.bestAt())
                                : new Position(epoch - 1, b + 1, step, at.evaluations() + 1, at.best(), at.bestAt());
                        double epochX = endOfEpoch ? epoch : epoch - 1 + (b + 1.0) / batches;
                        lastEval = task.evaluate();
                        boolean improved = lastEval.beats(at.best());
                        if (improved) here = new Position(here.epochsDone(), here.batch(), step, here.evaluations(),
                                lastEval.score(), here.evaluations());
                        Training tr = task.training(trainNanos / 1e9);
                        Map<String, Object> rec = record(endOfEpoch, epochX, step, tr, lastEval, normSum / normCount,
                                trainNanos / 1e9);
                        history.add(rec);
                        Map<String, String> meta = task.metadata(here, List.copyOf(history));
                        Checkpoint.write(last, settings.task, meta, parameters, optimizer, task.state(here));
                        if (improved && settings.bestResumable) AtomicFiles.copy(last, best);
                        else if (improved) Checkpoint.write(best, settings.task, meta, parameters, null, Map.of());
                        metrics.write(rec);
                        plot(history);
                        io.progress().result(summary(epochX, endOfEpoch, tr, lastEval, normSum / normCount, trainNanos / 1e9,
                                improved));
                        io.out().flush();
                        at = here;
                        task.evaluated(here, improved);
                        if (stop == null && lastEval.present()
                                && EarlyStopping.exhausted(settings.patience, at.evaluations(), at.bestAt())) {
                            stop = "patience";
                            io.progress().info(EarlyStopping.message(settings.patience,
                                    settings.evalEvery > 0 ? "evaluation" : "epoch", at.bestAt()));
                        }
                        if ("time".equals(stop)) {
                            io.progress().info(String.format(Locale.ROOT, "time limit of %.1f minutes reached; stopping",
                                    settings.timeLimitMinutes));
                        }
                        t = System.nanoTime();
                    }
                } finally {
                    bar.close();
                }
                if (stop != null) return new Outcome(at, false, stop, history, lastEval);
            }
        }
        return new Outcome(at, false, "epochs", history, lastEval);
    }

    private static Map<String, Object> record(boolean endOfEpoch, double epochX, long steps, Training tr, Evaluation ev,
                                              double gradNorm, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", endOfEpoch ? "epoch" : "eval");
        if (endOfEpoch) m.put("epoch", (int) epochX); else m.put("epoch", epochX);
        m.put("steps", steps);
        List<Map.Entry<String, Double>> rates = new ArrayList<>();
        for (var e : tr.figures().entrySet()) {
            if (e.getKey().endsWith("_per_s")) rates.add(e); else m.put(e.getKey(), num(e.getValue()));
        }
        ev.metrics().forEach((k, v) -> m.put("val_" + k, num(v)));
        m.put("grad_norm", num(gradNorm));
        m.put("seconds", num(seconds));
        for (var e : rates) m.put(e.getKey(), num(e.getValue()));
        return m;
    }

    private static Object num(double v) { return Double.isFinite(v) ? v : null; }

    private String summary(double epochX, boolean endOfEpoch, Training tr, Evaluation ev, double gradNorm, double seconds,
                           boolean improved) {
        String where = endOfEpoch ? String.format(Locale.ROOT, "epoch %d/%d", (int) epochX, settings.epochs)
                : String.format(Locale.ROOT, "epoch %.2f/%d", epochX, settings.epochs);
        StringBuilder rates = new StringBuilder();
        tr.figures().forEach((k, v) -> {
            if (k.endsWith("_per_s")) rates.append(String.format(Locale.ROOT, "  %,.0f %s/s", v, k.substring(0, k.length() - 6)));
        });
        return String.format(Locale.ROOT, "%s  %s  %s  |g| %.2f  %.1f s%s%s", where, tr.summary(), ev.summary(), gradNorm,
                seconds, rates, improved && ev.present() ? "  * best" : "");
    }

    private void plot(List<Map<String, Object>> history) {
        int n = history.size();
        double[] x = new double[n], trLoss = new double[n], vaLoss = new double[n], trAcc = new double[n], vaAcc = new double[n];
        for (int i = 0; i < n; i++) {
            Map<String, Object> r = history.get(i);
            x[i] = d(r.get("epoch"));
            trLoss[i] = d(r.get("train_loss"));
            vaLoss[i] = d(r.get("val_loss"));
            trAcc[i] = d(r.get("train_accuracy"));
            vaAcc[i] = d(r.get("val_accuracy"));
        }
        CurvePlot.write(settings.plotTitle, x, trLoss, vaLoss, trAcc, vaAcc, settings.out.resolve(settings.plotFile));
    }

    private static double d(Object o) { return o instanceof Number n ? n.doubleValue() : Double.NaN; }

    private AppException diverged(int epoch, int batchIndex, int batches, long step, UpdateGuard.Diverged d, MetricsLog metrics,
                                  Position at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "diverged");
        m.put("epoch", epoch);
        m.put("step", step);
        m.put("parameter", d.parameter());
        metrics.write(m);
        Path last = last();
        String keep = Files.exists(last) ? "The last good checkpoint is " + last + " (epoch "
                + (at.batch() == 0 ? Integer.toString(at.epochsDone()) : String.format(Locale.ROOT, "%d, batch %d", at.epochsDone() + 1, at.batch()))
                + "); nothing after it was saved."
                : "No checkpoint was written (this happened before the first evaluation).";
        return new AppException("training stopped at step " + step + " (epoch " + epoch + ", batch " + (batchIndex + 1) + " of "
                + batches + "): " + d.what() + ". " + keep + " Lower --lr (now " + (float) settings.schedule.lr()
                + ") or clip gradients with --clip-norm" + (settings.clipNorm > 0 ? " (now " + settings.clipNorm + ")" : "") + ".", d);
    }
}
