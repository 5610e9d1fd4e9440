package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.TextFiles;
import dev.recur.app.data.Utf8;
import dev.recur.app.run.Json;
import dev.recur.layers.model.Seq2Seq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code translate predict}: translations of sentences from a checkpoint alone, one per line (or
 * one JSON object per sentence), and optionally their attention matrices as a PNG.
 */
public final class TranslatePredict {
    /** Largest standard input read. */
    static final int MAX_STDIN = 64 << 20;

    /** Sentences decoded at once. */
    static final int BATCH = 32;

    private final Io io;

    public TranslatePredict(Io io) { this.io = io; }

    public void run(Path checkpoint, List<String> given, int beam, double lengthPenalty, boolean json, Path png) {
        TranslateConfig cfg = TranslateCheckpoint.config(checkpoint);
        List<String> inputs = new ArrayList<>();
        for (String s : given.isEmpty() ? readLines() : given) if (!s.isBlank()) inputs.add(s);
        if (inputs.isEmpty()) throw AppException.usage("no sentence to translate: give sentences as arguments or lines on standard input");
        if (png != null) {
            if (inputs.size() > AttentionPlot.MAX_SENTENCES) {
                throw AppException.usage("--attention draws at most " + AttentionPlot.MAX_SENTENCES + " sentences, got " + inputs.size()
                        + "; give fewer sentences, or leave out --attention");
            }
            Path parent = png.toAbsolutePath().getParent();
            if (Files.isDirectory(png)) throw AppException.usage("--attention '" + png + "' is a folder; give a file name such as attention.png");
            if (parent != null && !Files.isDirectory(parent)) {
                throw AppException.usage("--attention '" + png + "': the folder " + parent + " does not exist");
            }
        }
        TranslationTokenizer tokenizer = cfg.tokenizer();
        List<List<String>> tokens = new ArrayList<>(inputs.size());
        int longest = 1;
        for (String s : inputs) {
            List<String> t = tokenizer.tokenize(s);
            if (t.isEmpty()) t = List.of(TranslationVocabulary.UNK_WORD);
            tokens.add(t);
            longest = Math.max(longest, t.size());
        }
        List<Translator.Result> results;
        try (Seq2Seq model = TranslateCheckpoint.load(checkpoint, cfg, longest, Math.max(BATCH, beam))) {
            Translator translator = new Translator(model, cfg, Math.min(BATCH, inputs.size()), lengthPenalty);
            results = translator.translate(tokens, beam);
            List<AttentionPlot.Matrix> plots = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                Translator.Result r = results.get(i);
                String text = TranslationTokenizer.detokenize(r.words());
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("source", inputs.get(i));
                    o.put("source_tokens", translator.seen(r.source()));
                    o.put("tokens", r.words());
                    o.put("translation", text);
                    o.put("log_prob", (double) r.translation().logProb());
                    o.put("score", (double) r.translation().score());
                    o.put("ended", r.translation().ended());
                    o.put("beam", beam);
                    io.out().println(Json.write(o));
                } else {
                    io.out().println(text);
                }
                if (png != null) {
                    List<String> out = new ArrayList<>(r.words());
                    float[][] w = r.translation().attention();
                    if (w.length == out.size() + 1) out.add(TranslationVocabulary.EOS_WORD);
                    plots.add(new AttentionPlot.Matrix(translator.seen(r.source()), out, w));
                }
            }
            if (png != null) {
                AttentionPlot.save(png, plots);
                io.progress().info("attention: " + png);
            }
        }
        io.out().flush();
    }

    private List<String> readLines() {
        String all = Utf8.decode(TextFiles.read(io.in(), MAX_STDIN, "standard input"), "standard input");
        List<String> lines = new ArrayList<>(List.of(all.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        return lines;
    }
}
