package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.TrainingLoop;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Seq2SeqConfig;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a translation model through the shared {@link TrainingLoop} (validation loss, BLEU and
 * exact match every epoch; BLEU picks {@code best.safetensors}; early stopping, time limit,
 * resume), then scores the test pairs once with the best checkpoint (beam search when asked) and
 * writes their translations ({@link TranslationFiles}, prefix {@code out/test}).
 */
public final class TranslateTrainer {
    /** The checkpoint task name. */
    public static final String TASK = "translate";

    /** Everything {@code translate} is told. */
    public record Options(TranslateData.Files files, boolean lowerCase, int minCount, int maxLength,
                          CellType cell, int layers, boolean bidirectional, int embed, int hidden, AttentionScore attention,
                          int attentionDim, boolean inputFeeding, boolean tieEmbeddings, double teacherForcing,
                          double labelSmoothing, double dropout, int batch, int epochs, double timeLimitMinutes, LrSchedule schedule,
                          OptimizerKind optimizer, Double momentum, Double weightDecay, double clipNorm, double clipValue, int patience, int beam, double lengthPenalty, long seed, Path out,
                          boolean resume, Map<String, String> runOptions) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
        }
    }

    /** What a run ended with: the last validation figures, the test figures (NaN without test data), the best checkpoint. */
    public record Result(double validBleu, double validExact, double testBleu, double testExact, int epochs, String reason,
                         Path best) { }

    private final Io io;
    private int stopAfterEpoch = Integer.MAX_VALUE;

    public TranslateTrainer(Io io) { this.io = io; }

    /** Test hook: stop after epoch {@code n} as a kill would (see {@link TrainingLoop#stopAfterEpoch}). */
    public TranslateTrainer stopAfterEpoch(int n) {
        stopAfterEpoch = n;
        return this;
    }

    public Result run(Options o) {
        TranslationTokenizer tokenizer = new TranslationTokenizer(o.lowerCase());
        TranslateData data = TranslateData.load(o.files(), tokenizer, o.maxLength(), o.seed());
        Path last = RunFolder.prepare(o.out(), o.resume());
        Checkpoint resumed = o.resume() ? Checkpoint.read(last, TASK, "translate") : null;
        String fingerprint = data.fingerprint();
        if (resumed != null) {
            resumed.requireData(fingerprint, "other sentence pairs than " + data.describe()
                    + "; resume with the same training and validation files and the same --lowercase and --max-length");
        }
        TranslateConfig cfg = resumed != null ? TranslateConfig.fromMetadata(resumed.metadata(), last.toString()) : config(o, data);
        PairBatches train = new PairBatches(data.train().pairs(), cfg.source(), cfg.target());
        PairBatches valid = new PairBatches(data.valid().pairs(), cfg.source(), cfg.target());
        PairBatches test = data.test() == null ? null : new PairBatches(data.test().pairs(), cfg.source(), cfg.target());
        int maxSource = Math.max(train.maxSourceSteps(), valid.maxSourceSteps());
        if (test != null) maxSource = Math.max(maxSource, test.maxSourceSteps());
        int maxTarget = cfg.maxLength() + 1;
        io.progress().info(data.summary());
        Seq2SeqConfig m = cfg.model();
        io.progress().info(String.format(Locale.ROOT, "translate: %s%s encoder ×%d (hidden %d), %s decoder (hidden %d), %s attention%s, "
                        + "embed %d; vocabularies %,d source and %,d target words (min count %d)",
                m.bidirectional() ? "bidirectional " : "", name(m.cell()), m.encoderLayers(), m.encoderHidden(), name(m.cell()),
                m.decoderHidden(), m.attention().name().toLowerCase(Locale.ROOT), m.inputFeeding() ? " with input feeding" : "",
                m.embedDim(), cfg.source().size(), cfg.target().size(), o.minCount()));
        try (Seq2Seq model = new Seq2Seq(m, o.seed(), maxSource, maxTarget, Math.max(o.batch(), o.beam()));
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.schedule().lr(), o.momentum(), o.weightDecay())) {
            io.progress().info(String.format(Locale.ROOT, "%,d parameters; %s", model.parameterCount(), describeRun(o)));
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.restoreRngState(resumed.rngState());
                from = TranslateTask.position(resumed);
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, from.epochsDone()));
            }
            Map<String, String> runMeta = Checkpoint.runMetadata(Map.of(), o.runOptions(), fingerprint);
            TranslateTask task = new TranslateTask(model, cfg, train, valid, data.valid().pairs(), o.batch(), o.seed(), runMeta);
            TrainingLoop loop = new TrainingLoop(new TrainingLoop.Settings(o.out(), TASK, o.epochs(), 0, 0, o.patience(),
                    o.schedule(), o.clipNorm(), o.clipValue(), o.timeLimitMinutes(), "pairs", "Translation", "training-curves.png", false),
                    task, opt, model.parameters(), model.parameters(), io).stopAfterEpoch(stopAfterEpoch);
            TrainingLoop.Outcome outcome = loop.run(from);
            double vb = outcome.last() == null ? Double.NaN : outcome.last().metrics().get("bleu");
            double ve = outcome.last() == null ? Double.NaN : outcome.last().metrics().get("exact");
            if (outcome.interrupted() || test == null) {
                if (test == null) io.progress().result("no test files given (--test-source, --test-target): no test score");
                io.progress().result("checkpoints: " + loop.last() + ", " + loop.best() + "\nmetrics: " + loop.metricsFile());
                return new Result(vb, ve, Double.NaN, Double.NaN, outcome.at().epochsDone(), outcome.reason(), loop.best());
            }
            // test once, with the best checkpoint
            Checkpoint.read(loop.best(), TASK, "translate").loadParameters(model.parameters());
            Translator translator = new Translator(model, cfg, o.batch(), o.lengthPenalty());
            long t0 = System.nanoTime();
            TranslateTask.Scores ts = TranslateTask.decodeScores(translator, data.test().pairs(), o.beam(), Double.NaN);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<List<String>> refs = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            for (SentencePair p : data.test().pairs()) {
                refs.add(p.target());
                raw.add(data.test().targetLine(p));
            }
            Path prefix = TranslationFiles.write(o.out(), "test", ts.hypotheses(), refs, raw, ts.bleu(), cfg.lowerCase());
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("event", "test");
            rec.put("checkpoint", loop.best().toString());
            rec.put("beam", o.beam());
            rec.put("test_bleu", ts.bleu());
            rec.put("test_exact", ts.exact());
            rec.put("test_pairs", data.test().pairs().size());
            rec.put("decode_pairs_per_s", data.test().pairs().size() / seconds);
            try (MetricsLog metrics = MetricsLog.append(loop.metricsFile())) {
                metrics.write(rec);
            }
            io.progress().result(String.format(Locale.ROOT, "test (best epoch by validation BLEU, %s): BLEU %.2f, exact match %.2f %% "
                            + "of %,d pairs (%,.0f pairs/s)", o.beam() <= 1 ? "greedy" : "beam " + o.beam(), ts.bleu(), 100 * ts.exact(),
                    data.test().pairs().size(), data.test().pairs().size() / seconds));
            io.progress().result("checkpoints: " + loop.last() + ", " + loop.best() + "\nmetrics: " + loop.metricsFile()
                    + "\ntest translations: " + prefix + ".hyp.txt (and .hyp.tok, .ref.tok, .ref.txt, .bleu.json)");
            return new Result(vb, ve, ts.bleu(), ts.exact(), outcome.at().epochsDone(), outcome.reason(), loop.best());
        }
    }

    /** Vocabularies from the training pairs and the model's configuration from the options. */
    static TranslateConfig config(Options o, TranslateData data) {
        List<List<String>> src = new ArrayList<>(), tgt = new ArrayList<>();
        for (SentencePair p : data.train().pairs()) {
            src.add(p.source());
            tgt.add(p.target());
        }
        TranslationVocabulary sv = TranslationVocabulary.build(src, o.minCount()), tv = TranslationVocabulary.build(tgt, o.minCount());
        Seq2SeqConfig m;
        try {
            m = new Seq2SeqConfig(o.cell(), sv.size(), tv.size(), o.embed(), o.hidden(), o.layers(), o.bidirectional(), o.hidden(),
                    o.attention(), o.attentionDim(), o.inputFeeding(), o.tieEmbeddings(), (float) o.teacherForcing(),
                    (float) o.labelSmoothing(), (float) o.dropout(), TranslationVocabulary.BOS, TranslationVocabulary.EOS);
        } catch (IllegalArgumentException e) {
            throw AppException.usage(e.getMessage());
        }
        return new TranslateConfig(m, sv, tv, o.lowerCase(), o.maxLength());
    }

    private static String name(CellType c) { return c.name().toUpperCase(Locale.ROOT); }

    private static String describeRun(Options o) {
        return String.format(Locale.ROOT, "batch %d, %s lr %s, teacher forcing %.2f, label smoothing %.2f, dropout %.2f, clip %.1f",
                o.batch(), o.optimizer(), o.schedule().lr(), o.teacherForcing(), o.labelSmoothing(), o.dropout(), o.clipNorm());
    }
}
