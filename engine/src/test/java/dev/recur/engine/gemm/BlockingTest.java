package dev.recur.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockingTest {

    /** One sysfs {@code indexN} entry. */
    private static void entry(Path dir, int i, int level, String type, String size, int ways, int sets) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("ways_of_associativity"), ways + "\n");
        Files.writeString(d.resolve("number_of_sets"), sets + "\n");
        Files.writeString(d.resolve("coherency_line_size"), "64\n");
    }

    /** An Ice Lake server core: L1d 48 KiB 12-way, L1i 32 KiB, L2 1.25 MiB, L3 48 MiB. */
    private static void iceLake(Path dir) throws IOException {
        entry(dir, 0, 1, "Data", "48K", 12, 64);
        entry(dir, 1, 1, "Instruction", "32K", 8, 64);
        entry(dir, 2, 2, "Unified", "1280K", 20, 1024);
        entry(dir, 3, 3, "Unified", "49152K", 12, 65536);
    }

    @Test
    void readsTheCachesTheOsReports(@TempDir Path dir) throws IOException {
        iceLake(dir);
        CacheGeometry g = CacheGeometry.read(dir);
        assertEquals(new CacheGeometry(48 * 1024, 12, 64, 64, 1280 * 1024), g);
    }

    @Test
    void missingOrInconsistentEntriesGiveNull(@TempDir Path dir) throws IOException {
        assertNull(CacheGeometry.read(dir.resolve("absent")));
        entry(dir, 0, 1, "Data", "48K", 12, 64);
        assertNull(CacheGeometry.read(dir), "no L2 entry");
        entry(dir, 2, 2, "Unified", "1280K", 20, 1024);
        assertNotNull(CacheGeometry.read(dir));
        Files.writeString(dir.resolve("index0/number_of_sets"), "32\n"); // 12 · 32 · 64 ≠ 48 KiB
        assertNull(CacheGeometry.read(dir), "ways · sets · line must equal the size");
        Files.writeString(dir.resolve("index0/number_of_sets"), "lots\n");
        assertNull(CacheGeometry.read(dir), "unreadable number");
    }

    @Test
    void sizesWithUnits() {
        assertEquals(48 * 1024, CacheGeometry.size("48K"));
        assertEquals(2 * 1024 * 1024, CacheGeometry.size("2M"));
        assertEquals(1024, CacheGeometry.size("1024"));
    }

    /** The rule of docs/gemm.md on the machines the project runs on (12-row strips, 512-bit vectors). */
    @Test
    void blocksFollowTheCaches(@TempDir Path dir) throws IOException {
        iceLake(dir);
        // Ice Lake: ⌊11 / (1 + 12/32)⌋ = 8 ways of 4 KiB for B → KC = 32 KiB / 128 B = 256; NC = 512 KiB / 1 KiB
        assertArrayEquals(new int[] {256, 512}, Blocking.blocks(CacheGeometry.read(dir), 12, 32));
        // Zen 4: L1d 32 KiB 8-way, L2 1 MiB: ⌊7 / 1.375⌋ = 5 ways → KC = 160; NC = 409.6 KiB / 640 B → 640
        assertArrayEquals(new int[] {160, 640}, Blocking.blocks(new CacheGeometry(32 * 1024, 8, 64, 64, 1 << 20), 12, 32));
        // AVX2 on Zen 3 (4-row strips, 16-wide tile, L2 512 KiB): ⌊7 / 1.25⌋ = 5 ways → KC = 320; NC = 204.8 KiB / 1.25 KiB → 160
        assertArrayEquals(new int[] {320, 160}, Blocking.blocks(new CacheGeometry(32 * 1024, 8, 64, 64, 512 * 1024), 4, 16));
        // the same with the 8 × 2 tile by hand: ⌊7 / 1.5⌋ = 4 ways → KC = 256; NC = 204.8 KiB / 1 KiB → 192
        assertArrayEquals(new int[] {256, 192}, Blocking.blocks(new CacheGeometry(32 * 1024, 8, 64, 64, 512 * 1024), 8, 16));
        // Emerald Rapids: L1d 48 KiB 12-way, L2 2 MiB: KC 256 (as Ice Lake); NC = 819.2 KiB / 1 KiB → 800
        assertArrayEquals(new int[] {256, 800}, Blocking.blocks(new CacheGeometry(48 * 1024, 12, 64, 64, 2 << 20), 12, 32));
        // the same with the 8 × 3-vector tile: ⌊11 / (1 + 8/48)⌋ = 9 ways → KC = 36 KiB / 192 B = 192; NC → 1056
        assertArrayEquals(new int[] {192, 1056}, Blocking.blocks(new CacheGeometry(48 * 1024, 12, 64, 64, 2 << 20), 8, 48));
        // unreadable caches: the sizes tuned on Zen 4 (NC in whole tiles)
        assertArrayEquals(new int[] {256, 512}, Blocking.blocks(null, 12, 32));
        assertArrayEquals(new int[] {256, 480}, Blocking.blocks(null, 8, 48));
    }

    @Test
    void theBlocksInUseFitTheTile() {
        int nr = MicroKernel.NR;
        assertEquals(0, Blocking.NC % nr, "NC must be whole tiles");
        assertEquals(0, Blocking.KC % 8);
        assertTrue(Blocking.KC >= 64 && Blocking.KC <= 1024, "KC " + Blocking.KC);
        assertEquals(0, ParallelGemm.MC_TASK % Blocking.MR);
    }

    /**
     * Strips cover every block with the tile's heights (12 and 8, or the tile's own), wasting
     * less than one short strip, and cover multiples of the split granularity up to 64 exactly.
     */
    @Test
    void stripsCoverEveryRowCount() {
        for (int mc = 1; mc <= 300; mc++) {
            int covered = 0, strips = 0;
            for (int ir = 0, h; ir < mc; ir += h, strips++) {
                h = Blocking.stripRows(mc - ir);
                assertTrue(h == Blocking.MR_TALL || (Blocking.TALL && h == Blocking.MR_SHORT), "strip of " + h);
                assertTrue(h <= Blocking.MR_MAX, "strip of " + h + " is taller than the buffers");
                covered = ir + h;
            }
            int waste = covered - mc;
            assertTrue(waste >= 0 && waste < Math.min(Blocking.MR_SHORT, Blocking.MR_TALL), mc + " rows waste " + waste);
            if (mc % Blocking.MR == 0 && mc <= 64) {
                assertEquals(0, waste, mc + " rows must be covered exactly");
            }
        }
    }

    /** 12 × 2 vectors on 16 lanes, 4 × 2 on narrower vectors; a tile asked for by hand must fit the lanes. */
    @Test
    void tileFollowsTheLanesAndTheProperty() {
        assertEquals("12x2", Blocking.tile(null, 16));
        assertEquals("8x3", Blocking.tile("8x3", 16));
        assertEquals("4x2", Blocking.tile(null, 8));
        assertEquals("4x2", Blocking.tile(null, 1));
        assertEquals("8x2", Blocking.tile("8x2", 8));
        assertEquals("4x2", Blocking.tile("4x2", 16));
        assertEquals("12x2", Blocking.tile("12x2", 16));
        assertEquals("8x2", Blocking.tile(" 8x2 ", 16));
        for (String bad : new String[] {"12x2", "8x3", "4x4", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Blocking.tile(bad, 8));
            assertTrue(e.getMessage().contains("recur.gemm.tile"), e.getMessage());
        }
        assertEquals(Blocking.NR_VECTORS * Math.max(1, dev.recur.engine.Engine.lanes()), Blocking.NR);
        assertEquals(Blocking.NR, MicroKernel.NR);
        assertEquals(Blocking.TILE.equals("12x2") ? 12 : Blocking.TILE.equals("4x2") ? 4 : 8, Blocking.MR_MAX);
        assertEquals(Blocking.TILE.equals("4x2") ? 4 : 8, Blocking.MR_SHORT);
        String asked = System.getProperty("recur.gemm.tile");
        if (asked != null) assertEquals(asked.trim(), Blocking.TILE, "the tile asked for is the one in use");
    }

    @Test
    void kcOverrideTakesAValidDepthAndRefusesOthers() {
        String before = System.getProperty("recur.gemm.kc");
        try {
            System.clearProperty("recur.gemm.kc");
            assertEquals(256, Blocking.kcOverride(256));
            System.setProperty("recur.gemm.kc", "160");
            assertEquals(160, Blocking.kcOverride(256));
            for (String bad : new String[] {"100", "0", "2048", "abc", ""}) {
                System.setProperty("recur.gemm.kc", bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Blocking.kcOverride(256));
                assertTrue(e.getMessage().contains("recur.gemm.kc"), e.getMessage());
            }
        } finally {
            if (before == null) System.clearProperty("recur.gemm.kc");
            else System.setProperty("recur.gemm.kc", before);
        }
    }
}
