package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Json;
import dev.recur.layers.model.Seq2Seq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code translate eval}: corpus BLEU and exact match of a checkpoint on a pair of parallel files
 * (tokenized as the model was trained; pairs without a word on a side are skipped and counted,
 * every other pair is scored, however long).
 */
public final class TranslateEval {
    private final Io io;

    public TranslateEval(Io io) { this.io = io; }

    public Map<String, Object> run(Path checkpoint, Path source, Path target, int beam, double lengthPenalty, int batch, Path dir,
                                   boolean json) {
        TranslateConfig cfg = TranslateCheckpoint.config(checkpoint);
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw AppException.usage("--write-text '" + dir + "' is a file, not a folder; choose another");
        }
        ParallelCorpus corpus = ParallelCorpus.read(source, target, cfg.tokenizer(), Integer.MAX_VALUE, TranslateData.MAX_BYTES);
        if (corpus.pairs().isEmpty()) {
            throw new AppException(source + " and " + target + " have no pair with a word on both sides to score");
        }
        int longest = 1;
        for (SentencePair p : corpus.pairs()) longest = Math.max(longest, p.source().size());
        int b = Math.min(batch, corpus.pairs().size());
        TranslateTask.Scores s;
        double seconds;
        try (Seq2Seq model = TranslateCheckpoint.load(checkpoint, cfg, longest, Math.max(b, beam))) {
            long t0 = System.nanoTime();
            s = TranslateTask.decodeScores(new Translator(model, cfg, b, lengthPenalty), corpus.pairs(), beam, Double.NaN);
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("checkpoint", checkpoint.toString());
        r.put("source", source.toString());
        r.put("target", target.toString());
        r.put("pairs", corpus.pairs().size());
        r.put("skipped", corpus.skippedNoWords());
        r.put("beam", beam);
        r.put("length_penalty", lengthPenalty);
        r.put("bleu", s.bleu());
        r.put("exact", s.exact());
        r.put("pairs_per_s", corpus.pairs().size() / seconds);
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new AppException("cannot create --write-text folder '" + dir + "': " + e.getMessage(), e);
            }
            List<List<String>> refs = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            for (SentencePair p : corpus.pairs()) {
                refs.add(p.target());
                raw.add(corpus.targetLine(p));
            }
            String name = target.getFileName().toString();
            r.put("text", TranslationFiles.write(dir, name, s.hypotheses(), refs, raw, s.bleu(), cfg.lowerCase()).toString());
        }
        if (json) {
            io.out().println(Json.write(r));
        } else {
            io.out().printf(Locale.ROOT, "%s: %,d pairs%s, %s: BLEU %.2f (tokenized, %s), exact match %.2f %%, %,.0f pairs/s%n",
                    target.getFileName(), corpus.pairs().size(),
                    corpus.skippedNoWords() > 0 ? String.format(Locale.ROOT, " (%,d skipped: no word on a side)", corpus.skippedNoWords()) : "",
                    beam <= 1 ? "greedy" : "beam " + beam, s.bleu(), cfg.lowerCase() ? "lower-cased" : "cased", 100 * s.exact(),
                    corpus.pairs().size() / seconds);
            if (dir != null) io.out().println("translations: " + r.get("text") + ".hyp.txt");
        }
        io.out().flush();
        return r;
    }
}
