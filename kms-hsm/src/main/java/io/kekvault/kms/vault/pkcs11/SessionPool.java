package io.kekvault.kms.vault.pkcs11;

import io.kekvault.kms.vault.Ckr;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * A bounded pool of logged-in read-write sessions. At most {@code capacity} sessions are open;
 * a borrower waits for a free one (bounded) rather than opening more. LIFO reuse keeps the
 * working set small. A session returned as unhealthy is closed, never reused.
 */
final class SessionPool {
    interface Opener {
        Session open() throws PKCS11Exception;
    }

    private static final long BORROW_TIMEOUT_SECONDS = 30;

    private final int capacity;
    private final Opener opener;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Session> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean closed;

    SessionPool(int capacity, Opener opener) {
        this.capacity = capacity;
        this.opener = opener;
        this.permits = new Semaphore(capacity, false);
    }

    Session borrow() throws PKCS11Exception {
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new PKCS11Exception(Ckr.SESSION_COUNT, "session pool exhausted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PKCS11Exception(Ckr.SESSION_COUNT, "interrupted waiting for a session");
        }
        Session s = idle.pollFirst();
        if (s != null) {
            return s;
        }
        try {
            s = opener.open();
            open.incrementAndGet();
            return s;
        } catch (PKCS11Exception | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    void release(Session s, boolean healthy) {
        if (healthy && !closed) {
            idle.offerFirst(s);
        } else {
            open.decrementAndGet();
            discarded.incrementAndGet();
            Pkcs11Vault.closeQuietly(s);
        }
        permits.release();
    }

    /** Closes every idle session (they may all be dead after a module or login loss). */
    void discardIdle() {
        Session s;
        while ((s = idle.pollFirst()) != null) {
            open.decrementAndGet();
            discarded.incrementAndGet();
            Pkcs11Vault.closeQuietly(s);
        }
    }

    int open() {
        return open.get();
    }

    int idle() {
        return idle.size();
    }

    int capacity() {
        return capacity;
    }

    long discarded() {
        return discarded.get();
    }

    void close() {
        closed = true;
        discardIdle();
    }
}
