package dev.appserver.operator.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Bounded HTTP load from this machine to one address of the local cluster. Each request is a new
 * TCP connection with HTTP/1.0 (no keep-alive), so every request is balanced afresh by kube-proxy
 * and a connection to a pod that is going away is never reused. Requests are paced at a fixed rate
 * over a few threads and stop at whichever comes first: the request count, the duration, or
 * {@link #close()}. The address is checked to be routed locally before the first packet.
 */
public final class LoadGenerator implements AutoCloseable {

  /** One request: when it was sent and answered (System.nanoTime), its status (0 on error) and body. */
  public record Sample(long sentNanos, long doneNanos, int status, String body, String error) {
    public boolean ok() {
      return status == 200;
    }

    public double millis() {
      return (doneNanos - sentNanos) / 1e6;
    }
  }

  /** Figures of the samples sent in a window. */
  public record Stats(int requests, int failed, double p50Millis, double p99Millis, double maxMillis, Map<String, Long> failures) {
    @Override
    public String toString() {
      return "%d requests, %d failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms%s".formatted(requests, failed, p50Millis,
          p99Millis, maxMillis, failures.isEmpty() ? "" : " " + failures);
    }
  }

  private final String host;
  private final int port;
  private final String path;
  private final int maxRequests;
  private final Duration maxDuration;
  private final long intervalNanos;
  private final Duration readTimeout;
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final AtomicLong tickets = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch done;
  private volatile long startNanos;

  /**
   * @param ratePerSecond requests started per second (spread over {@code threads})
   * @param maxRequests hard cap on the number of requests
   * @param maxDuration hard cap on how long requests are started
   */
  public LoadGenerator(String host, int port, String path, int threads, int ratePerSecond, int maxRequests,
      Duration maxDuration, Duration readTimeout) {
    if (threads < 1 || threads > 64) throw new IllegalArgumentException("threads must be 1..64");
    if (ratePerSecond < 1 || ratePerSecond > 2000) throw new IllegalArgumentException("rate must be 1..2000/s");
    if (maxRequests < 1 || maxRequests > 200_000) throw new IllegalArgumentException("maxRequests must be 1..200000");
    if (maxDuration.isNegative() || maxDuration.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("maxDuration must be at most 10 minutes");
    }
    RealNode.requireLocalRoute(host);
    this.host = host;
    this.port = port;
    this.path = path;
    this.maxRequests = maxRequests;
    this.maxDuration = maxDuration;
    this.intervalNanos = 1_000_000_000L / ratePerSecond;
    this.readTimeout = readTimeout;
    this.done = new CountDownLatch(threads);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::loop, "load-" + host + "-" + i);
      t.setDaemon(true);
      this.threads.add(t);
    }
  }

  /** A steady load of quick requests: {@code rate}/s for at most {@code duration}. */
  public static LoadGenerator steady(String host, int port, String path, int rate, Duration duration) {
    return new LoadGenerator(host, port, path, 8, rate, (int) Math.min(200_000, rate * duration.toSeconds()), duration,
        Duration.ofSeconds(10));
  }

  public LoadGenerator start() {
    startNanos = System.nanoTime();
    threads.forEach(Thread::start);
    return this;
  }

  private void loop() {
    try {
      long deadline = startNanos + maxDuration.toNanos();
      while (!stopped.get()) {
        long ticket = tickets.getAndIncrement();
        if (ticket >= maxRequests) return;
        long due = startNanos + ticket * intervalNanos;
        if (due > deadline) return;
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
        if (stopped.get()) return;
        samples.add(request());
      }
    } finally {
      done.countDown();
    }
  }

  /** One request on a new connection (the route was checked when this generator was made). */
  public Sample request() {
    return send(host, port, path, readTimeout);
  }

  /** One request on a new connection, once {@code host} is checked to be routed locally. */
  public static Sample request(String host, int port, String path, Duration readTimeout) {
    RealNode.requireLocalRoute(host);
    return send(host, port, path, readTimeout);
  }

  private static Sample send(String host, int port, String path, Duration readTimeout) {
    long sent = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout((int) readTimeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: appserver-e2e\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = readAll(socket.getInputStream());
      long doneAt = System.nanoTime();
      int status = parseStatus(response);
      int bodyAt = response.indexOf("\r\n\r\n");
      String body = bodyAt < 0 ? "" : response.substring(bodyAt + 4);
      return new Sample(sent, doneAt, status, body, status == 0 ? "malformed response" : null);
    } catch (IOException e) {
      return new Sample(sent, System.nanoTime(), 0, "", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      buf.write(chunk, 0, n);
      if (buf.size() > 1 << 20) throw new IOException("response over 1 MiB");
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  private static int parseStatus(String response) {
    if (!response.startsWith("HTTP/1.")) return 0;
    int sp = response.indexOf(' ');
    try {
      return Integer.parseInt(response.substring(sp + 1, sp + 4));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Waits until every request has finished (the caps guarantee it does). */
  public List<Sample> awaitDone(Duration atMost) throws InterruptedException {
    if (!done.await(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      close();
      throw new AssertionError("load to " + host + " did not finish within " + atMost);
    }
    return samples();
  }

  public List<Sample> samples() {
    List<Sample> all = new ArrayList<>(samples);
    all.sort(Comparator.comparingLong(Sample::sentNanos));
    return all;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Stops starting requests (the ones in flight finish, bounded by their read timeout). */
  @Override
  public void close() {
    stopped.set(true);
    threads.forEach(LockSupport::unpark);
  }

  /** Figures of the samples sent between two System.nanoTime instants. */
  public static Stats stats(List<Sample> samples, long fromNanos, long toNanos) {
    return stats(samples.stream().filter(s -> s.sentNanos() >= fromNanos && s.sentNanos() < toNanos).toList());
  }

  public static Stats stats(List<Sample> window) {
    double[] ms = window.stream().mapToDouble(Sample::millis).sorted().toArray();
    Map<String, Long> failures = new TreeMap<>();
    window.stream().filter(Predicate.not(Sample::ok)).forEach(s ->
        failures.merge(s.status() != 0 ? "HTTP " + s.status() : String.valueOf(s.error()), 1L, Long::sum));
    int failed = (int) window.stream().filter(Predicate.not(Sample::ok)).count();
    return new Stats(window.size(), failed, percentile(ms, 0.50), percentile(ms, 0.99),
        ms.length == 0 ? 0 : ms[ms.length - 1], failures);
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) return 0;
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
