package io.kekvault.kms.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child JVM of {@link SqliteDurabilityTest}: writes to the store from three threads until it is
 * killed, printing a line for every write the store acknowledged. Stops by itself after a while
 * if nobody kills it.
 */
public final class StoreDurabilityChild {
    static final String ACK = "ACK";
    static final String END = ".";

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        AtomicLong written = new AtomicLong();
        try (MetadataStore store = SqliteMetadataStore.open(SqliteStoreConfig.of(db))) {
            Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++) {
                Random random = new Random(seed + t);
                threads[t] = Thread.ofPlatform().start(() -> {
                    try {
                        KeyRecord previous = null;
                        while (System.nanoTime() < deadline && written.incrementAndGet() < 200_000) {
                            String id = new UUID(random.nextLong(), random.nextLong()).toString();
                            KeyRecord r = store.insert(expected(id));
                            ack("insert", r);
                            if (previous != null && random.nextInt(4) == 0) {
                                ack("update", store.update(previous.toBuilder().state(KeyState.ACTIVE).build()));
                            }
                            previous = r;
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

    /** The record the child writes for an identifier; the parent checks it field by field. */
    static KeyRecord expected(String id) {
        return KeyRecord.builder()
                .id(id)
                .objectType("SYMMETRIC_KEY")
                .algorithm("AES")
                .lengthBits(256)
                .usageMask(12)
                .state(KeyState.PRE_ACTIVE)
                .owner("durability")
                .addName("name-" + id)
                .addAttribute(Attribute.text("x-Check", id))
                .hsmLabel("kekvault:" + id)
                .build();
    }

    private static void ack(String what, KeyRecord r) {
        // One println per line: the stream is synchronized, lines never interleave.
        System.out.println(ACK + " " + what + " " + r.id() + " " + r.version() + " " + END);
        System.out.flush();
    }
}
