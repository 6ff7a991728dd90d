package io.kekvault.kms.dev;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away PostgreSQL server from Debian's packages, for tests, benchmarks and the demo (never
 * for production: see docs/runbooks/ha-deployment.md): a fresh cluster in a temporary directory, on
 * a free loopback port, with password (SCRAM) authentication over TCP. The superuser password and
 * each database's password are random; a database's password sits in a 0600 file, never in a log.
 *
 * <p>{@code initdb} refuses to run as root, so when this JVM is root the cluster belongs to the
 * {@code postgres} system user (or {@code nobody}) and every PostgreSQL tool runs through
 * {@code setpriv}. Start and stop wait for the server ({@code pg_ctl -w}, then a login), never a
 * fixed delay. {@link #close()} stops the server and removes the directory; a shutdown hook does
 * the same if the JVM exits first. Missing PostgreSQL fails loudly, with what to install.
 *
 * <p>Clusters run with {@code fsync=off} (unless {@link Options#durable}): a stopped or
 * crashed <em>server process</em> still loses nothing, since committed WAL is written to the
 * operating system at every commit; only an operating-system crash could, and no test makes one.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    /** How {@link #stop} stops the server: fast = clean shutdown, immediate = crash (recovery at start). */
    public enum StopMode {
        FAST, IMMEDIATE;

        String arg() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @param durable fsync on (benchmarks), off (tests) */
    public record Options(boolean durable, int maxConnections) {
        public static Options forTests() {
            return new Options(false, 100);
        }
    }

    public static final String SUPERUSER = "kvadmin";
    private static final Path PG_ROOT = Path.of("/usr/lib/postgresql");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path logFile;
    private final String runAs;        // null: run the tools as this user
    private final Options options;
    private final String superPassword;
    private final Thread shutdownHook;
    private int port;
    private volatile boolean running;
    private boolean icu;

    private PostgresServer(Path bin, Path dir, String runAs, Options options, String superPassword) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.logFile = dir.resolve("postgres.log");
        this.runAs = runAs;
        this.options = options;
        this.superPassword = superPassword;
        this.shutdownHook = new Thread(this::stopQuietly, "postgres-test-shutdown");
    }

    /** The directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}, or a loud failure. */
    public static Path requireInstalled() {
        String override = System.getenv("KEKVAULT_PG_BIN");
        if (override != null && Files.isExecutable(Path.of(override, "pg_ctl"))) {
            return Path.of(override);
        }
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(PG_ROOT)) {
            try (Stream<Path> versions = Files.list(PG_ROOT)) {
                versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl"))
                                && Files.isExecutable(b.resolve("postgres")))
                        .forEach(found::add);
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + PG_ROOT, e);
            }
        }
        return found.stream()
                .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())))
                .orElseThrow(() -> new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under "
                        + PG_ROOT + "/<version>/bin. Install the Debian package: apt-get install postgresql "
                        + "(./kekvault test installs it), or set KEKVAULT_PG_BIN to the directory holding pg_ctl."));
    }

    private static int versionOf(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Initializes and starts a new cluster with test options. */
    public static PostgresServer launch() throws Exception {
        return launch(Options.forTests());
    }

    /** Initializes and starts a new cluster. */
    public static PostgresServer launch(Options options) throws Exception {
        Path bin = requireInstalled();
        String runAs = isRoot() ? systemUser() : null;
        Path dir = Files.createTempDirectory("kekvault-pg-");
        String password = HexFormat.of().formatHex(randomBytes(16));
        PostgresServer s = new PostgresServer(bin, dir, runAs, options, password);
        try {
            s.init();
            Runtime.getRuntime().addShutdownHook(s.shutdownHook);
            s.startOnFreePort();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** The system user that owns clusters made by root: postgres (Debian's package creates it), else nobody. */
    private static String systemUser() {
        for (String u : List.of("postgres", "nobody")) {
            try {
                Process p = new ProcessBuilder("id", "-u", u).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return u;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run id(1)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("running as root, but neither the postgres nor the nobody user exists to own the cluster");
    }

    private void init() throws Exception {
        Path pwFile = dir.resolve("superuser-password");
        Files.writeString(pwFile, superPassword + "\n");
        if (runAs != null) {
            giveToRunAs(dir);
            giveToRunAs(pwFile);
        }
        List<String> base = List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                "--pwfile=" + pwFile, "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--no-sync");
        // An ICU linguistic default collation (where 'B' sorts after 'a') proves that the store
        // lists in byte order whatever the database's collation; plain C.UTF-8 if ICU is missing.
        List<String> withIcu = new ArrayList<>(base);
        withIcu.addAll(List.of("--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en"));
        Result r = run(withIcu, Duration.ofSeconds(120));
        icu = r.ok();
        if (!icu) {
            deleteTree(data);
            List<String> plain = new ArrayList<>(base);
            plain.add("--locale=C.UTF-8");
            run(plain, Duration.ofSeconds(120)).orThrow("initdb");
        }
        Files.delete(pwFile);
        log.info("event=postgres_initialised data={} version={} owner={} collation={} fsync={}", data,
                bin.getParent().getFileName(), runAs == null ? "this-user" : runAs, icu ? "icu-en" : "C.UTF-8",
                options.durable() ? "on" : "off");
    }

    private void startOnFreePort() throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                last = e; // the port was taken between probing and binding: try another
            }
        }
        throw last;
    }

    /** Starts the (stopped) server on its port and waits until it accepts logins. */
    public synchronized void start() throws Exception {
        String opts = String.join(" ", List.of("-c", "listen_addresses=127.0.0.1", "-c", "port=" + port,
                "-c", "unix_socket_directories=" + dir, "-c", "max_connections=" + options.maxConnections(),
                "-c", "fsync=" + (options.durable() ? "on" : "off"),
                "-c", "full_page_writes=" + (options.durable() ? "on" : "off"),
                "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning", "-c", "log_connections=off"));
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", logFile.toString(), "-o", opts,
                "-w", "-t", "120", "start"), Duration.ofSeconds(150)).orThrow("pg_ctl start (log: " + logFile + ")");
        running = true;
        // pg_ctl -w saw the server ready; a login proves the TCP listener and password auth too.
        try (Connection c = admin("postgres")) {
            c.isValid(10);
        }
    }

    /** Stops the server; {@link StopMode#IMMEDIATE} is a crash: the next start runs recovery. */
    public synchronized void stop(StopMode mode) throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode.arg(), "-w", "-t", "120", "stop"),
                Duration.ofSeconds(150)).orThrow("pg_ctl stop -m " + mode.arg());
        running = false;
    }

    public boolean isRunning() {
        return running;
    }

    public int port() {
        return port;
    }

    /** The cluster's directory (data, log, client password files). */
    public Path directory() {
        return dir;
    }

    public Path logFile() {
        return logFile;
    }

    /** True if the cluster's default collation is ICU (linguistic order), false for C.UTF-8. */
    public boolean linguisticCollation() {
        return icu;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A superuser connection (autocommit) to {@code database}. */
    public Connection admin(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", superPassword);
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /**
     * A new database owned by a new login role with a random password (in a 0600 file), as a KMS
     * deployment would have. {@code hint} becomes part of the names.
     */
    public PostgresDatabase createDatabase(String hint) throws Exception {
        String name = (hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_") + "_" + DATABASES.incrementAndGet());
        if (name.length() > 40) {
            name = name.substring(name.length() - 40);
        }
        name = "kv_" + name;
        String password = HexFormat.of().formatHex(randomBytes(16));
        try (Connection c = admin("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
            s.execute("CREATE DATABASE " + name + " OWNER " + name);
        }
        Path secrets = Files.createDirectories(dir.resolve("client-secrets"));
        Path pw = Files.createFile(secrets.resolve(name + ".password"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pw, password + "\n");
        return new PostgresDatabase(this, name, name, pw);
    }

    /** Runs one SQL statement as superuser in {@code database}; returns the first column of the first row, if any. */
    public String query(String database, String sql) throws SQLException {
        try (Connection c = admin(database); PreparedStatement ps = c.prepareStatement(sql)) {
            if (!ps.execute()) {
                return null;
            }
            try (ResultSet rs = ps.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or never registered
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            log.warn("event=postgres_cleanup_failed dir={} error={}", dir, e.toString());
        }
    }

    private void stopQuietly() {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                stop(StopMode.IMMEDIATE);
            } catch (Exception e) {
                log.warn("event=postgres_stop_failed data={} error={}", data, e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    private record Result(int exit, String output, List<String> cmd) {
        boolean ok() {
            return exit == 0;
        }

        void orThrow(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed (exit " + exit + "): " + String.join(" ", cmd) + "\n" + output);
            }
        }
    }

    private Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (runAs != null) {
            full.addAll(List.of("setpriv", "--reuid=" + runAs, "--regid=" + primaryGroup(runAs), "--clear-groups", "--"));
        }
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().put("LC_ALL", "C.UTF-8");
        File out = File.createTempFile("pg-tool-", ".out");
        try {
            pb.redirectOutput(out);
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out.toPath()), full);
        } finally {
            out.delete();
        }
    }

    private static String primaryGroup(String user) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-g", user).start();
        String g = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return g;
    }

    private void giveToRunAs(Path p) throws IOException, InterruptedException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(runAs);
        Files.setOwner(p, user);
        String gid = primaryGroup(runAs);
        Process g = new ProcessBuilder("chgrp", gid, p.toString()).redirectErrorStream(true).start();
        g.getInputStream().readAllBytes();
        g.waitFor(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
