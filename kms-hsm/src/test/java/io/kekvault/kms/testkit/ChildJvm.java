package io.kekvault.kms.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a second JVM with the test classpath, for multi-process and kill -9 tests. */
public final class ChildJvm {
    /** JVM flags every Kekvault process needs (SunPKCS11 internals, FFM). */
    public static final List<String> JVM_FLAGS = List.of(
            "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--add-opens", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED");

    private ChildJvm() {
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A process builder for {@code mainClass args...} with {@code env} added to the environment. */
    public static ProcessBuilder builder(Class<?> mainClass, Map<String, String> env, String... args) {
        return builder(List.of(), mainClass, env, args);
    }

    /** As {@link #builder(Class, Map, String...)} with extra JVM options (e.g. -D properties). */
    public static ProcessBuilder builder(List<String> jvmOptions, Class<?> mainClass, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs to completion (bounded) and returns stdout; fails with stderr on a non-zero exit. */
    public static String run(Class<?> mainClass, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        ProcessBuilder pb = builder(mainClass, env, args);
        File err = File.createTempFile("child-", ".err");
        pb.redirectError(err);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM " + mainClass.getSimpleName() + " did not finish in 120 s");
        }
        String stderr = java.nio.file.Files.readString(err.toPath());
        err.delete();
        if (p.exitValue() != 0) {
            throw new AssertionError("child JVM " + mainClass.getSimpleName() + " exited " + p.exitValue()
                    + "\nstdout:\n" + out + "\nstderr:\n" + stderr);
        }
        return out;
    }
}
