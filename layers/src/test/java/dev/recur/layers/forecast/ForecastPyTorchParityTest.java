package dev.recur.layers.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One of each forecaster against PyTorch 1.13: the {@code forecast_*} fixtures of
 * {@code src/test/python/make_fixtures.py} (a direct LSTM with affine RevIN, the GRU encoder–decoder
 * free-running with RevIN and fully teacher-forced, SegRNN as the authors' module with RevIN and with
 * their default last-value shift, {@code --subtract-last}): same
 * weights under the same names, same windows; prediction, MSE loss and every parameter's gradient
 * within {@code 1e-5·max(1, |expected|)}.
 */
class ForecastPyTorchParityTest {

    static Stream<Path> fixtures() throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) fail("PyTorch fixtures not found at " + dir.toAbsolutePath() + " (run the tests from the layers module)");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith("forecast_")).sorted().toList();
            assertEquals(5, all.size(), "expected 5 forecast fixtures, found " + all);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void forecasterMatchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        int L = integer(m, "lookback"), H = integer(m, "horizon"), B = integer(m, "batch");
        int in = integer(m, "inputs"), out = integer(m, "outputs"), hidden = integer(m, "hidden");
        // "norm" (last: --subtract-last) in the newer fixtures, "revin" (true or false) in the first four
        ForecastConfig.Norm revin = "last".equals(m.get("norm")) ? ForecastConfig.Norm.LAST
                : Boolean.parseBoolean(m.get("revin")) ? ForecastConfig.Norm.REVIN : ForecastConfig.Norm.NONE;
        ForecastConfig cfg = switch (m.get("architecture")) {
            case "direct" -> ForecastConfig.direct(m.get("cell").equals("lstm") ? CellType.LSTM : CellType.GRU, in, out, L, H,
                    hidden, integer(m, "layers"), revin, "mse");
            case "encoder_decoder" -> ForecastConfig.encoderDecoder(in, L, H, hidden, integer(m, "layers"), 0f, revin, "mse");
            case "segment" -> ForecastConfig.segment(integer(m, "channels"), L, H, hidden, integer(m, "segment"), 0f, revin, "mse");
            default -> throw new IllegalArgumentException(m.get("architecture"));
        };
        try (Arena a = Arena.ofShared(); ForecastModel model = ForecastModel.create(cfg, 1, B)) {
            assertEquals(Arrays.asList(m.get("parameters").split(",")), model.parameters().stream().map(Parameter::name).toList(),
                    "parameter names and order");
            for (Parameter p : model.parameters()) {
                float[] v = st.floats(p.name());
                assertEquals(p.size(), v.length, "size of " + p.name());
                p.value().copyFrom(v);
            }
            if (model instanceof EncoderDecoderForecaster ed) ed.setTeacherForcing(Float.parseFloat(m.get("teacher_forcing")));
            FloatMatrix x = FloatMatrix.allocate(a, L * B, in), y = FloatMatrix.allocate(a, H * B, out);
            x.copyFrom(st.floats("input"));
            y.copyFrom(st.floats("target"));
            model.zeroGrad();
            float loss = model.forward(x, y, B, true);
            dev.recur.layers.PyTorchParityAccess.assertClose(file, "prediction", st.floats("prediction"), model.prediction().toArray());
            dev.recur.layers.PyTorchParityAccess.assertClose(file, "loss", st.floats("loss"), new float[] {loss});
            model.backward();
            for (Parameter p : model.parameters()) {
                dev.recur.layers.PyTorchParityAccess.assertClose(file, "grad." + p.name(), st.floats("grad." + p.name()), p.grad().toArray());
            }
        }
    }

    private static int integer(Map<String, String> m, String key) { return Integer.parseInt(m.get(key)); }
}
