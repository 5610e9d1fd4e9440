package dev.recur.app.translate;

import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Json;
import dev.recur.app.run.PositionKeys;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the translation model gives {@link TrainingLoop}: length-bucketed batches of training pairs
 * (a pure function of seed and epoch), the encoder–decoder's forward and backward pass (teacher
 * forcing at the configured ratio), and an evaluation on the validation pairs: the teacher-forced
 * loss per target token, and corpus BLEU and exact match of greedy translations — BLEU is the
 * primary metric (higher is better).
 */
final class TranslateTask implements TrainingLoop.Task {
    /** Metadata keys of the loop's position. */
    static final PositionKeys KEYS = new PositionKeys("train.epochs_done", "train.batch", "train.steps", "train.evaluations",
            "train.best", "train.best_at");
    /** Metadata key of the evaluations' history. */
    static final String K_HISTORY = "train.history";

    private final Seq2Seq model;
    private final TranslateConfig cfg;
    private final PairBatches train, valid;
    private final List<SentencePair> validPairs;
    private final int batchSize;
    private final long seed;
    private final Map<String, String> runMeta;
    private final Batch src, tgt;
    private final Translator translator;
    private List<int[]> plan;
    private double lossSum;
    private long lossTokens, pairs, sourceTokens;

    /**
     * {@code runMeta}: the run's own metadata (options, data fingerprint) written with every
     * checkpoint besides the configuration and the position.
     */
    TranslateTask(Seq2Seq model, TranslateConfig cfg, PairBatches train, PairBatches valid, List<SentencePair> validPairs,
                  int batchSize, long seed, Map<String, String> runMeta) {
        this.model = model;
        this.cfg = cfg;
        this.train = train;
        this.valid = valid;
        this.validPairs = validPairs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.runMeta = Map.copyOf(runMeta);
        int steps = Math.max(train.maxSourceSteps(), valid.maxSourceSteps()),
                tsteps = Math.max(train.maxTargetSteps(), valid.maxTargetSteps());
        this.src = new Batch(steps, batchSize);
        this.tgt = new Batch(tsteps, batchSize);
        this.translator = new Translator(model, cfg, batchSize, 1.0);
    }

    /** The position a checkpoint of this task recorded. */
    static TrainingLoop.Position position(Checkpoint ck) { return KEYS.read(ck); }

    @Override
    public int planEpoch(int epoch, int first) {
        plan = train.trainingPlan(batchSize, seed, epoch);
        lossSum = 0;
        lossTokens = pairs = sourceTokens = 0;
        return plan.size();
    }

    @Override
    public long units(int batches) { return train.size(); }

    @Override
    public long unitsDone(int batchesDone) {
        long n = 0;
        for (int i = 0; i < batchesDone && i < plan.size(); i++) n += plan.get(i).length;
        return n;
    }

    @Override
    public float step(int index) {
        int[] members = plan.get(index);
        train.fill(members, src, tgt);
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(src, tgt);
        if (Float.isFinite(loss)) model.backward();
        long tokens = 0;
        for (int i = 0; i < members.length; i++) {
            tokens += tgt.lengths()[i];
            sourceTokens += src.lengths()[i];
        }
        lossSum += (double) loss * tokens;
        lossTokens += tokens;
        pairs += members.length;
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", lossSum / Math.max(1, lossTokens)));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        double loss = lossSum / Math.max(1, lossTokens);
        m.put("train_loss", loss);
        m.put("pairs_per_s", pairs / seconds);
        m.put("tokens_per_s", (lossTokens + sourceTokens) / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f", loss));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        Scores s = score(model, translator, valid, validPairs, src, tgt, batchSize);
        model.train(true);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", s.loss());
        m.put("bleu", s.bleu());
        m.put("exact", s.exact());
        return new TrainingLoop.Evaluation(m, "bleu", true, String.format(Locale.ROOT, "val loss %.4f BLEU %.2f exact %.1f%%",
                s.loss(), s.bleu(), 100 * s.exact()));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(cfg.toMetadata());
        m.putAll(runMeta);
        m.putAll(model.rngState());
        KEYS.write(m, at);
        m.put(K_HISTORY, Json.write(history));
        return m;
    }

    /** Loss, BLEU and exact match of a split. */
    record Scores(double loss, double bleu, double exact, List<List<String>> hypotheses) { }

    /**
     * The teacher-forced loss per target token of {@code pairs} and the BLEU and exact match of
     * their greedy translations (hypotheses in the pairs' order); the model is left in evaluation mode.
     */
    static Scores score(Seq2Seq model, Translator translator, PairBatches batches, List<SentencePair> pairs, Batch src, Batch tgt,
                        int batchSize) {
        model.eval();
        double lossSum = 0;
        long tokens = 0;
        for (int[] members : batches.evaluationPlan(batchSize)) {
            batches.fill(members, src, tgt);
            float loss = model.forward(src, tgt);
            long t = 0;
            for (int i = 0; i < members.length; i++) t += tgt.lengths()[i];
            lossSum += (double) loss * t;
            tokens += t;
        }
        return decodeScores(translator, pairs, 1, tokens == 0 ? Double.NaN : lossSum / tokens);
    }

    /** BLEU and exact match of the translations of {@code pairs} (beam {@code beam}). */
    static Scores decodeScores(Translator translator, List<SentencePair> pairs, int beam, double loss) {
        List<List<String>> sources = new ArrayList<>(pairs.size());
        for (SentencePair p : pairs) sources.add(p.source());
        List<Translator.Result> got = translator.translate(sources, beam);
        Bleu bleu = new Bleu();
        List<List<String>> hyps = new ArrayList<>(pairs.size());
        int exact = 0;
        for (int i = 0; i < pairs.size(); i++) {
            List<String> h = got.get(i).words();
            hyps.add(h);
            bleu.add(h, pairs.get(i).target());
            if (h.equals(pairs.get(i).target())) exact++;
        }
        return new Scores(loss, bleu.score(), pairs.isEmpty() ? Double.NaN : (double) exact / pairs.size(), hyps);
    }
}
