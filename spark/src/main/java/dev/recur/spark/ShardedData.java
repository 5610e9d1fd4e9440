package dev.recur.spark;

import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.app.run.Fingerprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Text data turned into cached {@link Shard}s: rows → indexed examples → (on the executors)
 * tokens, the vocabulary's word counts, token ids → one shard per partition by index modulo the
 * partition count. The driver keeps only what batch plans need: every example's length.
 */
public final class ShardedData {
    private ShardedData() {}

    /** The examples of a frame's {@code textCol} and {@code labelCol}, indexed in the frame's order. */
    public static JavaRDD<LabeledText> examples(Dataset<Row> frame, String textCol, String labelCol) {
        return frame.select(textCol, labelCol).javaRDD().zipWithIndex().map(t -> {
            Row r = t._1();
            long i = t._2();
            Object text = r.get(0);
            if (!(text instanceof String s)) {
                throw new dev.recur.app.core.AppException("row " + (i + 1) + ": text column '" + textCol + "' holds "
                        + (text == null ? "nothing" : "a " + text.getClass().getSimpleName()) + ", not text");
            }
            return new LabeledText(i, s, Labels.of(r.get(1), labelCol, i));
        });
    }

    /**
     * The data's fingerprint (what {@code --resume} checks): every example's label and text in
     * order, hashed per partition and combined in partition order.
     */
    public static String fingerprint(JavaRDD<LabeledText> examples) {
        List<String> parts = examples.mapPartitions((Iterator<LabeledText> it) -> {
            Fingerprint f = new Fingerprint();
            long n = 0;
            while (it.hasNext()) {
                LabeledText e = it.next();
                f.add(e.label()).add(e.text());
                n++;
            }
            return List.of(n + ":" + f.hex()).iterator();
        }).collect();
        Fingerprint all = new Fingerprint();
        for (String p : parts) all.add(p);
        return all.hex();
    }

    /** Word counts of the examples' tokens, summed over the cluster. */
    public static Map<String, Long> wordCounts(JavaRDD<LabeledText> examples) {
        return examples.mapPartitions((Iterator<LabeledText> it) -> {
                    Tokenizer tok = new Tokenizer();
                    List<String> words = new ArrayList<>();
                    while (it.hasNext()) words.addAll(tok.tokenize(it.next().text()));
                    return words.iterator();
                })
                .mapToPair(w -> new Tuple2<>(w, 1L))
                .reduceByKey(Long::sum)
                .collectAsMap();
    }

    /** Sharded, encoded examples and their lengths (by index). */
    public record Encoded(JavaRDD<Shard> shards, int[] lengths) {
        public int size() { return lengths.length; }

        public int maxLength() { return Arrays.stream(lengths).max().orElse(0); }

        public void release() { shards.unpersist(false); }
    }

    /**
     * Encodes {@code examples} (their {@link LabeledText#index()} must run 0 … n−1) with
     * {@code encoder}'s rules on the executors into {@code partitions} cached shards.
     */
    public static Encoded encode(JavaSparkContext sc, JavaRDD<LabeledText> examples, TextEncoder encoder, int partitions) {
        Broadcast<String> vocab = sc.broadcast(encoder.vocabulary().serialize());
        int maxLen = encoder.maxLen();
        TextEncoder.Truncation truncation = encoder.truncation();
        JavaRDD<Shard> shards = examples
                .mapPartitionsToPair((Iterator<LabeledText> it) -> {
                    TextEncoder enc = new TextEncoder(new Tokenizer(), Vocabulary.deserialize(vocab.value(), "the broadcast vocabulary"),
                            maxLen, truncation);
                    List<Tuple2<Long, Tuple2<int[], Integer>>> out = new ArrayList<>();
                    while (it.hasNext()) {
                        LabeledText e = it.next();
                        out.add(new Tuple2<>(e.index(), new Tuple2<>(enc.encode(e.text()), e.label())));
                    }
                    return out.iterator();
                })
                .partitionBy(new ModuloPartitioner(partitions))
                .mapPartitions((Iterator<Tuple2<Long, Tuple2<int[], Integer>>> it) -> {
                    List<Tuple2<Long, Tuple2<int[], Integer>>> rows = new ArrayList<>();
                    it.forEachRemaining(rows::add);
                    rows.sort(Comparator.comparingLong(Tuple2::_1));
                    int n = rows.size();
                    int[] index = new int[n], labels = new int[n];
                    int[][] seqs = new int[n][];
                    for (int i = 0; i < n; i++) {
                        index[i] = Math.toIntExact(rows.get(i)._1());
                        seqs[i] = rows.get(i)._2()._1();
                        labels[i] = rows.get(i)._2()._2();
                    }
                    return List.of(new Shard(index, seqs, labels)).iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        List<Tuple2<int[], int[]>> parts = shards.map(s -> new Tuple2<>(s.index(), s.lengths())).collect();
        int n = 0;
        for (Tuple2<int[], int[]> p : parts) n += p._1().length;
        int[] lengths = new int[n];
        for (Tuple2<int[], int[]> p : parts) for (int i = 0; i < p._1().length; i++) lengths[p._1()[i]] = p._2()[i];
        return new Encoded(shards, lengths);
    }
}
