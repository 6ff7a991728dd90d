package io.kekvault.kms.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child JVM of {@link AuditCrashTest}: appends from four threads until killed, printing a line
 * for every append that returned. Stops by itself after a while if nobody kills it.
 */
public final class AuditCrashChild {
    static final String ACK = "ACK";
    static final String END = ".";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        AuditDurability durability = AuditDurability.valueOf(args[1]);
        String run = args[2];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        AtomicLong count = new AtomicLong();
        try (AuditLog log = AuditLog.open(AuditConfig.of(dir, "kms-crash").withDurability(durability))) {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                String thread = run + "-" + t;
                threads[t] = Thread.ofPlatform().start(() -> {
                    try {
                        for (long i = 0; System.nanoTime() < deadline && count.incrementAndGet() < 5_000_000; i++) {
                            String requestId = thread + "-" + i;
                            AuditRecord r = log.append(AuditEvent.success("esxi-" + thread, "unwrap", "key-" + (i % 13), requestId)
                                    .withDetail("padding " + "p".repeat((int) (i % 200))));
                            System.out.println(ACK + " " + r.sequence() + " " + requestId + " " + END);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                        System.exit(3);
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
