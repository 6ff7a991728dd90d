package io.kekvault.esxi.vm;

import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VM open on this host: its disks ready for sector I/O and its DEKs, which exist in clear only
 * here, in {@link SecretBytes}, until {@link #close()} zeroizes them.
 */
public final class OpenVm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenVm.class);

    private final String name;
    private final String uuid;
    private final SecretBytes homeDek;
    private final Map<String, SecretBytes> diskDeks;
    private final Map<String, DiskIo> disks;
    private boolean closed;

    public OpenVm(String name, String uuid, SecretBytes homeDek, Map<String, SecretBytes> diskDeks, Map<String, DiskIo> disks) {
        this.name = name;
        this.uuid = uuid;
        this.homeDek = homeDek;
        this.diskDeks = new LinkedHashMap<>(diskDeks);
        this.disks = new LinkedHashMap<>(disks);
    }

    public String name() {
        return name;
    }

    public String uuid() {
        return uuid;
    }

    public DiskIo disk(String disk) {
        return disks.get(disk);
    }

    public Map<String, DiskIo> disks() {
        return disks;
    }

    /** Number of clear DEKs this VM holds (home and disks). */
    public int keysHeld() {
        return (homeDek == null ? 0 : 1) + diskDeks.size();
    }

    /** Flushes and closes the disks and zeroizes every DEK. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Map.Entry<String, DiskIo> e : disks.entrySet()) {
            try {
                e.getValue().flush();
            } catch (IOException | RuntimeException ex) {
                LOG.warn("event=disk_flush_failed vm={} disk={} error={}", name, e.getKey(), ex.toString());
            }
            try {
                e.getValue().close();
            } catch (IOException ex) {
                LOG.warn("event=disk_close_failed vm={} disk={} error={}", name, e.getKey(), ex.toString());
            }
        }
        if (homeDek != null) {
            homeDek.close();
        }
        diskDeks.values().forEach(SecretBytes::close);
    }

    @Override
    public String toString() {
        return "OpenVm[" + name + ", disks=" + disks.keySet() + ", keys=" + keysHeld() + " redacted]";
    }
}
