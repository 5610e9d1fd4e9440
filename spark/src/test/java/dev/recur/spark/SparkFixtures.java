package dev.recur.spark;

import dev.recur.app.data.Review;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** What the tests of other packages share: the one local Spark session and balanced review subsets. */
public final class SparkFixtures {
    private SparkFixtures() {}

    public static SparkSession spark() { return LocalSpark.get(); }

    /** The first n/2 positive and the first n/2 negative reviews. */
    public static List<Review> balanced(List<Review> reviews, int n) { return TinyImdb.balanced(reviews, n); }
}
