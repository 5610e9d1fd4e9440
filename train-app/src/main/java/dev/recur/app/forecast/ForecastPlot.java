package dev.recur.app.forecast;

import dev.recur.app.run.Plots;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * The picture of {@code --plot}: one panel per window (or column), stacked, each with the look-back
 * (grey), the truth where it is known (black) and the forecast (red) in original units, on an axis of
 * steps from the forecast's start (the history at −L … −1, the forecast at 0 … H − 1).
 */
final class ForecastPlot {
    private ForecastPlot() {}

    /** One panel: a column's history and forecast, the truth when known (else null). */
    record Panel(String title, String column, double[] history, double[] forecast, double[] truth) { }

    /** Writes the panels to {@code png} (atomically). */
    static void save(Path png, String stepUnit, List<Panel> panels) {
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            int L = p.history().length, H = p.forecast().length;
            double[] hx = new double[L + 1], hy = new double[L + 1], fx = new double[H], tx = new double[H + 1], ty = new double[H + 1];
            for (int t = 0; t < L; t++) {
                hx[t] = t - L;
                hy[t] = p.history()[t];
            }
            for (int h = 0; h < H; h++) fx[h] = h;
            // the history line runs on to the first true value, so history and truth read as one series
            hx[L] = 0;
            hy[L] = p.truth() != null ? p.truth()[0] : p.history()[L - 1];
            List<Plots.Line> lines = new ArrayList<>();
            lines.add(new Plots.Line("history", p.truth() != null ? hx : java.util.Arrays.copyOf(hx, L),
                    p.truth() != null ? hy : java.util.Arrays.copyOf(hy, L)));
            if (p.truth() != null) {
                for (int h = 0; h < H; h++) {
                    tx[h] = h;
                    ty[h] = p.truth()[h];
                }
                lines.add(new Plots.Line("truth", java.util.Arrays.copyOf(tx, H), java.util.Arrays.copyOf(ty, H)));
            }
            lines.add(new Plots.Line("forecast", fx, p.forecast()));
            XYChart c = Plots.chart(p.title(), "steps from the forecast's start (1 step = " + stepUnit + ")", p.column(), false, lines);
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
            style(c, "history", new Color(0x8C8C8C), 1.6f);
            style(c, "truth", Color.BLACK, 1.6f);
            style(c, "forecast", new Color(0xD62728), 2.4f);
            charts.add(c);
        }
        Plots.save(png, charts.toArray(XYChart[]::new));
    }

    private static void style(XYChart c, String name, Color color, float width) {
        XYSeries s = c.getSeriesMap().get(name);
        if (s == null) return;
        s.setLineColor(color);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(width));
    }
}
