package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AppServers whose pods really run: on the local cluster's real node (kubelet, containerd, runc,
 * the CNI bridge), from the example app's image, in a namespace that enforces Pod Security
 * "restricted". Probes are the kubelet's, Gunicorn is real, and every request goes over the pod
 * network to addresses checked to be routed to the local bridge.
 */
class RealPodsE2E extends E2ESupport {
  static final String IMAGE = "appserver-example:0.1.0";

  @BeforeEach
  void onTheRealNode() {
    RealNode.assumeReady();
    RealNode.useFor(ns);
  }

  /** An AppServer of the example image with small requests, so several fit on the real node's 2 cores. */
  static String example(int replicas, String cpuLimit, String memoryLimit, String more) {
    return """
        image: %s
        app: app:app
        replicas: %d
        resources:
          requests: {cpu: 50m, memory: 64Mi}
          limits: {cpu: "%s", memory: %s}
        """.formatted(IMAGE, replicas, cpuLimit, memoryLimit) + more.stripIndent();
  }

  List<Pod> pods(String name) {
    return operator.client.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, name).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  Pod onlyPod(String name) {
    var pods = pods(name);
    assertThat(pods).as("pods of %s", name).hasSize(1);
    return pods.get(0);
  }

  String exec(Pod pod, String... command) {
    List<String> args = new ArrayList<>(List.of("-n", ns, "exec", pod.getMetadata().getName(), "-c", Names.CONTAINER, "--"));
    args.addAll(List.of(command));
    return Kubectl.run(args.toArray(String[]::new)).ok().out();
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static int restarts(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream().mapToInt(s -> s.getRestartCount()).sum();
  }

  Pod fresh(Pod pod) {
    return operator.client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
  }

  @Test
  void exampleBecomesReadyThroughRealProbesAndRunsTheComputedWorkersAsARestrictedPod() {
    long start = System.nanoTime();
    apply(appServer("hello", example(2, "1", "384Mi", """
        securityContext:
          pod: {runAsUser: 10001, runAsGroup: 10001}
        """))).ok();
    waitReady("hello");
    double readySeconds = (System.nanoTime() - start) / 1e9;

    var pods = pods("hello");
    assertThat(pods).hasSize(2).allSatisfy(p -> {
      assertThat(p.getSpec().getNodeName()).isEqualTo(RealNode.nodeName());
      assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Ready");
        assertThat(c.getStatus()).isEqualTo("True");
      });
      // The kubelet of the real node says the container runs: KWOK never reports a containerID.
      assertThat(p.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");
    });
    var container = deployment("hello").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");

    Pod pod = pods.get(0);
    // 1 CPU: floor(2 x 1) + 1 = 3 workers, counted from inside the pod: the master and its children.
    String processes = exec(pod, "python", "-c", """
        import os
        for p in sorted(os.listdir('/proc'), key=lambda s: s.isdigit() and int(s)):
            if p.isdigit():
                try:
                    cmd = open('/proc/%s/cmdline' % p).read().split('\\0')
                    ppid = [l.split()[1] for l in open('/proc/%s/status' % p) if l.startswith('PPid:')][0]
                except OSError:
                    continue
                if any('gunicorn' in c for c in cmd):
                    print(p, ppid, ' '.join(cmd).strip())
        """);
    var gunicorns = processes.lines().toList();
    long workers = gunicorns.stream().filter(l -> l.split(" ")[1].equals("1")).count();
    assertThat(gunicorns.get(0)).as(processes).startsWith("1 0 ").contains("--config /etc/gunicorn/gunicorn.conf.py", "app:app");
    assertThat(workers).as(processes).isEqualTo(3);

    String mounted = exec(pod, "cat", "/etc/gunicorn/gunicorn.conf.py");
    String rendered = operator.client.configMaps().inNamespace(ns).withName("hello-gunicorn").get().getData().get("gunicorn.conf.py");
    assertThat(mounted).isEqualTo(rendered).contains("workers = 3\n");

    String identity = exec(pod, "python", "-c", """
        import os
        print(os.getuid(), os.getgid())
        try:
            open('/app/written-at-run-time', 'w')
            print('root filesystem writable')
        except OSError as e:
            print('errno', e.errno)
        open('/tmp/scratch', 'w').write('ok')
        print('tmp writable')
        """);
    // The group only because runAsGroup says so: the kubelet passes an image's USER uid:gid on as
    // the uid alone, and the runtime then uses group 0 (and refuses runAsGroup without runAsUser).
    assertThat(identity.lines().toList()).containsExactly("10001 10001", "errno 30", "tmp writable");
    assertThat(Kubectl.run("get", "namespace", ns, "-o", "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}")
        .ok().out()).isEqualTo("restricted");

    // Real HTTP, over the pod network, from both pods and through the Service.
    for (Pod p : pods) {
      String ip = p.getStatus().getPodIP();
      var answer = LoadGenerator.request(ip, 8000, "/whoami", Duration.ofSeconds(5));
      assertThat(answer.status()).as(answer.error()).isEqualTo(200);
      assertThat(answer.body()).startsWith(p.getMetadata().getName() + " ");
    }
    var service = operator.client.services().inNamespace(ns).withName("hello").get();
    String clusterIp = service.getSpec().getClusterIP();
    RealNode.requireLocalRoute(clusterIp);
    await().atMost(Duration.ofSeconds(30)).until(() -> RealNode.programmedEndpoints(clusterIp, 80).size() == 2);
    var viaService = LoadGenerator.request(clusterIp, 80, "/", Duration.ofSeconds(5));
    assertThat(viaService.body()).isEqualTo("Hello from AppServer\n");
    System.out.printf("[real-pods] hello: Ready in %.1f s; %d Gunicorn workers per pod (1 CPU); uid 10001; read-only root%n",
        readySeconds, workers);
  }

  @Test
  void busyPodIsNotRestartedAndAHungWorkerIsReplacedByGunicorn() throws Exception {
    // "busy": 2 sync workers, requests may take 120 s, liveness fails after 3 x 2 s.
    apply(appServer("busy", example(1, "500m", "256Mi", """
        gunicorn: {timeoutSeconds: 120}
        probes:
          liveness: {periodSeconds: 2, failureThreshold: 3}
        """))).ok();
    // "hung": a worker silent for more than 4 s is killed by the Gunicorn master.
    apply(appServer("hung", example(1, "500m", "256Mi", """
        gunicorn: {timeoutSeconds: 4}
        """))).ok();
    waitReady("busy");
    waitReady("hung");

    Pod busy = onlyPod("busy");
    String busyIp = busy.getStatus().getPodIP();
    int holdSeconds = 20;
    int livenessWindow = 2 * 3;
    var slow = new ArrayList<CompletableFuture<LoadGenerator.Sample>>();
    for (int i = 0; i < 2; i++) {
      slow.add(CompletableFuture.supplyAsync(() ->
          LoadGenerator.request(busyIp, 8000, "/slow?s=" + holdSeconds, Duration.ofSeconds(holdSeconds + 30))));
    }
    // Both workers are busy once both requests have announced themselves.
    await().atMost(Duration.ofSeconds(20)).until(() ->
        Kubectl.run("-n", ns, "logs", busy.getMetadata().getName()).out().lines()
            .filter(l -> l.contains("slow request started")).count() == 2);
    long busySince = System.nanoTime();
    for (var f : slow) {
      var s = f.get();
      assertThat(s.status()).as(s.error()).isEqualTo(200);
      assertThat(s.body()).isEqualTo("slow done s=" + holdSeconds + "\n");
    }
    double busyFor = (System.nanoTime() - busySince) / 1e9;
    assertThat(busyFor).as("every worker was busy for longer than the liveness window").isGreaterThan(livenessWindow * 2);
    assertThat(restarts(fresh(busy))).as("restarts of the busy pod").isZero();
    var after = LoadGenerator.request(busyIp, 8000, "/health", Duration.ofSeconds(5));
    assertThat(after.status()).isEqualTo(200);

    Pod hung = onlyPod("hung");
    String hungIp = hung.getStatus().getPodIP();
    String pidsBefore = workerPids(hung);
    long sent = System.nanoTime();
    var killed = LoadGenerator.request(hungIp, 8000, "/slow?s=60", Duration.ofSeconds(40));
    double killedAfter = (System.nanoTime() - sent) / 1e9;
    assertThat(killed.status()).as("the hung request gets no 200").isNotEqualTo(200);
    assertThat(killedAfter).as("seconds until Gunicorn killed the hung worker").isLessThan(30);
    await().atMost(Duration.ofSeconds(20)).until(() ->
        Kubectl.run("-n", ns, "logs", hung.getMetadata().getName()).out().contains("WORKER TIMEOUT"));
    await().atMost(Duration.ofSeconds(20)).until(() -> !workerPids(hung).equals(pidsBefore)
        && workerPids(hung).split(" ").length == pidsBefore.split(" ").length);
    assertThat(LoadGenerator.request(hungIp, 8000, "/health", Duration.ofSeconds(5)).status()).isEqualTo(200);
    assertThat(restarts(fresh(hung))).as("restarts of the pod with the hung worker").isZero();
    System.out.printf("[real-pods] busy: all 2 sync workers held %.1f s (liveness window %d s), restarts 0;"
        + " hung: worker killed after %.1f s (timeout 4 s), workers %s -> %s, restarts 0%n",
        busyFor, livenessWindow, killedAfter, pidsBefore, workerPids(hung));
  }

  /** The PIDs of the Gunicorn workers (children of PID 1) in a pod, sorted. */
  String workerPids(Pod pod) {
    return exec(pod, "python", "-c", """
        import os
        kids = []
        for p in os.listdir('/proc'):
            if p.isdigit():
                try:
                    if [l.split()[1] for l in open('/proc/%s/status' % p) if l.startswith('PPid:')][0] == '1':
                        kids.append(int(p))
                except OSError:
                    pass
        print(' '.join(str(k) for k in sorted(kids)))
        """).trim();
  }

  @Test
  void aDeletedPodFinishesItsInFlightRequestsAndGetsNoNewOnesOnceItsEndpointIsGone() throws Exception {
    apply(appServer("drain", example(2, "1", "384Mi", """
        gunicorn: {timeoutSeconds: 60}
        """))).ok();
    waitReady("drain");
    String clusterIp = operator.client.services().inNamespace(ns).withName("drain").get().getSpec().getClusterIP();
    await().atMost(Duration.ofSeconds(30)).until(() -> RealNode.programmedEndpoints(clusterIp, 80).size() == 2);

    Pod victim = pods("drain").get(0);
    String victimName = victim.getMetadata().getName();
    String victimIp = victim.getStatus().getPodIP();
    try (var load = LoadGenerator.steady(clusterIp, 80, "/whoami", 100, Duration.ofSeconds(60)).start()) {
      // Two requests in flight on the victim (it has three workers), started before the delete.
      var inFlight = new ArrayList<CompletableFuture<LoadGenerator.Sample>>();
      for (int i = 0; i < 2; i++) {
        inFlight.add(CompletableFuture.supplyAsync(() ->
            LoadGenerator.request(victimIp, 8000, "/slow?s=8", Duration.ofSeconds(60))));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> Kubectl.run("-n", ns, "logs", victimName).out().lines()
          .filter(l -> l.contains("slow request started")).count() == 2);
      long deletedAt = System.nanoTime();
      Kubectl.run("-n", ns, "delete", "pod", victimName, "--wait=false").ok();

      // When kube-proxy stops sending new connections to the victim.
      var gone = new ConcurrentLinkedQueue<Long>();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (RealNode.programmedEndpoints(clusterIp, 80).contains(victimIp)) return false;
        gone.add(System.nanoTime());
        return true;
      });
      long goneAt = gone.peek();
      for (var f : inFlight) {
        var s = f.get();
        assertThat(s.status()).as("in-flight request on the deleted pod: %s", s.error()).isEqualTo(200);
        assertThat(s.body()).isEqualTo("slow done s=8\n");
        assertThat(s.doneNanos()).isGreaterThan(deletedAt);
      }
      // Let the replacement serve for a while, then stop.
      await().atMost(Duration.ofSeconds(60)).until(() -> pods("drain").stream()
          .filter(p -> !p.getMetadata().getName().equals(victimName) && ready(p)).count() == 2);
      load.close();
      var samples = load.awaitDone(Duration.ofSeconds(30));

      var byVictim = samples.stream().filter(s -> s.body().startsWith(victimName + " ")).toList();
      assertThat(byVictim).as("the victim served through the Service before it was deleted").isNotEmpty();
      assertThat(byVictim).as("requests the victim got after its endpoint was gone")
          .noneMatch(s -> s.sentNanos() > goneAt);
      var stats = LoadGenerator.stats(samples);
      assertThat(stats.failed()).as("failed requests through the Service: %s", stats).isZero();
      System.out.printf("[real-pods] drain: endpoint gone %.2f s after delete; 2 in-flight requests completed;"
          + " victim served %d before, 0 after; through the Service: %s%n",
          (goneAt - deletedAt) / 1e9, byVictim.size(), stats);
    }
  }
}
