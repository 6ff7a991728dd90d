package io.kekvault.app;

import io.kekvault.app.cli.HostCommand;
import io.kekvault.esxi.host.HostConfig;
import io.kekvault.esxi.host.HostRuntime;
import io.kekvault.esxi.host.JobProbe;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Test-only host process: {@code kekvault host} with a {@link JobProbe} that, at one chosen step
 * of the first job of one kind, prints {@code KILLPOINT ...} and freezes the job's thread so the
 * parent test can {@code kill -9} the process exactly there.
 *
 * <p>Args: {@code CONFIG [KIND STEP]} where STEP is a {@link JobProbe.Step} name or
 * {@code progress:<fraction>} (of the first disk's bytes written to the new file).
 */
public final class HostCrashChild {
    private HostCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        JobProbe probe = args.length < 3 ? JobProbe.NONE : new FreezeAt(args[1], args[2]);
        HostRuntime rt = HostRuntime.start(HostConfig.load(config), probe);
        HostCommand.serve(rt);
    }

    static final class FreezeAt implements JobProbe {
        private final String kind;
        private final Step step;
        private final double fraction;
        private final AtomicBoolean fired = new AtomicBoolean();

        FreezeAt(String kind, String spec) {
            this.kind = kind;
            if (spec.startsWith("progress:")) {
                step = null;
                fraction = Double.parseDouble(spec.substring("progress:".length()));
            } else {
                step = Step.valueOf(spec);
                fraction = -1;
            }
        }

        @Override
        public void step(String jobKind, String vm, String component, Step s) {
            if (jobKind.equals(kind) && s == step) {
                freeze(jobKind + " " + component + " " + s);
            }
        }

        @Override
        public void progress(String jobKind, String vm, String component, long done, long total) {
            if (step == null && jobKind.equals(kind) && total > 0 && done >= fraction * total) {
                freeze(jobKind + " " + component + " progress=" + done + "/" + total);
            }
        }

        private void freeze(String where) {
            if (!fired.compareAndSet(false, true)) {
                return;
            }
            System.out.println("KILLPOINT " + where);
            System.out.flush();
            while (true) {
                LockSupport.park(this); // until the parent's SIGKILL
            }
        }
    }
}
