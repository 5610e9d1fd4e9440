package dev.recur.app.cli;

import dev.recur.engine.Engine;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the app version, the Java runtime and the engine's vector species. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "train-app " + (v == null ? "(development build)" : v),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            "engine: " + Engine.species() + ", " + Engine.lanes() + " float lanes, " + Engine.threads() + " threads"};
    }
}
