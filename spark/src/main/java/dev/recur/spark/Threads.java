package dev.recur.spark;

import dev.recur.engine.Engine;

/** Sets the engine's thread count in an executor JVM once per value (threads change no result bit). */
final class Threads {
    private static volatile int current = -1;

    private Threads() {}

    static void use(int threads) {
        if (current != threads) {
            synchronized (Threads.class) {
                if (current != threads) {
                    Engine.setThreads(threads);
                    current = threads;
                }
            }
        }
    }
}
