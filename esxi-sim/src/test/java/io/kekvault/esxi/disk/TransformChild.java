package io.kekvault.esxi.disk;

import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.secret.SecretBytes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Child process of {@link DiskTransformCrashTest}: runs one transform and stops at a kill point
 * so the parent can kill it with SIGKILL.
 *
 * <p>Arguments: file, from (plain|xts), to (plain|xts), engine, workers, chunk bytes, kill point
 * ({@code phase:NAME} or {@code bytes:N}), mode ({@code halt}: print the marker and block until
 * killed; {@code race}: print the marker and carry on, so the kill lands at whatever point the
 * transform has reached). Keys arrive on stdin as hex lines (from key, then to key).
 */
public final class TransformChild {
    public static final String MARKER = "KILL-POINT-REACHED";

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String from = args[1];
        String to = args[2];
        String engine = args[3];
        int workers = Integer.parseInt(args[4]);
        int chunk = Integer.parseInt(args[5]);
        String killPoint = args[6];
        boolean halt = args[7].equals("halt");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        SecretBytes fromKey = SecretBytes.adopt(HexFormat.of().parseHex(in.readLine().strip()));
        SecretBytes toKey = SecretBytes.adopt(HexFormat.of().parseHex(in.readLine().strip()));
        PrintStream out = System.out;

        Runnable reached = () -> {
            out.println(MARKER);
            out.flush();
            if (halt) {
                try {
                    in.read(); // blocks: the parent never writes again and kills us
                } catch (Exception ignored) {
                    // killed
                }
                Runtime.getRuntime().halt(3);
            }
        };
        DiskProgress progress = new DiskProgress() {
            boolean fired;

            @Override
            public synchronized void progress(long done, long total) {
                if (!fired && killPoint.startsWith("bytes:") && done >= Long.parseLong(killPoint.substring(6))) {
                    fired = true;
                    reached.run();
                }
            }

            @Override
            public synchronized void phase(Phase phase) {
                if (!fired && killPoint.equals("phase:" + phase.name())) {
                    fired = true;
                    reached.run();
                }
            }
        };
        DiskTransformer t = new DiskTransformer(XtsEngines.byName(engine), workers, chunk);
        t.transform(file, form(from, fromKey), form(to, toKey), false, progress);
        out.println("DONE");
        out.flush();
        if (halt) {
            in.read();
        }
    }

    private static DiskForm form(String name, SecretBytes key) {
        return name.equals("plain") ? DiskForm.plain() : DiskForm.xts(key);
    }
}
