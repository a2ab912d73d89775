// Runs an embedded Neo4j 5.26 community server (Bolt on 127.0.0.1) until SIGTERM, a stop file, or stdin EOF.
package casegraph;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Usage: Neo4jLauncher --state-dir DIR --data-dir DIR [--port N] [--pagecache SIZE_MB] [--watch-stdin]
 *
 * <p>Environment: NEO4J_PASSWORD (password of user "neo4j"; when unset or empty, auth is disabled).
 *
 * <p>Files under the state dir: {@code home/<md5>} (throw-away server home made by the harness),
 * {@code logs/} (Neo4j debug log), {@code ready} (written once Bolt is up and the password is set; holds the
 * Bolt URI on line 1 and the pid on line 2), {@code stop} (create it to request a clean shutdown).
 * Database files live in the data dir and survive restarts.
 */
public final class Neo4jLauncher {
    private static final String USER = "neo4j";

    private final Path stateDir;
    private final Path readyFile;
    private final Path stopFile;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile Neo4j server;

    private Neo4jLauncher(Path stateDir) {
        this.stateDir = stateDir;
        this.readyFile = stateDir.resolve("ready");
        this.stopFile = stateDir.resolve("stop");
    }

    public static void main(String[] args) {
        Path stateDir = null;
        Path dataDir = null;
        int port = 0;
        long pagecacheMb = 512;
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--state-dir" -> stateDir = Path.of(args[++i]);
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--pagecache" -> pagecacheMb = Long.parseLong(args[++i]);
                case "--watch-stdin" -> watchStdin = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (stateDir == null || dataDir == null) {
            System.err.println("usage: Neo4jLauncher --state-dir DIR --data-dir DIR [--port N]"
                    + " [--pagecache MB] [--watch-stdin]");
            System.exit(2);
        }
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
        int rc;
        try {
            rc = new Neo4jLauncher(stateDir.toAbsolutePath()).run(
                    dataDir.toAbsolutePath(), port, pagecacheMb, password, watchStdin);
        } catch (Throwable t) {
            log("startup failed: " + t);
            t.printStackTrace();
            rc = 1;
        }
        System.exit(rc); // also ends any non-daemon threads a half-started server left behind
    }

    private int run(Path dataDir, int port, long pagecacheMb, String password, boolean watchStdin)
            throws Exception {
        Path homeParent = stateDir.resolve("home");
        Files.createDirectories(homeParent);
        Files.createDirectories(dataDir);
        Files.deleteIfExists(readyFile);
        Files.deleteIfExists(stopFile);
        removeStaleHomes(homeParent);

        boolean auth = !password.isEmpty();
        log("starting Neo4j (data=" + dataDir + ", port=" + (port == 0 ? "any" : port) + ", auth="
                + (auth ? "on" : "off") + ")");

        // SIGTERM / SIGINT run the JVM shutdown hooks: close the server there and wait for it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            shutdown("signal");
        }, "neo4j-launcher-shutdown"));

        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder(homeParent)
                .withDisabledServer() // no HTTP/HTTPS; Bolt only
                .withConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .withConfig(GraphDatabaseSettings.data_directory, dataDir)
                .withConfig(GraphDatabaseSettings.logs_directory, stateDir.resolve("logs"))
                .withConfig(GraphDatabaseSettings.pagecache_memory, pagecacheMb * 1024L * 1024L)
                .withConfig(GraphDatabaseSettings.auth_enabled, auth)
                .withConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                // Netty's default 5 s quiet period (paid twice) makes every stop take ~10 s; the stores are
                // already checkpointed and closed by the time Bolt's event loops shut down.
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        Neo4j started = builder.build();
        synchronized (this) {
            server = started;
        }
        if (stopRequested.getCount() == 0) { // SIGTERM arrived while starting
            shutdown("signal during start");
            return 0;
        }

        log("database started");
        if (auth) {
            setPassword(started, password);
        }

        URI bolt = started.boltURI();
        String uri = "bolt://127.0.0.1:" + bolt.getPort();
        Path tmp = stateDir.resolve("ready.tmp");
        Files.writeString(tmp, uri + "\n" + ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log("ready at " + uri);

        if (watchStdin) {
            Thread t = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard; we only care about EOF
                    }
                } catch (IOException ignored) {
                    // treat a broken stdin like EOF
                }
                log("stdin closed");
                stopRequested.countDown();
            }, "neo4j-launcher-stdin");
            t.setDaemon(true);
            t.start();
        }

        while (!stopRequested.await(500, TimeUnit.MILLISECONDS)) {
            if (Files.exists(stopFile)) {
                log("stop file found");
                break;
            }
        }
        shutdown("request");
        return 0;
    }

    /** Sets the password of user neo4j through the system database (no-op if it already matches). */
    private static void setPassword(Neo4j neo4j, String password) {
        GraphDatabaseService system = neo4j.databaseManagementService().database("system");
        try {
            system.executeTransactionally(
                    "ALTER USER " + USER + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            log("password of user " + USER + " set");
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("Old password and new password cannot be the same")) {
                // Kept from an earlier run with the same data dir; just make sure no change is forced.
                system.executeTransactionally("ALTER USER " + USER + " SET PASSWORD CHANGE NOT REQUIRED");
                log("password of user " + USER + " unchanged");
            } else {
                throw e;
            }
        }
    }

    /** Closes the server once; later callers return after the first close has finished. */
    private synchronized void shutdown(String why) {
        Neo4j s = server;
        server = null;
        if (s == null) {
            return;
        }
        log("shutting down (" + why + ")");
        deleteQuietly(readyFile);
        try {
            s.close();
            log("stopped cleanly");
        } catch (RuntimeException e) {
            log("error during shutdown: " + e);
        }
        deleteQuietly(stopFile);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Removes throw-away server homes left by an earlier run that was killed (32-char md5 names). */
    private static void removeStaleHomes(Path homeParent) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(homeParent)) {
            for (Path d : dirs) {
                if (Files.isDirectory(d) && d.getFileName().toString().matches("[0-9a-f]{32}")) {
                    try (Stream<Path> walk = Files.walk(d)) {
                        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    private static void log(String msg) {
        System.err.println(Instant.now() + " [launcher] " + msg);
        System.err.flush();
    }
}
