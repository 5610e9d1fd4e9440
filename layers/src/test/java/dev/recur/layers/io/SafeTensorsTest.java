package dev.recur.layers.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static String reject(byte[] bytes) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(Path.of("x.safetensors"), bytes));
        assertTrue(e.getMessage().startsWith("x.safetensors: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void roundTripKeepsEveryValueShapeAndMetadata() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix w = FloatMatrix.of(arena, 2, 3, 1f, -2f, 3.5f, Float.MIN_VALUE, -0f, 1e30f);
            FloatMatrix bias = FloatMatrix.of(arena, 1, 3, 0.25f, 0.5f, 0.75f);
            FloatMatrix big = FloatMatrix.allocate(arena, 700, 500); // > one 1 MB chunk
            for (int r = 0; r < 700; r++) for (int c = 0; c < 500; c++) big.set(r, c, r * 1000 + c);
            FloatMatrix parent = FloatMatrix.of(arena, 2, 4, 1, 2, 3, 4, 5, 6, 7, 8);
            Path f = dir.resolve("m.safetensors");
            new SafeTensorsWriter()
                    .metadata("config", "{\"cell\":\"lstm\"}")
                    .metadata("quote\"and\\slash\nnewline", "é ☃")
                    .put("lstm.weight", w)
                    .put("lstm.bias", new long[] {3}, bias)
                    .put("big", big)
                    .put("view", parent.view(0, 1, 2, 2))
                    .putLongs("lengths", new long[] {2}, new long[] {5, Long.MAX_VALUE})
                    .putInts("labels", new long[] {3}, new int[] {0, 1, -100})
                    .putFloats("scalar", new long[] {}, new float[] {42f})
                    .write(f);
            SafeTensors st = SafeTensors.read(f);
            assertEquals(java.util.List.of("lstm.weight", "lstm.bias", "big", "view", "lengths", "labels", "scalar"),
                    java.util.List.copyOf(st.names()));
            assertArrayEquals(w.toArray(), st.floats("lstm.weight"));
            assertArrayEquals(new long[] {3}, st.info("lstm.bias").shape());
            assertArrayEquals(big.toArray(), st.floats("big"));
            assertArrayEquals(new float[] {2, 3, 6, 7}, st.floats("view"));
            assertArrayEquals(new long[] {5, Long.MAX_VALUE}, st.longs("lengths"));
            assertArrayEquals(new int[] {0, 1, -100}, st.ints("labels"));
            assertArrayEquals(new float[] {42f}, st.floats("scalar"));
            assertEquals(Map.of("config", "{\"cell\":\"lstm\"}", "quote\"and\\slash\nnewline", "é ☃"), st.metadata());
            FloatMatrix back = FloatMatrix.allocate(arena, 1, 3);
            st.copyInto("lstm.bias", back);
            assertArrayEquals(bias.toArray(), back.toArray());
            // header is padded to 8 bytes as the reference writer does
            long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8);
            // wrong shape and wrong type are clear errors naming the tensor
            FloatMatrix wrong = FloatMatrix.allocate(arena, 3, 2);
            String msg = assertThrows(SafeTensorsException.class, () -> st.copyInto("lstm.weight", wrong)).getMessage();
            assertTrue(msg.contains("lstm.weight") && msg.contains("[2, 3]"), msg);
            assertThrows(SafeTensorsException.class, () -> st.floats("labels"));
            assertTrue(assertThrows(SafeTensorsException.class, () -> st.floats("nope")).getMessage().contains("nope"));
            byte[] tooBig = new SafeTensorsWriter().putLongs("x", new long[] {1}, new long[] {1L << 40}).toBytes();
            SafeTensors t = SafeTensors.parse(Path.of("big"), tooBig);
            assertTrue(assertThrows(SafeTensorsException.class, () -> t.ints("x")).getMessage().contains("int"));
        }
    }

    @Test
    void readsAFileWrittenByTheReferenceLayout() throws IOException {
        // Hand-made like Python's safetensors: sorted keys, metadata, padded header.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]}}";
        byte[] bytes = file(header, 16);
        ByteBuffer d = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int base = 8 + header.length();
        d.putFloat(base, 1.5f).putFloat(base + 4, -2f).putLong(base + 8, 7L);
        SafeTensors st = SafeTensors.parse(Path.of("ref"), bytes);
        assertArrayEquals(new float[] {1.5f, -2f}, st.floats("a"));
        assertArrayEquals(new long[] {7}, st.longs("b"));
        assertEquals("pt", st.metadata().get("format"));
    }

    @Test
    void rejectsEveryKindOfCorruption() {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertDoesNotThrow(() -> SafeTensors.parse(Path.of("x"), file(ok, 8)));

        assertTrue(reject(new byte[3]).contains("only 3 bytes"));
        assertTrue(reject("hello world, not safetensors".getBytes(StandardCharsets.UTF_8)).contains("not a safetensors file"));
        byte[] huge = file(ok, 8);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        assertTrue(reject(huge).contains("beyond the end"));
        // truncated data section
        byte[] full = file(ok, 8);
        assertTrue(reject(java.util.Arrays.copyOf(full, full.length - 1)).contains("outside"));
        // truncated in the middle of the header
        assertTrue(reject(java.util.Arrays.copyOf(full, 20)).contains("beyond the end"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",", 0)).contains("not valid JSON"));
        assertTrue(reject(file("[1,2]", 0)).contains("not an object"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("dtype Q7"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)).contains("needs 12 bytes"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8)).contains("non-negative"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8)).contains("outside"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8)).contains("outside"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8)).contains("data_offsets"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("overlap"));
        assertTrue(reject(file("{\"__metadata__\":{\"k\":1}}", 0)).contains("metadata"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8))
                .contains("large"));
        byte[] notUtf8 = file("{\"a\":1}", 0);
        notUtf8[10] = (byte) 0xff;
        assertTrue(reject(notUtf8).contains("UTF-8"));
    }

    @Test
    void missingFileIsAClearError() {
        Path f = dir.resolve("none.safetensors");
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("none.safetensors"), e.getMessage());
    }

    @Test
    void aWriteThatFailsMidwayLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            new SafeTensorsWriter().put("w", FloatMatrix.of(arena, 1, 2, 1f, 2f)).write(f);
        }
        byte[] before = Files.readAllBytes(f);
        Arena gone = Arena.ofConfined();
        FloatMatrix dead = FloatMatrix.allocate(gone, 1000, 1000);
        gone.close(); // reading this matrix during write() fails after the header is written
        FloatMatrix[] holder = {null};
        try (Arena arena = Arena.ofConfined()) {
            holder[0] = FloatMatrix.of(arena, 1, 2, 3f, 4f);
            SafeTensorsWriter w = new SafeTensorsWriter().put("w", holder[0]).put("dead", dead);
            assertThrows(IllegalStateException.class, () -> w.write(f));
        }
        assertArrayEquals(before, Files.readAllBytes(f));
        try (var list = Files.list(dir)) {
            assertEquals(1, list.count(), "temporary file left behind");
        }
    }

    @Test
    void writerRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new SafeTensorsWriter().putFloats("a", new long[] {3}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensorsWriter()
                .putFloats("a", new long[] {1}, new float[1]).putFloats("a", new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensorsWriter().putFloats("__metadata__", new long[] {1}, new float[1]));
    }
}
