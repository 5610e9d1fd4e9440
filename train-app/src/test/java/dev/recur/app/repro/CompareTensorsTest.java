package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.tools.CompareTensors;
import dev.recur.layers.io.SafeTensorsWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison tool sees one flipped bit and ignores metadata. */
class CompareTensorsTest {
    @TempDir Path dir;

    private Path write(String name, float last, String meta) throws Exception {
        Path f = dir.resolve(name);
        new SafeTensorsWriter().metadata("note", meta).putFloats("w", new long[] {2, 2}, new float[] {1, 2, 3, last})
                .putFloats("b", new long[] {2}, new float[] {0.5f, -0f}).write(f);
        return f;
    }

    @Test
    void sameTensorsWithOtherMetadataAreTheSameAndOneBitIsADifference() throws Exception {
        Path a = write("a", 4f, "took 1.0 s"), b = write("b", 4f, "took 2.5 s, longer metadata");
        assertEquals(List.of(), CompareTensors.differences(a, b));
        Path c = write("c", Math.nextUp(4f), "took 1.0 s");
        List<String> d = CompareTensors.differences(a, c);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("w: 1 of 4 elements differ"), d.toString());
    }
}
