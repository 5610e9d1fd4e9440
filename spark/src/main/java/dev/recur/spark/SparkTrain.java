package dev.recur.spark;

import dev.recur.app.cli.ModelOptions;
import dev.recur.app.cli.TrainingOptions;
import dev.recur.app.cli.ThreadsOption;
import dev.recur.app.cli.SeedOption;
import dev.recur.app.cli.ClassifierOptions;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.run.RunFolder;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.engine.Engine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code spark-submit} entry point: trains the sentiment classifier data-parallel on the
 * cluster Spark runs it on ({@link SparkTrainer}), with the app's model and training options.
 * See docs/spark.md for the command and the JVM options.
 */
@Command(name = "recur-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a sentiment classifier (RNN, LSTM or GRU) data-parallel on Apache Spark.",
            "Writes last.safetensors (every epoch), best.safetensors and metrics.jsonl under --out, as `train` does."})
public final class SparkTrain implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions model = new ModelOptions();
    @Mixin ClassifierOptions shape = new ClassifierOptions();
    @Mixin TrainingOptions training = new TrainingOptions();
    @Mixin SeedOption seed = new SeedOption();
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(names = "--tbptt", paramLabel = "N", description = "Truncated backprop through time: gradients flow back at most N steps (0 = full BPTT). Default: ${DEFAULT-VALUE}.")
    int tbptt = 0;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Training data (a file, folder or glob Spark reads; for imdb an aclImdb/ folder or aclImdb_v1.tar.gz on the driver).")
    String data;

    @Option(names = "--format", paramLabel = "imdb|parquet|csv|json|text", description = "Format of --data: imdb, parquet, csv (with a header), json (JSON lines), text (label<TAB>text lines). Default: ${DEFAULT-VALUE}.")
    SentimentInput.Format format = SentimentInput.Format.imdb;

    @Option(names = "--test-data", paramLabel = "PATH", description = "Test data in --format (imdb: its test split). Default: none.")
    String testData;

    @Option(names = "--text-col", paramLabel = "NAME", description = "Text column (parquet, csv, json). Default: ${DEFAULT-VALUE}.")
    String textCol = "text";

    @Option(names = "--label-col", paramLabel = "NAME", description = "Label column: 0/1, true/false or neg/pos. Default: ${DEFAULT-VALUE}.")
    String labelCol = "label";

    @Option(names = "--partitions", paramLabel = "N", description = "Shards of the training data, one task each per step. Default: Spark's default parallelism.")
    Integer partitions;

    @Option(names = "--sync-every", paramLabel = "K", description = "Local steps between parameter averages; 1 = synchronous SGD (one Spark job per step). Default: ${DEFAULT-VALUE}.")
    int syncEvery = 1;

    @Option(names = "--max-len", paramLabel = "N", description = "Words kept per text. Default: ${DEFAULT-VALUE}.")
    int maxLen = 400;

    @Option(names = "--truncate", paramLabel = "start|end", description = "Which part of a longer text is kept. Default: ${DEFAULT-VALUE}.")
    TruncateKind truncate = TruncateKind.end;

    @Option(names = "--validation-split", paramLabel = "F", description = "Fraction of the training data held out for validation, in [0, 0.5]. Default: ${DEFAULT-VALUE}.")
    double validationSplit = 0.1;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder on the driver.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last.safetensors (e.g. after the driver died); --epochs may be raised.")
    boolean resume;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when not started by spark-submit, e.g. local[4]. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--stop-after-epoch", hidden = true, paramLabel = "N", description = "Stop after epoch N as an interruption would (tests).")
    int stopAfterEpoch = Integer.MAX_VALUE;

    private final PrintStream log;

    SparkTrain(PrintStream log) { this.log = log; }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command; returns the exit code (0, 1 for a failure, 2 for a usage error). */
    static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new SparkTrain(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("recur-spark: " + ex.getMessage() + " (see --help)");
            return AppException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            // a task's AppException reaches the driver as the cause of Spark's job failure
            AppException a = null;
            for (Throwable t = ex; t != null && a == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof AppException e) a = e;
            }
            String first = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
            err.println("recur-spark: " + (a != null ? a.getMessage() : AppException.plain(first)));
            return a != null ? a.exitCode() : 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        if (!Engine.vectorApiAvailable()) {
            throw AppException.usage("the Vector API module is missing: add --driver-java-options and spark.executor.extraJavaOptions "
                    + "with " + Engine.VECTOR_FLAG + " (see docs/spark.md)");
        }
        model.check();
        training.check();
        if (syncEvery < 1 || syncEvery > 100_000) throw AppException.usage("--sync-every must be in [1, 100000], got " + syncEvery);
        shape.check();
        if (training.epochs < 1) throw AppException.usage("--epochs must be ≥ 1, got " + training.epochs);
        if (maxLen < 1) throw AppException.usage("--max-len must be ≥ 1, got " + maxLen);
        if (!(validationSplit >= 0 && validationSplit <= 0.5)) throw AppException.usage("--validation-split must be in [0, 0.5], got " + validationSplit);
        if (partitions != null && partitions < 1) throw AppException.usage("--partitions must be ≥ 1, got " + partitions);
        boolean threadsGiven = spec.commandLine().getParseResult().hasMatchedOption("--threads");
        SparkConf conf = new SparkConf().setAppName("recur-spark");
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            TrainConfig cfg;
            SentimentCheckpoint from = null;
            if (resume) {
                Path last = RunFolder.prepare(out, true);
                from = SentimentCheckpoint.load(last);
                TrainConfig stored = from.trainConfig();
                boolean epochsGiven = spec.commandLine().getParseResult().hasMatchedOption("--epochs");
                cfg = stored.withEpochsAndThreads(epochsGiven ? training.epochs : stored.epochs(), threadsGiven ? threads.threads : stored.threads());
                if (from.state().epoch() >= cfg.epochs()) {
                    throw AppException.usage("the run in '" + out + "' has already done " + from.state().epoch() + " of "
                            + cfg.epochs() + " epochs; pass a larger --epochs to train further");
                }
                log.println("resuming " + last + " after epoch " + from.state().epoch() + " of " + cfg.epochs());
            } else {
                RunFolder.prepare(out, false);
                cfg = new TrainConfig(model.model, model.layers, shape.bidirectional, model.hidden, shape.embed, shape.vocabSize,
                        shape.pool, model.dropout, maxLen, truncate, training.batch, training.epochs, training.lr, training.optimizer,
                        training.momentum(), training.weightDecay(), training.clipNorm, training.clipValue, tbptt,
                        seed.seed, threadsGiven ? threads.threads : 1, validationSplit, data, training.lrSchedule, null,
                        FreezeKind.none, training.patience, training.lrWarmup, training.lrStepAfter, training.lrStepFactor);
            }
            int p = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
            SentimentInput.Data train = SentimentInput.read(spark, format, data, textCol, labelCol, p);
            var test = train.test();
            if (testData != null) test = SentimentInput.read(spark, format, testData, textCol, labelCol, p).train();
            SparkSettings settings = new SparkSettings(p, syncEvery, cfg.threads(), TaskFault.NONE);
            SparkTrainer.Result r = new SparkTrainer(spark, cfg, settings, out, log).stopAfterEpoch(stopAfterEpoch)
                    .run(train.train(), test, from);
            log.printf("outputs in %s/: %s (best, epoch %d), %s (epoch %d, for --resume), %s; %d rounds in %.1f s%n", out,
                    RunFolder.BEST, r.state().bestEpoch(), RunFolder.LAST, r.state().epoch(), RunFolder.METRICS, r.rounds(),
                    r.trainSeconds());
            return 0;
        } finally {
            spark.stop();
        }
    }
}
