package dev.recur.app.translate;

import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Translation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Translates tokenized sentences with a trained {@link Seq2Seq}: batches of similar length (longest
 * first), greedy decoding or beam search, each sentence's output stopped at {@code <eos>} or at a
 * length limit of {@code min(maxLength, 2·|source| + 10)} tokens (a translation rarely doubles the
 * length; the limit keeps a model that never says {@code <eos>} from running on). The batches
 * are {@code batchSize} sentences; the model splits them further for beam search (it runs
 * {@code maxBatch / beam} sentences at a time).
 */
public final class Translator {
    /** One translated sentence: the source tokens as the model saw them, the output words, and the search's result. */
    public record Result(List<String> source, List<String> words, Translation translation) { }

    private final Seq2Seq model;
    private final TranslateConfig cfg;
    private final int batchSize;
    private final float lengthPenalty;
    private final Batch source;

    /**
     * A translator over {@code model}, decoding up to {@code batchSize} sentences at a time; beam
     * search ranks finished hypotheses by {@code logProb / length^lengthPenalty}.
     */
    public Translator(Seq2Seq model, TranslateConfig cfg, int batchSize, double lengthPenalty) {
        this.model = model;
        this.cfg = cfg;
        this.batchSize = batchSize;
        this.lengthPenalty = (float) lengthPenalty;
        this.source = new Batch(model.maxSourceSteps(), batchSize);
    }

    /** The output length limit for a source of {@code sourceLength} tokens. */
    public int limit(int sourceLength) {
        return Math.max(1, Math.min(Math.min(cfg.maxLength(), model.maxTargetSteps() - 1), 2 * sourceLength + 10));
    }

    /** Translates {@code sentences} (tokenized; each at least one token) with beam {@code beam} (1: greedy); results in input order. */
    public List<Result> translate(List<List<String>> sentences, int beam) {
        int n = sentences.size();
        int[][] ids = new int[n][];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            ids[i] = cfg.source().ids(sentences.get(i));
            if (ids[i].length == 0) throw new IllegalArgumentException("sentence " + (i + 1) + " has no token");
            if (ids[i].length > model.maxSourceSteps()) {
                throw new IllegalArgumentException("sentence " + (i + 1) + " has " + ids[i].length + " tokens, more than the "
                        + model.maxSourceSteps() + " the model was built for");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ids[b].length, ids[a].length));
        Result[] out = new Result[n];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start), steps = ids[order[start]].length;
            source.reset(steps, b);
            Arrays.fill(source.tokens(), 0, steps * b, TranslationVocabulary.PAD);
            for (int j = 0; j < b; j++) {
                int[] s = ids[order[start + j]];
                source.lengths()[j] = s.length;
                for (int t = 0; t < s.length; t++) source.setToken(t, j, s[t]);
            }
            List<Translation> got = beam <= 1 ? model.greedy(source, limit(steps)) : model.beamSearch(source, beam, limit(steps), lengthPenalty);
            for (int j = 0; j < b; j++) {
                int i = order[start + j];
                Translation t = got.get(j);
                List<String> words = new ArrayList<>(t.tokens().length);
                for (int id : t.tokens()) words.add(cfg.target().word(id));
                out[i] = new Result(sentences.get(i), words, t);
            }
        }
        return Arrays.asList(out);
    }

    /** The source tokens as the model sees them: unknown words shown as {@code <unk>}. */
    public List<String> seen(List<String> sentence) {
        List<String> out = new ArrayList<>(sentence.size());
        for (String w : sentence) out.add(cfg.source().word(cfg.source().id(w)));
        return out;
    }
}
