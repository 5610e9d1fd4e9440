package dev.recur.app.run;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The app's pictures as PNG: line charts (XChart), optionally with a logarithmic y axis, and any other XChart chart. */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** One line of a chart. */
    public record Line(String name, double[] x, double[] y) { }

    private Plots() { }

    /** A chart with one line per entry; non-positive values are left out when {@code logY}. */
    public static XYChart chart(String title, String xTitle, String yTitle, boolean logY, List<Line> lines) {
        XYChart chart = new XYChartBuilder().width(900).height(520).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(16f));
        chart.getStyler().setAxisTitleFont(chart.getStyler().getAxisTitleFont().deriveFont(14f));
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(13f));
        st.setDecimalPattern("#,##0.###");
        st.setYAxisDecimalPattern(logY ? "0.0E0" : "#,##0.###");
        Color[] palette = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
                new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B)};
        int i = 0;
        for (Line l : lines) {
            double[][] xy = logY ? positive(l.x(), l.y()) : new double[][] {l.x(), l.y()};
            if (xy[0].length == 0) continue;
            XYSeries s = chart.addSeries(l.name(), xy[0], xy[1]);
            s.setMarker(xy[0].length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            s.setLineColor(palette[i % palette.length]);
            s.setMarkerColor(palette[i % palette.length]);
            i++;
        }
        return chart;
    }

    private static double[][] positive(double[] x, double[] y) {
        int n = 0;
        for (double v : y) if (v > 0 && Double.isFinite(v)) n++;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0, j = 0; i < y.length; i++) {
            if (y[i] > 0 && Double.isFinite(y[i])) {
                xs[j] = x[i];
                ys[j++] = y[i];
            }
        }
        return new double[][] {xs, ys};
    }

    /** Writes charts stacked top to bottom into one PNG (atomically: temporary file, then rename). */
    public static void save(Path png, XYChart... charts) { render(png, false, charts); }

    /** Writes the charts side by side, left to right, as one PNG (atomically). */
    public static void saveSideBySide(Path png, XYChart... charts) { render(png, true, charts); }

    /** Writes charts of any kind (line charts, heat maps) stacked top to bottom into one PNG (atomically). */
    public static void saveCharts(Path png, Chart<?, ?>... charts) { render(png, false, charts); }

    private static void render(Path png, boolean horizontal, Chart<?, ?>... charts) {
        int w = 0, h = 0;
        for (Chart<?, ?> c : charts) {
            w = horizontal ? w + c.getWidth() : Math.max(w, c.getWidth());
            h = horizontal ? Math.max(h, c.getHeight()) : h + c.getHeight();
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0, y = 0;
        for (Chart<?, ?> c : charts) {
            Graphics2D sub = (Graphics2D) g.create(x, y, c.getWidth(), c.getHeight());
            c.paint(sub, c.getWidth(), c.getHeight());
            sub.dispose();
            if (horizontal) x += c.getWidth(); else y += c.getHeight();
        }
        g.dispose();
        AtomicFiles.write(png, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                javax.imageio.ImageIO.write(img, "png", out);
            }
        });
    }
}
