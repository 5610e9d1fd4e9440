package dev.recur.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import dev.recur.app.data.Review.Split;
import dev.recur.spark.SparkFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimator in a Pipeline on local[2]: fit on a frame of reviews (after another stage that
 * renames columns), transform adds prediction and probability, the model learns (better than
 * chance on held-out reviews), and a saved PipelineModel loads and predicts the same numbers.
 */
class PipelineTest {
    @TempDir Path tmp;

    static Dataset<Row> frame(SparkSession spark, List<Review> reviews) {
        List<Row> rows = new ArrayList<>();
        for (Review r : reviews) rows.add(RowFactory.create(r.text(), r.positive()));
        StructType schema = new StructType().add("review", DataTypes.StringType).add("positive", DataTypes.BooleanType);
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    @Test
    void fitsTransformsSavesAndLoadsInAPipeline() throws java.io.IOException {
        SparkSession spark = SparkFixtures.spark();
        ImdbDataset ds = ImdbDataset.loadEmbeddedSample(EnumSet.of(Split.TRAIN, Split.TEST));
        Dataset<Row> train = frame(spark, SparkFixtures.balanced(ds.train(), 1200));
        Dataset<Row> test = frame(spark, SparkFixtures.balanced(ds.test(), 300));

        RecurSentimentClassifier lstm = new RecurSentimentClassifier().setTextCol("text").setLabelCol("label")
                .setHidden(24).setEmbed(24).setVocabSize(2000).setMaxLen(100).setBatchSize(32).setEpochs(3)
                .setLearningRate(0.01).setPartitions(2);
        SQLTransformer rename = new SQLTransformer().setStatement("SELECT review AS text, positive AS label FROM __THIS__");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {rename, lstm});
        PipelineModel fitted = pipeline.fit(train);

        List<Row> out = fitted.transform(test).select("label", "prediction", "probability").collectAsList();
        assertEquals(300, out.size());
        int correct = 0;
        for (Row r : out) {
            Vector p = r.getAs("probability");
            assertEquals(1.0, p.apply(0) + p.apply(1), 1e-6);
            assertEquals(p.apply(1) >= 0.5 ? 1.0 : 0.0, r.getDouble(1));
            if ((r.getDouble(1) == 1.0) == r.getBoolean(0)) correct++;
        }
        assertTrue(correct > 0.6 * out.size(), "accuracy on held-out reviews " + correct + "/300");

        String path = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> again = loaded.transform(test).select("probability").collectAsList();
        for (int i = 0; i < out.size(); i++) {
            assertArrayEquals(((Vector) out.get(i).getAs("probability")).toArray(), ((Vector) again.get(i).getAs(0)).toArray(), 0.0);
        }
        RecurSentimentModel model = (RecurSentimentModel) loaded.stages()[1];
        assertEquals("text", model.getOrDefault(model.textCol()));

        String estimatorPath = tmp.resolve("estimator").toString();
        lstm.write().save(estimatorPath);
        RecurSentimentClassifier back = RecurSentimentClassifier.load(estimatorPath);
        assertEquals(24, (int) (Integer) back.getOrDefault(back.hidden()));
    }
}
