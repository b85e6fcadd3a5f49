package io.omelet.zeppelin;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TSocket;
import org.apache.zeppelin.interpreter.thrift.InterpreterCompletion;
import org.apache.zeppelin.interpreter.thrift.RegisterInfo;
import org.apache.zeppelin.interpreter.thrift.RemoteInterpreterContext;
import org.apache.zeppelin.interpreter.thrift.RemoteInterpreterEventService;
import org.apache.zeppelin.interpreter.thrift.RemoteInterpreterResult;
import org.apache.zeppelin.interpreter.thrift.RemoteInterpreterResultMessage;
import org.apache.zeppelin.interpreter.thrift.RemoteInterpreterService;

/**
 * Hosts an interpreter the way Zeppelin does: Zeppelin's own {@code RemoteInterpreterServer} in a
 * child JVM, which registers with an event server of ours (the Zeppelin side of the protocol) and
 * is driven over Thrift: init, createInterpreter, open, interpret, and getProgress, cancel and
 * completion on a second connection, as Zeppelin's server does while a paragraph runs.
 */
final class RemoteInterpreterHost implements AutoCloseable {
  static final String GROUP = "omelet-test-group";
  static final String SESSION = "shared_session";
  static final String NOTE = "2TESTNOTE";

  /** A paragraph's outcome: Zeppelin's result code and its messages (type, data). */
  record Result(String code, List<Message> messages) {
    List<Message> of(String type) {
      return messages.stream().filter(m -> m.type().equals(type)).toList();
    }

    String text() {
      StringBuilder b = new StringBuilder();
      for (Message m : of("TEXT")) b.append(m.data());
      return b.toString();
    }
  }

  record Message(String type, String data) {}

  private final TServer eventServer;
  private final Process child;
  private final Path log;
  private final String className;
  private final CompletableFuture<RegisterInfo> registered;
  private final List<String> streamed = java.util.Collections.synchronizedList(new ArrayList<>());
  private TSocket mainSocket, sideSocket;
  private RemoteInterpreterService.Client main, side;

  private RemoteInterpreterHost(String className, Map<String, String> props, List<String> jvmArgs, Path workDir)
      throws Exception {
    this.className = className;
    this.registered = new CompletableFuture<>();
    this.log = workDir.resolve("interpreter-process.log");
    RemoteInterpreterEventService.Iface handler = events();
    TServerSocket socket = new TServerSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int eventPort = socket.getServerSocket().getLocalPort();
    eventServer = new TThreadPoolServer(new TThreadPoolServer.Args(socket)
        .processor(new RemoteInterpreterEventService.Processor<>(handler)));
    Thread serving = new Thread(eventServer::serve, "zeppelin-event-server");
    serving.setDaemon(true);
    serving.start();

    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.apache.zeppelin.interpreter.remote.RemoteInterpreterServer");
    cmd.addAll(List.of("127.0.0.1", String.valueOf(eventPort), GROUP, ":"));
    child = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    RegisterInfo info;
    try {
      info = awaitRegistration();
    } catch (Exception e) {
      close();
      throw e;
    }
    mainSocket = new TSocket(info.getHost(), info.getPort());
    mainSocket.open();
    main = new RemoteInterpreterService.Client(new TBinaryProtocol(mainSocket));
    sideSocket = new TSocket(info.getHost(), info.getPort());
    sideSocket.open();
    side = new RemoteInterpreterService.Client(new TBinaryProtocol(sideSocket));
    main.init(new HashMap<>());
    Map<String, String> p = new HashMap<>(props);
    p.putIfAbsent("zeppelin.interpreter.localRepo", workDir.resolve("local-repo").toString());
    main.createInterpreter(GROUP, SESSION, className, p, "anonymous");
    main.open(SESSION, className);
  }

  static RemoteInterpreterHost start(String className, Map<String, String> props, List<String> jvmArgs, Path workDir)
      throws Exception {
    return new RemoteInterpreterHost(className, props, jvmArgs, workDir);
  }

  private RegisterInfo awaitRegistration() throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (registered.isDone()) return registered.get();
      if (!child.isAlive()) throw new IllegalStateException("the interpreter process ended: " + tail());
      Thread.sleep(100);
    }
    throw new IllegalStateException("the interpreter process did not register in 120 s: " + tail());
  }

  /** The last lines of the child's log, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Output streamed through appendOutput/updateOutput events so far. */
  List<String> streamed() {
    return List.copyOf(streamed);
  }

  synchronized Result interpret(String text, String paragraphId) throws Exception {
    RemoteInterpreterResult r = main.interpret(SESSION, className, text, context(text, paragraphId));
    List<Message> msgs = new ArrayList<>();
    if (r.getMsg() != null) {
      for (RemoteInterpreterResultMessage m : r.getMsg()) msgs.add(new Message(m.getType(), m.getData()));
    }
    return new Result(r.getCode(), msgs);
  }

  int progress(String paragraphId) throws Exception {
    synchronized (side) {
      return side.getProgress(SESSION, className, context("", paragraphId));
    }
  }

  void cancel(String paragraphId) throws Exception {
    synchronized (side) {
      side.cancel(SESSION, className, context("", paragraphId));
    }
  }

  List<InterpreterCompletion> completion(String buf, int cursor) throws Exception {
    synchronized (side) {
      return side.completion(SESSION, className, buf, cursor, context(buf, "completion"));
    }
  }

  private static RemoteInterpreterContext context(String text, String paragraphId) {
    return new RemoteInterpreterContext(NOTE, "test note", paragraphId, "omelet", "", text,
        "{\"user\":\"anonymous\",\"roles\":[]}", "{}", "{\"params\":{},\"forms\":{}}",
        "{\"params\":{},\"forms\":{}}", new HashMap<>());
  }

  /** The Zeppelin side of the protocol: registration and streamed output; the rest is not used here. */
  private RemoteInterpreterEventService.Iface events() {
    return (RemoteInterpreterEventService.Iface) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RemoteInterpreterEventService.Iface.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "registerInterpreterProcess" -> registered.complete((RegisterInfo) args[0]);
            case "appendOutput", "updateOutput", "updateAllOutput" -> streamed.add(String.valueOf(args[0]));
            default -> { }
          }
          Class<?> t = method.getReturnType();
          if (t == List.class) return List.of();
          if (t == boolean.class) return false;
          return null;
        });
  }

  @Override
  public void close() {
    try {
      if (main != null) {
        main.close(SESSION, className);
        main.shutdown();
      }
    } catch (Exception ignored) {
      // the process may already be gone; it is killed below if not
    }
    if (mainSocket != null) mainSocket.close();
    if (sideSocket != null) sideSocket.close();
    try {
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroy();
        if (!child.waitFor(10, TimeUnit.SECONDS)) child.destroyForcibly();
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    eventServer.stop();
  }
}
