package demo;

import dev.recur.app.data.Batcher;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Checkpoint;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The minimal program of docs/library.md: train a sentiment classifier on four texts, predict, save. */
public class Minimal {
    public static void main(String[] args) throws Exception {
        List<String> texts = List.of("a wonderful, moving film", "dull and far too long",
                "superb acting, loved it", "an awful, boring mess");
        int[] labels = {1, 0, 1, 0};

        Tokenizer tokenizer = new Tokenizer();
        Vocabulary vocabulary = Vocabulary.build(texts.stream().map(tokenizer::tokenize).toList(), 1000, 1);
        TextEncoder encoder = new TextEncoder(tokenizer, vocabulary, 50, TextEncoder.Truncation.END);
        int[][] ids = texts.stream().map(encoder::encode).toArray(int[][]::new);

        ModelConfig config = ModelConfig.defaults(CellType.LSTM, vocabulary.size()).withEmbedDim(16).withHidden(16);
        try (SequenceClassifier model = new SequenceClassifier(config, 42, 50, 4);
             Adam adam = new Adam(model.parameters(), 0.01)) {
            Batch batch = new Batch(50, 4);
            int[] order = new int[4];
            Batcher.fill(ids, labels, new int[] {0, 1, 2, 3}, batch, order); // row b holds text order[b]
            model.train(true);
            for (int step = 0; step < 100; step++) {
                model.zeroGrad();
                model.forward(batch);
                model.backward();
                adam.step();
            }
            model.eval();
            float[] positive = new float[4];
            model.predict(batch, positive); // positive[b] = P(label 1) of row b
            for (int b = 0; b < 4; b++) System.out.printf("%.3f %s%n", positive[b], texts.get(order[b]));
            Checkpoint.save(Path.of(args.length > 0 ? args[0] : "model.safetensors"), model, null,
                    Map.of("vocabulary", vocabulary.serialize()));
        }
    }
}
