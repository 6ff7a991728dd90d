package io.kekvault.kms.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A mixed KMS load (create, wrap, unwrap, rotate) from several clients, one thread each, that
 * remembers everything the KMS acknowledged so a test can check afterwards that none of it was
 * lost: every acknowledged wrap (with the SHA-256 of its DEK), every acknowledged key, and every
 * failure, with the non-idempotent ones whose outcome is unknown counted apart.
 *
 * <p>Each worker's choices come from a {@link Random} seeded from the load's seed, so a run can be
 * replayed in its choices (not in its timing). Wraps use any key; unwraps pick any acknowledged
 * wrap, whichever worker and node made it, and a DEK that comes back different is recorded as a
 * mismatch; rotations touch only keys the worker created.
 */
public final class ClusterLoad implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Op { CREATE, WRAP, UNWRAP, ROTATE }

    /** Relative weights of the operations. */
    public record Mix(int create, int wrap, int unwrap, int rotate) {
        public static Mix standard() {
            return new Mix(10, 40, 40, 10);
        }

        Op pick(Random r) {
            int n = r.nextInt(create + wrap + unwrap + rotate);
            if (n < create) {
                return Op.CREATE;
            }
            n -= create;
            if (n < wrap) {
                return Op.WRAP;
            }
            n -= wrap;
            return n < unwrap ? Op.UNWRAP : Op.ROTATE;
        }
    }

    /** A wrap the KMS acknowledged: the blob and the digest of the DEK it holds. */
    public record AckedWrap(String keyId, byte[] blob, byte[] aad, byte[] dekSha256) {
    }

    /**
     * A failed call. {@code ambiguous}: a non-idempotent call (create, rotate) whose request was
     * sent but whose answer was lost, so it may have taken effect (the client said so and did not
     * repeat it). {@code name}: the unique name a create carried, if any.
     */
    public record Failure(int worker, Op op, String code, String message, boolean ambiguous, String name, long atNanos) {
        /**
         * Two clients rotated the same key at once and this one lost the compare-and-set: a clean
         * refusal (409) that changed nothing, on one node as on several.
         */
        public boolean lostRotationRace() {
            return op == Op.ROTATE && "illegal_operation".equals(code) && message != null
                    && message.contains("changed concurrently");
        }
    }

    private final List<KmsHttpClient> clients;
    private final Mix mix;
    private final long seed;
    private final String namePrefix;
    private final boolean verifyUnwraps;
    // Random access from every worker, appends from every worker: a locked list (a copy-on-write
    // one would copy the whole list at each of the hundred-thousands of appends of a long run).
    private final List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Set<String> ackedKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, String> ackedNames = new ConcurrentHashMap<>();
    private final List<AckedWrap> wraps = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final Map<Op, AtomicLong> opAcks = new EnumMap<>(Op.class);
    private final List<long[]> latencies = new CopyOnWriteArrayList<>();
    private final List<byte[]> latencyOps = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    /**
     * @param initialKeys  active keys every client may wrap with (more join as they are created)
     * @param namePrefix   creates carry the name {@code <prefix>-w<worker>-<n>}, unique per call
     */
    public ClusterLoad(List<KmsHttpClient> clients, Mix mix, long seed, List<String> initialKeys, String namePrefix,
                       boolean verifyUnwraps) {
        this.clients = List.copyOf(clients);
        this.mix = mix;
        this.seed = seed;
        this.namePrefix = namePrefix;
        this.verifyUnwraps = verifyUnwraps;
        this.keys.addAll(initialKeys);
        for (Op op : Op.values()) {
            opAcks.put(op, new AtomicLong());
        }
    }

    public ClusterLoad start() {
        Random seeds = new Random(seed);
        for (int w = 0; w < clients.size(); w++) {
            int worker = w;
            long workerSeed = seeds.nextLong();
            latencies.add(new long[1 << 16]);
            latencyOps.add(new byte[1 << 16]);
            threads.add(Thread.ofPlatform().name("load-" + w).start(() -> run(worker, workerSeed)));
        }
        return this;
    }

    private void run(int worker, long workerSeed) {
        Random r = new Random(workerSeed);
        SecureRandom dekRandom = new SecureRandom();
        KmsHttpClient c = clients.get(worker);
        // Each worker rotates only keys it made itself, as one owner rotates a VM's key: two
        // clients rotating the same key at once would be a real conflict (409), not load.
        List<String> mine = new ArrayList<>();
        int seq = 0;
        while (!stopping) {
            Op op = mix.pick(r);
            if (op == Op.ROTATE && mine.isEmpty()) {
                op = Op.CREATE;
            }
            if ((op == Op.UNWRAP && wraps.isEmpty()) || (op == Op.WRAP && keys.isEmpty())) {
                op = keys.isEmpty() ? Op.CREATE : Op.WRAP;
            }
            String name = op == Op.CREATE ? namePrefix + "-w" + worker + "-" + (seq++) : null;
            long start = System.nanoTime();
            try {
                switch (op) {
                    case CREATE -> {
                        JsonNode k = c.createKey(JSON.createObjectNode().put("name", name).put("activate", true));
                        String id = k.get("id").asText();
                        ackedKeys.add(id);
                        ackedNames.put(name, id);
                        keys.add(id);
                        mine.add(id);
                    }
                    case ROTATE -> {
                        String old = mine.get(r.nextInt(mine.size()));
                        String id = c.rotate(old).get("id").asText();
                        ackedKeys.add(id);
                        keys.add(id);
                        mine.add(id);
                    }
                    case WRAP -> {
                        String keyId = pick(keys, r);
                        byte[] aad = ("vm-" + r.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
                        try (SecretBytes dek = SecretBytes.random(64, dekRandom)) {
                            byte[] blob = c.wrap(keyId, List.of(new KmsHttpClient.WrapItem(dek, aad))).getFirst();
                            wraps.add(new AckedWrap(keyId, blob, aad, sha256(dek.expose())));
                        }
                    }
                    case UNWRAP -> {
                        AckedWrap w = pick(wraps, r);
                        try (SecretBytes dek = c.unwrap(List.of(new KmsHttpClient.WrappedItem(w.blob(), w.aad()))).getFirst()) {
                            if (verifyUnwraps && !MessageDigest.isEqual(sha256(dek.expose()), w.dekSha256())) {
                                mismatches.incrementAndGet();
                            }
                        }
                    }
                }
                record(worker, op, System.nanoTime() - start);
                opAcks.get(op).incrementAndGet();
                acks.incrementAndGet();
            } catch (KmsException e) {
                boolean ambiguous = e.getMessage() != null && e.getMessage().contains("may have taken effect");
                failures.add(new Failure(worker, op, e.errorCode(), e.getMessage(), ambiguous, name, System.nanoTime()));
            } catch (RuntimeException e) {
                failures.add(new Failure(worker, op, e.getClass().getSimpleName(), String.valueOf(e.getMessage()), false, name,
                        System.nanoTime()));
            }
        }
    }

    private static <T> T pick(List<T> list, Random r) {
        synchronized (list) {
            return list.get(r.nextInt(list.size()));
        }
    }

    private final ConcurrentHashMap<Integer, Integer> counts = new ConcurrentHashMap<>();

    private void record(int worker, Op op, long nanos) {
        long[] lat = latencies.get(worker);
        byte[] ops = latencyOps.get(worker);
        int n = counts.merge(worker, 1, Integer::sum) - 1;
        if (n >= lat.length) {
            lat = Arrays.copyOf(lat, lat.length * 2);
            ops = Arrays.copyOf(ops, ops.length * 2);
            latencies.set(worker, lat);
            latencyOps.set(worker, ops);
        }
        lat[n] = nanos;
        ops[n] = (byte) op.ordinal();
    }

    /** Stops the workers and waits for them (each finishes its call in flight). */
    public void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(120));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not stop within 120 s");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Waits (bounded) until {@code more} further operations were acknowledged. */
    public void awaitMoreAcks(long more, Duration timeout) {
        long target = acks.get() + more;
        awaitCondition(timeout, () -> acks.get() >= target, "acknowledged operations to reach " + target + " (now "
                + acks.get() + ", failures " + failures.size() + ")");
    }

    /** Polls a condition until it holds or the deadline passes (then fails with {@code what}). */
    public static void awaitCondition(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    public long seed() {
        return seed;
    }

    public long acks() {
        return acks.get();
    }

    public long acks(Op op) {
        return opAcks.get(op).get();
    }

    public long mismatches() {
        return mismatches.get();
    }

    public List<AckedWrap> ackedWraps() {
        synchronized (wraps) {
            return List.copyOf(wraps);
        }
    }

    /** Keys created or rotated with an acknowledgement. */
    public Set<String> ackedKeys() {
        return Set.copyOf(ackedKeys);
    }

    /** Create name -> key id, for acknowledged creates. */
    public Map<String, String> ackedNames() {
        return Map.copyOf(ackedNames);
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    public long ambiguous(Op op) {
        return failures.stream().filter(f -> f.op() == op && f.ambiguous()).count();
    }

    /** Every recorded latency of an acknowledged call, in nanoseconds, sorted. */
    public long[] sortedLatencies() {
        return sortedLatencies(null);
    }

    /** The recorded latencies of acknowledged {@code op} calls (all when null), in nanoseconds, sorted. */
    public long[] sortedLatencies(Op op) {
        java.util.stream.LongStream.Builder b = java.util.stream.LongStream.builder();
        for (int w = 0; w < latencies.size(); w++) {
            int n = counts.getOrDefault(w, 0);
            long[] lat = latencies.get(w);
            byte[] ops = latencyOps.get(w);
            for (int i = 0; i < n; i++) {
                if (op == null || ops[i] == op.ordinal()) {
                    b.add(lat[i]);
                }
            }
        }
        long[] all = b.build().toArray();
        Arrays.sort(all);
        return all;
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
