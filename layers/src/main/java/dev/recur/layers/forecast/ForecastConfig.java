package dev.recur.layers.forecast;

import dev.recur.layers.loss.HuberLoss;
import dev.recur.layers.loss.L1Loss;
import dev.recur.layers.loss.MseLoss;
import dev.recur.layers.loss.RegressionLoss;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.rnn.CellType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a forecasting model. Travels in checkpoints ({@link #toMetadata()}).
 *
 * @param architecture {@link Architecture#DIRECT} (recurrent encoder → linear head emitting all H
 *                     steps), {@link Architecture#SEGMENT} (SegRNN) or {@link Architecture#ENCODER_DECODER}
 *                     (GRU encoder → GRU decoder, step by step)
 * @param cell         the recurrent cell (SegRNN: GRU)
 * @param inputs       C_in, input channels per sequence (SegRNN: 1, one channel per sequence)
 * @param outputs      C_out, forecast channels per sequence (SegRNN: 1)
 * @param channels     SegRNN: the number of series channels (its channel embedding's rows); direct: 1
 * @param lookback     L
 * @param horizon      H
 * @param hidden       recurrent hidden size (SegRNN: d)
 * @param layers       stacked recurrent layers (SegRNN: 1)
 * @param segment      SegRNN: segment length w (divides L and H); the others: 0
 * @param dropout      SegRNN: dropout before the output Linear; direct and encoder–decoder: between
 *                     recurrent (encoder) layers
 * @param norm         the per-window normalisation around the model: none, RevIN or the last-value shift
 * @param loss         {@code mse}, {@code mae} or {@code huber}
 */
public record ForecastConfig(Architecture architecture, CellType cell, int inputs, int outputs, int channels, int lookback,
                             int horizon, int hidden, int layers, int segment, float dropout, Norm norm, String loss) {

    /** Prefix of every metadata key this record writes. */
    public static final String META_PREFIX = "recur.forecast.";

    /** The model families. */
    public enum Architecture {
        /** Recurrent encoder over the look-back → Linear(hidden → H·C_out): direct multi-step. */
        DIRECT,
        /** SegRNN: segments of the look-back as GRU steps, all horizon segments decoded in parallel. */
        SEGMENT,
        /** GRU encoder → GRU decoder emitting the horizon step by step (recurrent multi-step, teacher forcing). */
        ENCODER_DECODER;

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }

    /** The per-window normalisation around the network ({@link dev.recur.layers.InstanceNormalisation}). */
    public enum Norm {
        /** The network sees the (globally z-scored) values as they are. */
        NONE,
        /** Reversible instance normalisation: each window's own mean and spread ({@link dev.recur.layers.RevIn}). */
        REVIN,
        /** Each window's last look-back value subtracted, added back to the forecast ({@link dev.recur.layers.LastValueShift}). */
        LAST;

        public String id() { return name().toLowerCase(Locale.ROOT); }

        static Norm parse(String id) {
            for (Norm n : values()) if (n.id().equals(id)) return n;
            throw new IllegalArgumentException("metadata " + META_PREFIX + "norm is not none, revin or last: " + id);
        }
    }

    public ForecastConfig {
        java.util.Objects.requireNonNull(norm, "norm");
        if (inputs < 1 || outputs < 1 || channels < 1 || lookback < 1 || horizon < 1 || hidden < 1 || layers < 1) {
            throw new IllegalArgumentException("forecast model sizes must be ≥ 1: " + this);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        lossFunction(loss);
        if (architecture == Architecture.SEGMENT) {
            if (cell != CellType.GRU || inputs != 1 || outputs != 1 || layers != 1) {
                throw new IllegalArgumentException("SegRNN is one GRU layer over one channel per sequence: " + this);
            }
            if (segment < 1 || lookback % segment != 0 || horizon % segment != 0) {
                throw new IllegalArgumentException("the segment length " + segment + " must divide the look-back "
                        + lookback + " and the horizon " + horizon);
            }
            if (hidden % 2 != 0) throw new IllegalArgumentException("SegRNN's hidden size must be even (position and channel halves), got " + hidden);
        }
        if (architecture == Architecture.ENCODER_DECODER) {
            if (cell != CellType.GRU || inputs != outputs || segment != 0) {
                throw new IllegalArgumentException("the encoder–decoder is a GRU that feeds its forecast back as the next input, so it"
                        + " needs as many outputs as inputs (features M or S) and no segment: " + this);
            }
        }
        if (norm != Norm.NONE && inputs != outputs) {
            throw new IllegalArgumentException("a per-window normalisation maps the output back with the input channels' statistics, so it needs"
                    + " as many outputs as inputs (features M or S), got " + inputs + " in and " + outputs + " out");
        }
    }

    /** A direct multi-step forecaster (LSTM/GRU encoder, linear head). */
    public static ForecastConfig direct(CellType cell, int inputs, int outputs, int lookback, int horizon, int hidden,
                                        int layers, Norm norm, String loss) {
        return new ForecastConfig(Architecture.DIRECT, cell, inputs, outputs, 1, lookback, horizon, hidden, layers, 0, 0f,
                norm, loss);
    }

    /** A GRU encoder–decoder over {@code channels} channels in and out (recurrent multi-step). */
    public static ForecastConfig encoderDecoder(int channels, int lookback, int horizon, int hidden, int layers, float dropout,
                                                Norm norm, String loss) {
        return new ForecastConfig(Architecture.ENCODER_DECODER, CellType.GRU, channels, channels, 1, lookback, horizon, hidden,
                layers, 0, dropout, norm, loss);
    }

    /** SegRNN over {@code channels} series channels (each sequence one channel of one window). */
    public static ForecastConfig segment(int channels, int lookback, int horizon, int hidden, int segment, float dropout,
                                         Norm norm, String loss) {
        return new ForecastConfig(Architecture.SEGMENT, CellType.GRU, 1, 1, channels, lookback, horizon, hidden, 1, segment,
                dropout, norm, loss);
    }

    /** The loss the model trains with. */
    public RegressionLoss lossFunction() { return lossFunction(loss); }

    /** {@code mse} ({@code nn.MSELoss}), {@code mae} ({@code nn.L1Loss}) or {@code huber} ({@code nn.HuberLoss}, δ = 1). */
    public static RegressionLoss lossFunction(String name) {
        return switch (name) {
            case "mse" -> new MseLoss();
            case "mae" -> new L1Loss();
            case "huber" -> new HuberLoss();
            case null, default -> throw new IllegalArgumentException("unknown loss '" + name + "': use mse, mae or huber");
        };
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_PREFIX + "architecture", architecture.id());
        m.put(META_PREFIX + "cell", ModelConfig.cellId(cell));
        m.put(META_PREFIX + "inputs", Integer.toString(inputs));
        m.put(META_PREFIX + "outputs", Integer.toString(outputs));
        m.put(META_PREFIX + "channels", Integer.toString(channels));
        m.put(META_PREFIX + "lookback", Integer.toString(lookback));
        m.put(META_PREFIX + "horizon", Integer.toString(horizon));
        m.put(META_PREFIX + "hidden", Integer.toString(hidden));
        m.put(META_PREFIX + "layers", Integer.toString(layers));
        m.put(META_PREFIX + "segment", Integer.toString(segment));
        m.put(META_PREFIX + "dropout", Float.toString(dropout));
        m.put(META_PREFIX + "norm", norm.id());
        // the key older versions read: a LAST model leaves it out, so they refuse it instead of misreading it
        if (norm != Norm.LAST) m.put(META_PREFIX + "revin", Boolean.toString(norm == Norm.REVIN));
        m.put(META_PREFIX + "loss", loss);
        return m;
    }

    /** Rebuilds a configuration from {@link #toMetadata()} entries; a clear error names a missing or bad key. */
    public static ForecastConfig fromMetadata(Map<String, String> meta) {
        String arch = require(meta, "architecture");
        Architecture a = switch (arch) {
            case "direct" -> Architecture.DIRECT;
            case "segment" -> Architecture.SEGMENT;
            case "encoder_decoder" -> Architecture.ENCODER_DECODER;
            default -> throw new IllegalArgumentException("metadata " + META_PREFIX + "architecture is not direct, segment or"
                    + " encoder_decoder: " + arch);
        };
        Norm norm;
        if (meta.containsKey(META_PREFIX + "norm")) {
            norm = Norm.parse(meta.get(META_PREFIX + "norm"));
        } else {   // written before the last-value shift existed
            String revin = require(meta, "revin");
            if (!revin.equals("true") && !revin.equals("false")) {
                throw new IllegalArgumentException("metadata " + META_PREFIX + "revin is not true/false: " + revin);
            }
            norm = Boolean.parseBoolean(revin) ? Norm.REVIN : Norm.NONE;
        }
        return new ForecastConfig(a, ModelConfig.parseCell(require(meta, "cell")), integer(meta, "inputs"),
                integer(meta, "outputs"), integer(meta, "channels"), integer(meta, "lookback"), integer(meta, "horizon"),
                integer(meta, "hidden"), integer(meta, "layers"), integer(meta, "segment"), real(meta, "dropout"),
                norm, require(meta, "loss"));
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(META_PREFIX + key);
        if (v == null) throw new IllegalArgumentException("model configuration metadata lacks " + META_PREFIX + key);
        return v;
    }

    private static int integer(Map<String, String> meta, String key) {
        try {
            return Integer.parseInt(require(meta, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + META_PREFIX + key + " is not an integer: " + meta.get(META_PREFIX + key));
        }
    }

    private static float real(String v, String key) {
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + META_PREFIX + key + " is not a number: " + v);
        }
    }

    private static float real(Map<String, String> meta, String key) { return real(require(meta, key), key); }
}
