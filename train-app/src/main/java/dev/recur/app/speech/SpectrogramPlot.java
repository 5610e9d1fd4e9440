package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.run.AtomicFiles;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.FeatureExtractor;
import dev.recur.layers.audio.Features;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a transcript's log-mel spectrogram as a PNG: time (s) across, mel bands up (labelled in
 * Hz), energy as colour (dark blue → yellow over the top 60 dB of the recording), and every
 * recognised digit as a bracket over its stretch with the digit and its probability.
 */
public final class SpectrogramPlot {
    private static final int LEFT = 80, RIGHT = 110, TOP = 70, BOTTOM = 50, BAND_PX = 6;
    private static final Color[] MAP = {new Color(0x0d0887), new Color(0x6a00a8), new Color(0xb12a90), new Color(0xe16462),
        new Color(0xfca636), new Color(0xf0f921)};

    private SpectrogramPlot() {}

    public static void save(Path png, Transcriber.Transcript t, FeatureConfig fc) {
        Features s = t.spectrogram();
        int frames = s.frames(), mels = s.width();
        int per = (frames + 1199) / 1200;                     // frames per column: long files are averaged down
        int cols = (frames + per - 1) / per;
        int px = per > 1 ? 1 : Math.max(1, Math.min(10, 1200 / frames));
        int plotW = cols * px, plotH = mels * BAND_PX;
        double framePx = (double) px / per;
        int w = LEFT + Math.max(plotW, 300) + RIGHT, h = TOP + plotH + BOTTOM;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : s.values()) max = Math.max(max, v);
        double range = 6 * Math.log(10);   // 60 dB in natural-log power units
        for (int c = 0; c < cols; c++) {
            int f0 = c * per, f1 = Math.min(frames, f0 + per);
            for (int m = 0; m < mels; m++) {
                double v = 0;
                for (int f = f0; f < f1; f++) v += s.get(f, m);
                double u = Math.max(0, Math.min(1, (v / (f1 - f0) - (max - range)) / range));
                g.setColor(colour(u));
                g.fillRect(LEFT + c * px, TOP + plotH - (m + 1) * BAND_PX, px, BAND_PX);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        double hop = (double) fc.hop() / fc.sampleRate();
        double seconds = frames * hop;
        double step = seconds > 300 ? 60 : seconds > 60 ? 10 : seconds > 20 ? 5 : seconds > 5 ? 1 : seconds > 1.5 ? 0.25 : 0.1;
        for (double x = 0; x <= seconds + 1e-9; x += step) {
            int xp = LEFT + (int) Math.round(x / hop * framePx);
            g.drawLine(xp, TOP + plotH, xp, TOP + plotH + 4);
            String lab = String.format(Locale.ROOT, step < 1 ? "%.2f" : "%.0f", x);
            g.drawString(lab, xp - fm.stringWidth(lab) / 2, TOP + plotH + 18);
        }
        g.drawString("time (s)", LEFT + plotW / 2 - 20, TOP + plotH + 38);
        double top = FeatureExtractor.mel(fc.sampleRate() / 2.0);
        for (int hz : new int[] {250, 500, 1000, 2000, 3000, 4000}) {
            if (hz > fc.sampleRate() / 2) continue;
            double band = FeatureExtractor.mel(hz) / top * (mels + 1) - 1;   // filter m peaks at mel point m+1
            int yp = TOP + plotH - (int) Math.round((band + 0.5) * BAND_PX);
            if (yp < TOP) yp = TOP;
            g.drawLine(LEFT - 4, yp, LEFT, yp);
            String lab = hz >= 1000 ? (hz / 1000) + " kHz" : hz + " Hz";
            g.drawString(lab, LEFT - 8 - fm.stringWidth(lab), yp + 4);
        }
        java.awt.geom.AffineTransform keep = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("frequency (mel bands)", -(TOP + plotH / 2) - 60, 16);
        g.setTransform(keep);
        int barX = LEFT + plotW + 30, barW = 14;
        for (int y = 0; y < plotH; y++) {
            g.setColor(colour(1 - (double) y / (plotH - 1)));
            g.drawLine(barX, TOP + y, barX + barW, TOP + y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(barX, TOP, barW, plotH);
        for (int db = 0; db <= 60; db += 20) {
            int yp = TOP + (int) Math.round(db / 60.0 * (plotH - 1));
            g.drawLine(barX + barW, yp, barX + barW + 4, yp);
            g.drawString(db == 0 ? "peak" : "−" + db + " dB", barX + barW + 7, yp + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        String title = t.file().getFileName() + "  →  \"" + t.text() + "\"";
        g.drawString(title, LEFT, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(2f));
        for (Transcriber.Digit d : t.digits()) {
            int x0 = LEFT + (int) Math.round(d.start() / hop * framePx), x1 = Math.min(LEFT + plotW, LEFT + (int) Math.round(d.end() / hop * framePx));
            g.setColor(new Color(0x1f77b4));
            g.drawLine(x0, TOP - 8, x1, TOP - 8);
            g.drawLine(x0, TOP - 14, x0, TOP - 2);
            g.drawLine(x1, TOP - 14, x1, TOP - 2);
            g.setColor(Color.BLACK);
            String lab = d.digit() + String.format(Locale.ROOT, " (%.0f%%)", 100 * d.probability());
            g.drawString(lab, (x0 + x1) / 2 - fm.stringWidth(lab) / 2, TOP - 18);
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new AppException("cannot encode the plot: " + e.getMessage());
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    private static Color colour(double u) {
        double x = u * (MAP.length - 1);
        int i = Math.min(MAP.length - 2, (int) x);
        double f = x - i;
        Color a = MAP[i], b = MAP[i + 1];
        return new Color((int) (a.getRed() + f * (b.getRed() - a.getRed())), (int) (a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) (a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }
}
