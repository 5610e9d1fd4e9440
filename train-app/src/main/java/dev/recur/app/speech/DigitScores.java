package dev.recur.app.speech;

import java.util.Locale;

/** Loss, accuracy and the confusion matrix (rows: true digit, columns: predicted) of one evaluation. */
public record DigitScores(double loss, int correct, int total, int[][] confusion) {
    public double accuracy() { return total == 0 ? 0 : (double) correct / total; }

    /** The confusion matrix as a small table. */
    public String table() {
        StringBuilder s = new StringBuilder("true\\pred");
        for (int k = 0; k < confusion.length; k++) s.append(String.format(Locale.ROOT, "%5d", k));
        s.append('\n');
        for (int i = 0; i < confusion.length; i++) {
            s.append(String.format(Locale.ROOT, "%9d", i));
            for (int k = 0; k < confusion.length; k++) s.append(String.format(Locale.ROOT, "%5d", confusion[i][k]));
            s.append('\n');
        }
        return s.toString();
    }
}
