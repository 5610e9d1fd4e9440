package dev.recur.app.translate;

import dev.recur.app.run.Plots;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws attention matrices as heat maps into one PNG: per sentence one panel, source words along
 * the x axis (left to right), output words along the y axis (first output word on top), the weight
 * each output step gave each source word as the cell's colour (white 0 to dark blue 1; every row
 * sums to 1). Panels are stacked top to bottom in input order.
 */
public final class AttentionPlot {
    /** Most sentences drawn into one file (a taller picture is not readable any more). */
    public static final int MAX_SENTENCES = 20;

    /** One sentence: its source tokens, the output tokens, and {@code weights[output][source]}. */
    public record Matrix(List<String> source, List<String> output, float[][] weights) {
        public Matrix {
            source = List.copyOf(source);
            output = List.copyOf(output);
            if (weights.length != output.size()) {
                throw new IllegalArgumentException(weights.length + " rows of weights for " + output.size() + " output words");
            }
            for (float[] row : weights) {
                if (row.length != source.size()) {
                    throw new IllegalArgumentException(row.length + " weights per row for " + source.size() + " source words");
                }
            }
        }
    }

    private AttentionPlot() { }

    /** Writes the panels of {@code sentences} (1 to {@link #MAX_SENTENCES}) to {@code png}, atomically. */
    public static void save(Path png, List<Matrix> sentences) {
        if (sentences.isEmpty() || sentences.size() > MAX_SENTENCES) {
            throw new IllegalArgumentException("1 to " + MAX_SENTENCES + " sentences, got " + sentences.size());
        }
        int width = 0;
        for (Matrix m : sentences) width = Math.max(width, width(m));
        List<HeatMapChart> charts = new ArrayList<>();
        for (Matrix m : sentences) charts.add(chart(m, width));
        Plots.saveCharts(png, charts.toArray(new HeatMapChart[0]));
    }

    private static int width(Matrix m) {
        int longest = 0;
        for (String w : m.output()) longest = Math.max(longest, w.length());
        return Math.max(520, 190 + 7 * Math.min(longest, 24) + 46 * m.source().size());
    }

    static HeatMapChart chart(Matrix m, int width) {
        int longestSource = 0;
        for (String w : m.source()) longestSource = Math.max(longestSource, w.length());
        int height = Math.max(260, 120 + 7 * Math.min(longestSource, 24) + 30 * m.output().size());
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height)
                .title(title(m)).xAxisTitle("source").yAxisTitle("output").build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setChartTitleFont(st.getChartTitleFont().deriveFont(Font.PLAIN, 14f));
        st.setAxisTitleFont(st.getAxisTitleFont().deriveFont(13f));
        st.setAxisTickLabelsFont(st.getAxisTickLabelsFont().deriveFont(13f));
        st.setXAxisLabelRotation(60);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setRangeColors(new Color[] {Color.WHITE, new Color(0x9ECAE1), new Color(0x3182BD), new Color(0x08306B)});
        st.setMin(0);
        st.setMax(1);
        st.setDrawBorder(true);
        st.setPlotGridLinesVisible(false);
        st.setHeatMapValueDecimalPattern("0.0");
        // category labels by position (a word may occur twice); output rows bottom-up so the first is on top
        List<String> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int s = 0; s < m.source().size(); s++) xs.add(label(m.source().get(s), s, m.source()));
        int rows = m.output().size();
        for (int o = rows - 1; o >= 0; o--) ys.add(label(m.output().get(o), o, m.output()));
        List<Number[]> cells = new ArrayList<>(rows * xs.size());
        for (int o = 0; o < rows; o++) {
            for (int s = 0; s < xs.size(); s++) cells.add(new Number[] {s, rows - 1 - o, m.weights()[o][s]});
        }
        chart.addSeries("attention", xs, ys, cells);
        return chart;
    }

    /** The word, made distinct from equal words elsewhere in the list by invisible padding (categories must differ). */
    private static String label(String word, int at, List<String> all) {
        String w = word.length() > 24 ? word.substring(0, 23) + "…" : word;
        int before = 0;
        for (int i = 0; i < at; i++) if (all.get(i).equals(word)) before++;
        return before == 0 ? w : w + "\u200B".repeat(before);
    }

    private static String title(Matrix m) {
        String out = String.join(" ", m.output());
        return out.length() > 90 ? out.substring(0, 89) + "…" : out;
    }
}
