package dev.recur.app.data;

/**
 * One labelled IMDB review.
 *
 * @param split    {@code train} or {@code test}
 * @param positive true for {@code pos} (rating 7–10), false for {@code neg} (rating 1–4)
 * @param id       the number before the underscore in {@code ID_RATING.txt}
 * @param rating   the number after it (1–10)
 * @param text     the review, decoded as UTF-8, HTML breaks still in it
 */
public record Review(Split split, boolean positive, int id, int rating, String text) {

    /** The two labelled parts of the dataset. */
    public enum Split {
        TRAIN("train"), TEST("test");

        private final String folder;

        Split(String folder) { this.folder = folder; }

        /** The folder name in the aclImdb layout. */
        public String folder() { return folder; }
    }

    /** Class index used by the model: 1 = positive, 0 = negative. */
    public int label() { return positive ? 1 : 0; }

    /** Where the review came from, in the dataset layout, e.g. {@code train/pos/12_9.txt}. */
    public String path() {
        return split.folder() + "/" + (positive ? "pos" : "neg") + "/" + id + "_" + rating + ".txt";
    }
}
