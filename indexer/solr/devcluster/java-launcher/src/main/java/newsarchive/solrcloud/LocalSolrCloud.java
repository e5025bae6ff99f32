package newsarchive.solrcloud;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A local SolrCloud for integration tests: one embedded ZooKeeper (in this, the supervisor's, JVM)
 * and N Solr nodes, each a real Jetty in a JVM of its own, all bound to 127.0.0.1.
 *
 * <pre>
 *   LocalSolrCloud [--nodes N] [--base-dir DIR] [--json FILE] [--zk-port P] [--ports P1,P2,..]
 *                  [--node-heap 512m] [--default-confdir DIR] [--security FILE] [--exit-on-stdin-eof]
 *                  [--watch-pid PID]
 *   LocalSolrCloud node --home DIR --port P --zk HOST:PORT [--parent-pid PID]   (internal)
 * </pre>
 *
 * <p>Once every node answers its health check, the supervisor writes the JSON file (ZooKeeper
 * address, each node's base URL, port and PID) and prints "READY". It reads control lines on stdin:
 * {@code stop I} (SIGTERM node I), {@code kill I} (SIGKILL), {@code start I} (restart it on the same
 * port and home), {@code status}, {@code quit}; each change is printed as a line starting with
 * "EVENT" and rewrites the JSON file. SIGTERM stops every node, then ZooKeeper.
 *
 * <p>{@code --security FILE} puts FILE into ZooKeeper as /security.json before the first node starts (a secured
 * cluster, e.g. basic authentication); the health checks then send the credentials in the environment variable
 * LOCAL_SOLRCLOUD_AUTH ({@code user:password}), never on the command line.
 */
public final class LocalSolrCloud {

  private static final PrintStream OUT = System.out;
  private static final String AUTH = System.getenv("LOCAL_SOLRCLOUD_AUTH");

  // ------------------------------------------------------------------ node mode (one per JVM)

  static void runNode(String[] args) throws Exception {
    String home = null, zk = null;
    int port = 0;
    long parentPid = -1;
    int portRetrySeconds = 60;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--home" -> home = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--zk" -> zk = args[++i];
        case "--parent-pid" -> parentPid = Long.parseLong(args[++i]);
        case "--port-retry" -> portRetrySeconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown node option " + args[i]);
      }
    }
    if (home == null || zk == null || port <= 0) {
      throw new IllegalArgumentException("node needs --home, --zk and --port");
    }
    Properties nodeProps = new Properties();
    nodeProps.setProperty("zkHost", zk);
    JettyConfig config =
        JettyConfig.builder()
            .setContext("/solr")
            .setPort(port)
            .withPortRetryTime(portRetrySeconds) // a restart waits for its old port; a first start does not
            .enableV2(true) // /api/... (the V2 API, e.g. PUT /api/configsets/NAME)
            .stopAtShutdown(false) // our own hook below stops it, once
            .build();
    JettySolrRunner jetty = new JettySolrRunner(home, nodeProps, config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    jetty.stop();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "solr-node-shutdown"));
    if (parentPid > 0) {
      // Never outlive the supervisor, even if it is SIGKILLed. Its ZooKeeper is gone with it, so a clean
      // shutdown would only wait for ZooKeeper time-outs (about 20 s): halt at once.
      ProcessHandle.of(parentPid)
          .ifPresentOrElse(
              p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
              () -> Runtime.getRuntime().halt(3));
    }
    try {
      jetty.start();
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(2); // the hook stops what did start (Solr joins ZooKeeper before Jetty binds its port)
    }
    OUT.println("NODE-STARTED " + jetty.getBaseUrl());
    OUT.flush();
    stopped.await();
  }

  // ------------------------------------------------------------------ supervisor

  private static final class Node {
    final int index;
    volatile int port; // chosen once: a restarted node must come back on it (its node name is 127.0.0.1:PORT_solr)
    final Path home;
    final Path log;
    volatile Process process;
    volatile String state = "new"; // new, starting, up, stopping, down
    volatile boolean everUp;

    Node(int index, int port, Path home, Path log) {
      // (port may still change before the node first answers, if another process took it meanwhile)
      this.index = index;
      this.port = port;
      this.home = home;
      this.log = log;
    }

    String baseUrl() {
      return "http://127.0.0.1:" + port + "/solr";
    }

    long pid() {
      Process p = process;
      return p == null || !p.isAlive() ? -1 : p.pid();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final Path baseDir;
  private final Path jsonFile;
  private final String nodeHeap;
  private final String defaultConfDir;
  private final int zkPortWanted;
  private final Path securityFile;
  private ZooKeeperServer zkServer;
  private ServerCnxnFactory zkFactory;
  private int zkPort;
  private volatile boolean shuttingDown;
  private volatile boolean ready; // the JSON file is written only once every node has answered
  private final long startNanos = System.nanoTime();

  private LocalSolrCloud(
      Path baseDir,
      Path jsonFile,
      String nodeHeap,
      String defaultConfDir,
      int zkPortWanted,
      Path securityFile) {
    this.securityFile = securityFile;
    this.baseDir = baseDir;
    this.jsonFile = jsonFile;
    this.nodeHeap = nodeHeap;
    this.defaultConfDir = defaultConfDir;
    this.zkPortWanted = zkPortWanted;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("node")) {
      runNode(args);
      return;
    }
    int n = 2;
    Path base = null, json = null, security = null;
    String heap = "512m", defaultConf = null;
    int zkPort = 0;
    int[] ports = null;
    boolean exitOnEof = false;
    long watchPid = -1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> n = Integer.parseInt(args[++i]);
        case "--base-dir" -> base = Path.of(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--zk-port" -> zkPort = Integer.parseInt(args[++i]);
        case "--ports" -> {
          String[] parts = args[++i].split(",");
          ports = new int[parts.length];
          for (int j = 0; j < parts.length; j++) ports[j] = Integer.parseInt(parts[j].trim());
        }
        case "--node-heap" -> heap = args[++i];
        case "--default-confdir" -> defaultConf = Path.of(args[++i]).toAbsolutePath().toString();
        case "--security" -> security = Path.of(args[++i]).toAbsolutePath();
        case "--exit-on-stdin-eof" -> exitOnEof = true;
        case "--watch-pid" -> watchPid = Long.parseLong(args[++i]);
        case "-h", "--help" -> {
          OUT.println(
              "usage: LocalSolrCloud [--nodes N] [--base-dir DIR] [--json FILE] [--zk-port P]"
                  + " [--ports P1,P2,..] [--node-heap 512m] [--default-confdir DIR]"
                  + " [--security FILE] [--exit-on-stdin-eof] [--watch-pid PID]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (n < 1) throw new IllegalArgumentException("--nodes must be >= 1");
    if (ports != null && ports.length != n) {
      throw new IllegalArgumentException("--ports must list exactly " + n + " ports");
    }
    if (base == null) base = Files.createTempDirectory("local-solrcloud");
    base = base.toAbsolutePath();
    if (json == null) json = base.resolve("cluster.json");
    LocalSolrCloud cloud =
        new LocalSolrCloud(base, json.toAbsolutePath(), heap, defaultConf, zkPort, security);
    if (watchPid > 0) {
      // Shared by several processes (pytest-xdist workers), the cluster belongs to the one that runs them all:
      // never outlive it, even if it is SIGKILLed. exit() runs the shutdown hook: nodes, then ZooKeeper.
      ProcessHandle.of(watchPid)
          .ifPresentOrElse(
              p -> p.onExit().thenRun(() -> System.exit(0)),
              () -> System.exit(1));
    }
    try {
      cloud.run(n, ports, exitOnEof);
    } catch (Exception e) {
      event("error " + e.getMessage());
      e.printStackTrace();
      System.exit(1); // ZooKeeper's threads would keep the JVM up; the hook stops every node and ZooKeeper
    }
  }

  private void run(int n, int[] ports, boolean exitOnEof) throws Exception {
    boolean explicitPorts = ports != null;
    Files.createDirectories(baseDir);
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "local-solrcloud-shutdown"));
    startZooKeeper();
    event("zookeeper up 127.0.0.1:" + zkPort);
    if (securityFile != null) {
      putSecurity(Files.readAllBytes(securityFile));
      event("security.json in ZooKeeper from " + securityFile);
    }
    for (int i = 1; i <= n; i++) {
      int port = ports != null ? ports[i - 1] : freePort();
      Path home = baseDir.resolve("node" + i);
      Files.createDirectories(home);
      writeSolrXml(home);
      nodes.add(new Node(i, port, home, baseDir.resolve("node" + i + ".log")));
    }
    for (Node node : nodes) launch(node);
    for (Node node : nodes) {
      for (int attempt = 1; ; attempt++) {
        try {
          awaitUp(node, 180);
          break;
        } catch (IllegalStateException e) {
          // A free port is found by binding port 0 and closing it, so another process may take it before the
          // node binds it: then try another port (only now, before the node first answered, never on a restart).
          if (attempt >= 3 || explicitPorts || !Files.readString(node.log).contains("Address already in use")) {
            throw e;
          }
          int old = node.port;
          node.port = freePort();
          event("node " + node.index + " port " + old + " was taken, retrying on " + node.port);
          launch(node);
        }
      }
    }
    ready = true;
    writeJson();
    OUT.printf(
        Locale.ROOT,
        "READY %d nodes in %.1f s, json %s%n",
        n,
        (System.nanoTime() - startNanos) / 1e9,
        jsonFile);
    OUT.flush();
    controlLoop(exitOnEof);
  }

  private void controlLoop(boolean exitOnEof) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while (true) {
      try {
        line = in.readLine();
      } catch (IOException e) {
        line = null;
      }
      if (line == null) {
        if (exitOnEof) {
          event("stdin closed, quitting");
          System.exit(0);
        }
        // No controller (e.g. started from a script with stdin at /dev/null): run until SIGTERM.
        new CountDownLatch(1).await();
      }
      String[] words = line.trim().split("\\s+");
      if (words.length == 0 || words[0].isEmpty()) continue;
      try {
        switch (words[0]) {
          case "stop" -> stopNode(node(words), false);
          case "kill" -> stopNode(node(words), true);
          case "start" -> {
            Node node = node(words);
            if (node.pid() > 0) {
              event("error node " + node.index + " is already running");
            } else {
              launch(node);
              awaitUp(node, 180);
            }
          }
          case "status" -> {
            for (Node node : nodes) {
              OUT.println(
                  "STATUS node " + node.index + " " + node.state + " pid " + node.pid() + " "
                      + node.baseUrl());
            }
            OUT.println("STATUS end");
            OUT.flush();
          }
          case "quit", "exit" -> {
            event("quitting");
            System.exit(0);
          }
          default -> event("error unknown command: " + line.trim());
        }
      } catch (IllegalArgumentException e) {
        event("error " + e.getMessage());
      }
    }
  }

  private Node node(String[] words) {
    if (words.length != 2) throw new IllegalArgumentException("usage: " + words[0] + " INDEX");
    int i;
    try {
      i = Integer.parseInt(words[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a node index: " + words[1]);
    }
    if (i < 1 || i > nodes.size()) throw new IllegalArgumentException("no node " + i);
    return nodes.get(i - 1);
  }

  private static synchronized void event(String what) {
    OUT.println("EVENT " + what);
    OUT.flush();
  }

  // ------------------------------------------------------------------ ZooKeeper

  private void startZooKeeper() throws Exception {
    Path zkDir = baseDir.resolve("zookeeper");
    Files.createDirectories(zkDir);
    // tickTime 1000 ms: sessions may last 2 s .. 20 s (Solr asks for solr.zkclienttimeout).
    zkServer = new ZooKeeperServer(zkDir.toFile(), zkDir.toFile(), 1000);
    zkFactory =
        ServerCnxnFactory.createFactory(
            new InetSocketAddress(InetAddress.getByName("127.0.0.1"), zkPortWanted), 200);
    zkFactory.startup(zkServer);
    zkPort = zkFactory.getLocalPort();
  }

  /** Write /security.json into ZooKeeper (created, or replaced: a restarted cluster takes the file given now). */
  private void putSecurity(byte[] data) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            "127.0.0.1:" + zkPort,
            10000,
            e -> {
              if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            });
    try {
      if (!connected.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not connect to ZooKeeper to write /security.json");
      }
      if (zk.exists("/security.json", false) == null) {
        zk.create("/security.json", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } else {
        zk.setData("/security.json", data, -1);
      }
    } finally {
      zk.close();
    }
  }

  // ------------------------------------------------------------------ nodes

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  private static void writeSolrXml(Path home) throws IOException {
    Path target = home.resolve("solr.xml");
    if (Files.exists(target)) return;
    try (var in = LocalSolrCloud.class.getResourceAsStream("/solr.xml")) {
      if (in == null) throw new IOException("solr.xml missing from the class path");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void launch(Node node) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xms64m");
    cmd.add("-Xmx" + nodeHeap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xss512k");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Dsolr.zkclienttimeout=" + System.getProperty("solr.zkclienttimeout", "10000"));
    cmd.add("-Dsolr.log.dir=" + baseDir);
    cmd.add("-Dsolr.log.level=" + System.getProperty("solr.log.level", "WARN"));
    cmd.add("-Dsolr.node.index=" + node.index);
    if (defaultConfDir != null) cmd.add("-Dsolr.default.confdir=" + defaultConfDir);
    String extra = System.getenv("LOCAL_SOLRCLOUD_NODE_OPTS");
    if (extra != null && !extra.isBlank()) {
      for (String opt : extra.trim().split("\\s+")) cmd.add(opt);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LocalSolrCloud.class.getName());
    cmd.add("node");
    cmd.add("--home");
    cmd.add(node.home.toString());
    cmd.add("--port");
    cmd.add(Integer.toString(node.port));
    cmd.add("--zk");
    cmd.add("127.0.0.1:" + zkPort);
    cmd.add("--port-retry");
    cmd.add(node.everUp ? "60" : "0");
    cmd.add("--parent-pid");
    cmd.add(Long.toString(ProcessHandle.current().pid()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(node.log.toFile()));
    pb.redirectInput(new File("/dev/null"));
    node.state = "starting";
    Process p = pb.start();
    node.process = p;
    event("node " + node.index + " starting pid " + p.pid() + " port " + node.port);
    p.onExit()
        .thenAccept(
            proc -> {
              if (node.process == proc) {
                node.state = "down";
                if (!shuttingDown) {
                  event("node " + node.index + " exited pid " + proc.pid() + " code " + proc.exitValue());
                  try {
                    writeJson();
                  } catch (IOException e) {
                    e.printStackTrace();
                  }
                }
              }
            });
  }

  /** Up = the node's health check says OK, i.e. it is in ZooKeeper's live_nodes. */
  private void awaitUp(Node node, int timeoutSeconds) throws Exception {
    // (writes the JSON file, then prints "EVENT node I up ...")
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long t0 = System.nanoTime();
    Process p = node.process;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "node " + node.index + " died while starting; see " + node.log);
      }
      if (httpOk(node.baseUrl() + "/admin/info/health?wt=json")) {
        node.state = "up";
        node.everUp = true;
        writeJson(); // before the event: whoever waits for it then reads the new PID
        event(
            String.format(
                Locale.ROOT,
                "node %d up pid %d %s in %.1f s",
                node.index,
                p.pid(),
                node.baseUrl(),
                (System.nanoTime() - t0) / 1e9));
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node " + node.index + " not up after " + timeoutSeconds + " s");
  }

  private static boolean httpOk(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      if (AUTH != null && !AUTH.isEmpty()) {
        String token = Base64.getEncoder().encodeToString(AUTH.getBytes(StandardCharsets.UTF_8));
        c.setRequestProperty("Authorization", "Basic " + token);
      }
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private void stopNode(Node node, boolean force) throws InterruptedException {
    Process p = node.process;
    if (p == null || !p.isAlive()) {
      event("error node " + node.index + " is not running");
      return;
    }
    node.state = "stopping";
    if (force) p.destroyForcibly();
    else p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    node.state = "down";
    try {
      writeJson();
    } catch (IOException e) {
      e.printStackTrace();
    }
    event("node " + node.index + (force ? " killed" : " stopped") + " pid " + p.pid());
  }

  private void shutdown() {
    shuttingDown = true;
    for (Node node : nodes) {
      Process p = node.process;
      if (p != null && p.isAlive()) p.destroy(); // SIGTERM: each node's hook stops Jetty and Solr
    }
    for (Node node : nodes) {
      Process p = node.process;
      if (p == null) continue;
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    if (zkFactory != null) zkFactory.shutdown();
    if (zkServer != null) zkServer.shutdown();
    OUT.println("EVENT stopped");
    OUT.flush();
  }

  // ------------------------------------------------------------------ JSON

  private synchronized void writeJson() throws IOException {
    if (!ready) return;
    StringBuilder sb = new StringBuilder();
    sb.append("{\n");
    sb.append("  \"zkHost\": \"127.0.0.1:").append(zkPort).append("\",\n");
    sb.append("  \"supervisorPid\": ").append(ProcessHandle.current().pid()).append(",\n");
    sb.append("  \"baseDir\": ").append(quote(baseDir.toString())).append(",\n");
    sb.append("  \"nodes\": [\n");
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      sb.append("    {\"index\": ").append(node.index);
      sb.append(", \"port\": ").append(node.port);
      sb.append(", \"baseUrl\": ").append(quote(node.baseUrl()));
      sb.append(", \"nodeName\": ").append(quote("127.0.0.1:" + node.port + "_solr"));
      sb.append(", \"pid\": ").append(node.pid());
      sb.append(", \"state\": ").append(quote(node.state));
      sb.append(", \"home\": ").append(quote(node.home.toString()));
      sb.append(", \"log\": ").append(quote(node.log.toString()));
      sb.append("}").append(i + 1 < nodes.size() ? ",\n" : "\n");
    }
    sb.append("  ]\n}\n");
    Path tmp = jsonFile.resolveSibling(jsonFile.getFileName() + ".tmp");
    Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, jsonFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }
}
