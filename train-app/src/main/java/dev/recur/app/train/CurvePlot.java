package dev.recur.app.train;

import dev.recur.app.AppException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training curves as one PNG: loss per epoch on the left, accuracy per epoch on the right,
 * training and validation in each. Written to a temporary file and renamed, so the picture on disk
 * is always complete.
 */
public final class CurvePlot {
    private CurvePlot() {}

    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(214, 39, 40);

    /** Renders {@code history} to {@code file} (PNG, 1200×480). {@code title} goes above both charts. */
    public static void write(List<EpochStats> history, String title, Path file) {
        if (history.isEmpty()) return;
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        XYChart loss = chart(title + " — loss", "loss (nats per review)", epochs,
                history.stream().mapToDouble(EpochStats::trainLoss).toArray(),
                history.stream().mapToDouble(EpochStats::valLoss).toArray());
        XYChart acc = chart(title + " — accuracy", "accuracy (%)", epochs,
                history.stream().mapToDouble(s -> 100 * s.trainAccuracy()).toArray(),
                history.stream().mapToDouble(s -> 100 * s.valAccuracy()).toArray());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
        try {
            BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            throw new AppException("cannot write the training-curve picture '" + file + "': " + e.getMessage(), e);
        }
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
        add(c, "train", x, train, TRAIN);
        boolean hasVal = false;
        for (double v : val) hasVal |= Double.isFinite(v);
        if (hasVal) add(c, "validation", x, val, VALIDATION);
        return c;
    }

    private static void add(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2.5f));
    }
}
