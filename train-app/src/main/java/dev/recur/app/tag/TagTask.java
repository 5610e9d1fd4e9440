package dev.recur.app.tag;

import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EpochMeter;
import dev.recur.app.run.PositionKeys;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the tagger gives {@link TrainingLoop}: its sentence batches in an order drawn from seed and
 * epoch, word dropout (each word of a training batch becomes {@code <unk>} with probability
 * {@code wordDropout}, from a stream seeded by seed and epoch), the per-token loss, and the
 * validation scores: token accuracy, or conlleval chunk F1 for the chunk column (the primary metric).
 */
final class TagTask implements TrainingLoop.Task {
    private final TagModel model;
    private final TagBatches train;
    private final TagBatches valBatches;
    private final List<Sentence> val;
    private final Map<String, String> meta;
    private final long seed;
    private final double wordDropout;
    private int[] order;
    private SplittableRandom drop;
    private final EpochMeter meter = new EpochMeter();
    private TagTrainer.Scores lastScores;

    TagTask(TagModel model, TagBatches train, TagBatches valBatches, List<Sentence> val, Map<String, String> meta, long seed,
            double wordDropout) {
        this.model = model;
        this.train = train;
        this.valBatches = valBatches;
        this.val = val;
        this.meta = new LinkedHashMap<>(meta);
        this.seed = seed;
        this.wordDropout = wordDropout;
    }

    /** The loop's position a {@code tag} checkpoint recorded (keys absent before the loop: one evaluation per epoch, at its end). */
    static TrainingLoop.Position position(Checkpoint ck, long steps) { return PositionKeys.STANDARD.read(ck, steps); }

    @Override
    public int planEpoch(int epoch, int first) {
        order = train.order(seed, epoch - 1);
        drop = new SplittableRandom(seed * 1_000_003L + (epoch - 1));
        for (int i = 0; i < first; i++) dropWords(train.batches().get(order[i])); // the draws of the batches already done
        meter.startEpoch();
        return order.length;
    }

    private int[] dropWords(TagBatches.Batch b) {
        int[] words = b.words().clone();
        if (wordDropout > 0) {
            for (int k = 0; k < words.length; k++) {
                if (words[k] != Lexicon.PAD && drop.nextDouble() < wordDropout) words[k] = Lexicon.UNK;
            }
        }
        return words;
    }

    @Override
    public float step(int index) {
        long s0 = System.nanoTime();
        TagBatches.Batch b = train.batches().get(order[index]);
        int[] words = dropWords(b);
        model.zeroGrad();
        float loss = model.step(b, words, true);
        long tok = 0;
        for (int len : b.lengths()) tok += len;
        meter.add(loss, tok, s0);
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", meter.meanLoss()),
                Field.detail("%,.0f tokens/s", meter.count() / meter.epochSeconds()));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", meter.meanLoss());
        m.put("tokens_per_s", meter.count() / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f", meter.meanLoss()));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        TagTrainer.Scores s = TagTrainer.evaluate(model, valBatches, val);
        lastScores = s;
        boolean chunks = model.config().column() == ConllReader.Column.CHUNK;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", s.loss());
        m.put("accuracy", s.accuracy());
        if (chunks) {
            m.put("precision", s.precision());
            m.put("recall", s.recall());
            m.put("f1", s.f1());
        }
        return new TrainingLoop.Evaluation(m, chunks ? "f1" : "accuracy", true, String.format(Locale.ROOT,
                "validation loss %.4f, accuracy %.2f %%%s", s.loss(), 100 * s.accuracy(),
                chunks ? String.format(Locale.ROOT, ", F1 %.2f", 100 * s.f1()) : ""));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        PositionKeys.STANDARD.write(m, at);
        m.put("train.dropout_calls", Long.toString(model.dropout().calls()));
        return m;
    }

    /** The scores of the last validation (null before the first). */
    TagTrainer.Scores lastScores() { return lastScores; }

    /** Training tokens per second over the run in this process. */
    double tokensPerSecond() { return meter.runUnitsPerSecond(); }
}
