package dev.recur.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The jar's entry point: which javas it refuses, and what it tells their users. */
class EntryPointTest {
    @Test
    void javasOlderThan25AreRefusedNamingTheirVersionTheirHomeAndWhatToRun() {
        for (String spec : new String[] {"1.8", "11", "17", "21", "24"}) {
            String m = EntryPoint.refusal(spec, "/opt/old-jdk");
            assertTrue(m != null && m.startsWith("error: Recur needs Java 25 or newer"), spec + ": " + m);
            assertTrue(m.contains("this java is Java " + EntryPoint.feature(spec) + " (/opt/old-jdk)"), m);
            assertTrue(m.contains("./recur run") && m.contains("--add-modules jdk.incubator.vector -jar"), m);
            assertTrue(!m.contains("Exception") && !m.contains("class file"), m);
        }
        assertTrue(EntryPoint.refusal("nonsense", "/x").contains("this java is 'nonsense'"));
    }

    @Test
    void java25AndNewerAreLetThrough() {
        assertNull(EntryPoint.refusal("25", "/jdk"));
        assertNull(EntryPoint.refusal("26", "/jdk"));
        assertNull(EntryPoint.refusal(System.getProperty("java.specification.version"), System.getProperty("java.home")));
    }

    @Test
    void specificationVersionsAreReadAsFeatureReleases() {
        assertEquals(8, EntryPoint.feature("1.8"));
        assertEquals(17, EntryPoint.feature("17"));
        assertEquals(25, EntryPoint.feature("25"));
        assertEquals(0, EntryPoint.feature(null));
        assertEquals(0, EntryPoint.feature("x"));
    }
}
