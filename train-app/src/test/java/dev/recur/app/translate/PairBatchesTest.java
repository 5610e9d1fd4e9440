package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.model.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairBatchesTest {
    @Test
    void fillsTimeMajorSourceAndTeacherForcedTarget() {
        TranslationTokenizer tok = new TranslationTokenizer(true);
        ParallelCorpus c = ParallelCorpus.of(List.of("a b c", "b"), List.of("x", "y z"), tok, 10);
        TranslationVocabulary sv = TranslationVocabulary.build(c.pairs().stream().map(SentencePair::source).toList(), 1);
        TranslationVocabulary tv = TranslationVocabulary.build(c.pairs().stream().map(SentencePair::target).toList(), 1);
        PairBatches pb = new PairBatches(c.pairs(), sv, tv);
        assertEquals(3, pb.maxSourceSteps());
        assertEquals(3, pb.maxTargetSteps());
        Batch src = new Batch(5, 4), tgt = new Batch(5, 4);
        pb.fill(new int[] {0, 1}, src, tgt);
        int a = sv.id("a"), b = sv.id("b"), cc = sv.id("c"), x = tv.id("x"), y = tv.id("y"), z = tv.id("z");
        assertEquals(3, src.steps());
        assertArrayEquals(new int[] {3, 1}, Arrays.copyOf(src.lengths(), 2));
        assertArrayEquals(new int[] {a, b, b, 0, cc, 0}, Arrays.copyOf(src.tokens(), 6));
        assertArrayEquals(new int[] {2, 3}, Arrays.copyOf(tgt.lengths(), 2));
        int bos = TranslationVocabulary.BOS, eos = TranslationVocabulary.EOS, ig = Batch.IGNORE;
        assertArrayEquals(new int[] {bos, bos, x, y, 0, z}, Arrays.copyOf(tgt.tokens(), 6), "decoder input: <bos> y…");
        assertArrayEquals(new int[] {x, y, eos, z, ig, eos}, Arrays.copyOf(tgt.targets(), 6), "decoder output: y… <eos>");
        src.checkLengths();
        tgt.checkLengths();
    }

    @Test
    void plansAreLengthBucketedDeterministicAndCoverEveryPair() {
        NumberTask.Sentences s = NumberTask.generate(500, 3);
        ParallelCorpus c = ParallelCorpus.of(s.source(), s.target(), new TranslationTokenizer(true), 50);
        TranslationVocabulary sv = TranslationVocabulary.build(c.pairs().stream().map(SentencePair::source).toList(), 1);
        TranslationVocabulary tv = TranslationVocabulary.build(c.pairs().stream().map(SentencePair::target).toList(), 1);
        PairBatches pb = new PairBatches(c.pairs(), sv, tv);
        List<int[]> plan = pb.trainingPlan(16, 7, 0);
        List<Integer> seen = new ArrayList<>();
        int spread = 0;
        for (int[] batch : plan) {
            int lo = Integer.MAX_VALUE, hi = 0;
            for (int i : batch) {
                seen.add(i);
                lo = Math.min(lo, pb.source(i).length);
                hi = Math.max(hi, pb.source(i).length);
            }
            spread = Math.max(spread, hi - lo);
            for (int k = 1; k < batch.length; k++) assertTrue(pb.source(batch[k - 1]).length >= pb.source(batch[k]).length, "longest first");
        }
        seen.sort(null);
        assertEquals(500, seen.size());
        for (int i = 0; i < 500; i++) assertEquals(i, seen.get(i));
        assertTrue(spread <= 2, "sources in a batch differ by at most 2 tokens, got " + spread);
        assertEquals(plan.stream().map(Arrays::toString).toList(), pb.trainingPlan(16, 7, 0).stream().map(Arrays::toString).toList());
        assertNotEquals(plan.stream().map(Arrays::toString).toList(), pb.trainingPlan(16, 7, 1).stream().map(Arrays::toString).toList());
    }
}
