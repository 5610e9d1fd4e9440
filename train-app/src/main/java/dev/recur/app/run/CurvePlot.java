package dev.recur.app.run;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training curves as one PNG: loss per epoch on the left, accuracy per epoch on the right,
 * training and validation in each. Written atomically ({@link AtomicFiles}), so the picture on disk
 * is always complete.
 */
public final class CurvePlot {
    private CurvePlot() {}

    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(214, 39, 40);

    /**
     * Renders the curves of a run to {@code file} (PNG, 1200×480): {@code epochs} on the x axis,
     * losses on the left and accuracies (fractions, shown in %) on the right; validation series of
     * NaN only are left out, and so is the accuracy chart when both of its series are. {@code title} goes above both charts.
     */
    public static void write(String title, double[] epochs, double[] trainLoss, double[] valLoss, double[] trainAccuracy,
                             double[] valAccuracy, Path file) {
        if (epochs.length == 0) return;
        XYChart loss = chart(title + " — loss", "loss", epochs, trainLoss, valLoss);
        if (!finite(trainAccuracy) && !finite(valAccuracy)) {
            Plots.saveSideBySide(file, loss);
            return;
        }
        XYChart acc = chart(title + " — accuracy", "accuracy (%)", epochs, percent(trainAccuracy), percent(valAccuracy));
        Plots.saveSideBySide(file, loss, acc);
    }

    private static double[] percent(double[] a) {
        double[] p = new double[a.length];
        for (int i = 0; i < a.length; i++) p[i] = 100 * a[i];
        return p;
    }

    private static XYChart chart(String title, String yTitle, double[] x, double[] train, double[] val) {
        XYChart c = new XYChartBuilder().width(600).height(480).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        Styler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setChartTitleBoxVisible(false);
        s.setAntiAlias(true);
        c.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        c.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setXAxisMin(x[0] > 1 ? x[0] : 1.0);
        c.getStyler().setXAxisMax(Math.max(x[x.length - 1], (x[0] > 1 ? x[0] : 1.0) + 1));
        c.getStyler().setXAxisTickMarkSpacingHint(60);
        if (finite(train)) add(c, "train", x, train, TRAIN);
        if (finite(val)) add(c, "validation", x, val, VALIDATION);
        return c;
    }

    private static boolean finite(double[] a) {
        for (double v : a) if (Double.isFinite(v)) return true;
        return false;
    }

    private static void add(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2.5f));
    }
}
