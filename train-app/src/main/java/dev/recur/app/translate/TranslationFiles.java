package dev.recur.app.translate;

import dev.recur.app.run.AtomicFiles;
import dev.recur.app.run.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The translations of a scored split as text files, for a person to read and for the sacreBLEU
 * check script ({@code train-app/src/test/python/check_bleu.sh PREFIX}): {@code NAME.hyp.tok} and
 * {@code NAME.ref.tok} (tokenized, tokens joined by single spaces: what {@link Bleu} scored),
 * {@code NAME.hyp.txt} (detokenized, {@link TranslationTokenizer#detokenize}), {@code NAME.ref.txt}
 * (the reference lines as in the target file) and {@code NAME.bleu.json} (the score and how the
 * text was tokenized). Each file is written atomically.
 */
public final class TranslationFiles {
    private TranslationFiles() {}

    /** Writes the five files {@code dir/NAME.*}; returns the prefix {@code dir/NAME}. */
    public static Path write(Path dir, String name, List<List<String>> hypotheses, List<List<String>> references,
                             List<String> rawReferences, double bleu, boolean lowerCase) {
        int n = hypotheses.size();
        if (references.size() != n || rawReferences.size() != n) {
            throw new IllegalArgumentException(n + " hypotheses, " + references.size() + " references, "
                    + rawReferences.size() + " reference lines");
        }
        StringBuilder hypTok = new StringBuilder(), refTok = new StringBuilder(), hypTxt = new StringBuilder(),
                refTxt = new StringBuilder();
        for (int i = 0; i < n; i++) {
            hypTok.append(String.join(" ", hypotheses.get(i))).append('\n');
            refTok.append(String.join(" ", references.get(i))).append('\n');
            hypTxt.append(TranslationTokenizer.detokenize(hypotheses.get(i))).append('\n');
            refTxt.append(rawReferences.get(i).replace('\n', ' ')).append('\n');
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("bleu", bleu);
        meta.put("sentences", n);
        meta.put("tokenizer", TranslationTokenizer.NAME);
        meta.put("lowercase", lowerCase);
        put(dir.resolve(name + ".hyp.tok"), hypTok);
        put(dir.resolve(name + ".ref.tok"), refTok);
        put(dir.resolve(name + ".hyp.txt"), hypTxt);
        put(dir.resolve(name + ".ref.txt"), refTxt);
        put(dir.resolve(name + ".bleu.json"), new StringBuilder(Json.write(meta)).append('\n'));
        return dir.resolve(name);
    }

    private static void put(Path file, CharSequence text) {
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
